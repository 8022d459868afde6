"""A conflict settled in its own admin page is also handled in the import run that noted it:
the run's list of open lines stays true without a second click."""

from __future__ import annotations

from typing import Any


def _on_conflict(sender: Any, instance: Any, **kwargs: Any) -> None:
    from survmap.imports.models import ImportNote
    from survmap.records.models import ConflictStatus

    if instance.status == ConflictStatus.OPEN or instance.settled_at is None:
        return
    ImportNote.objects.filter(conflict=instance, handled=False).update(
        handled=True,
        handled_by_id=instance.settled_by_id,
        handled_at=instance.settled_at,
        updated_at=instance.settled_at,
    )


def connect() -> None:
    from django.db.models.signals import post_save

    from survmap.records.models import Conflict

    post_save.connect(_on_conflict, sender=Conflict, dispatch_uid="imports-conflict-settled")
