"""The data version moves when public research data changes, and only then: a check that is
approved, edited while approved, or stops being approved (rejected, undone, deleted), and the
sources and records requests of an approved check. Pending and rejected checks change nothing
readers can see, so they leave every cache alone. The bump runs after commit, so a rolled-back
decision leaves the version as it was."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete

from survmap.common import data_version


def _was_or_is_public(research_check: Any) -> bool:
    from survmap.research.models import CheckStatus

    return CheckStatus.APPROVED in {
        research_check.status,
        getattr(research_check, "_loaded_status", None),
    }


def _on_check(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _was_or_is_public(instance):
        data_version.changed()
    # The saved status is the one a later save compares against.
    instance._loaded_status = instance.status


def _on_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    from survmap.research.models import ResearchCheck

    parent = ResearchCheck.objects.filter(pk=instance.research_check_id).first()
    if parent is not None and _was_or_is_public(parent):
        data_version.changed()


def _on_partnership_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A partnership taken off the record (an undone tip, a moderator's deletion) takes its
    'found' checks back to the queue: an approved 'found' check must name what it found."""
    from survmap.research.models import CheckStatus, ResearchCheck

    for research_check in ResearchCheck.objects.filter(partnership=instance):
        research_check.partnership = None
        if research_check.status == CheckStatus.APPROVED:
            research_check.status = CheckStatus.PENDING
            research_check.decision_reason = "The partnership it found was taken off the record."
        research_check._change_reason = "Its partnership was deleted"  # type: ignore[attr-defined]
        research_check.save()


def connect() -> None:
    from survmap.records.models import Partnership
    from survmap.research.models import CheckSource, RecordsRequest, ResearchCheck

    pre_delete.connect(
        _on_partnership_delete, sender=Partnership, dispatch_uid="research-partnership-delete"
    )

    for signal in (post_save, post_delete):
        signal.connect(_on_check, sender=ResearchCheck, dispatch_uid=f"research-check-{signal!r}")
        for model in (CheckSource, RecordsRequest):
            signal.connect(
                _on_part, sender=model, dispatch_uid=f"research-{model.__name__}-{signal!r}"
            )
