"""A moderator's decision on a conflict (an import's value that a person's edit kept out)."""

from __future__ import annotations

import json

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from survmap.records.models import Conflict, ConflictStatus
from survmap.records.plans import Writer
from survmap.records.writing.edit import record_edit


def conflict_settle(*, conflict: Conflict, take_source: bool, writer: Writer) -> Conflict:
    """A moderator's decision on a conflict: keep the person's value, or take the source's
    (written through `record_edit`, so with history and provenance)."""
    with transaction.atomic():
        conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.status != ConflictStatus.OPEN:
            return conflict
        if take_source:
            instance = apps.get_model(conflict.record_model)._default_manager.get(
                pk=conflict.record_id
            )
            if ":" in conflict.field:
                link, key = conflict.field.split(":", 1)
                record_edit(instance=instance, values={}, writer=writer, add_links={link: [key]})
            else:
                model_field = instance._meta.get_field(conflict.field)
                value = model_field.to_python(json.loads(conflict.theirs))
                if isinstance(model_field, models.ForeignKey) and value is not None:
                    value = model_field.related_model._default_manager.get(pk=value)  # type: ignore[union-attr]
                record_edit(instance=instance, values={conflict.field: value}, writer=writer)
        conflict.status = ConflictStatus.TAKEN if take_source else ConflictStatus.KEPT
        conflict.settled_by_id = writer.user_id
        conflict.settled_at = timezone.now()
        conflict.save()
    return conflict
