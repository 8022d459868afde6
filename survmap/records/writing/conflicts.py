"""A moderator's decision on a conflict (an import's value that a person's edit kept out)."""

from __future__ import annotations

import json

from django.apps import apps
from django.core.exceptions import ValidationError
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
            model = apps.get_model(conflict.record_model)
            instance = model._default_manager.filter(pk=conflict.record_id).first()
            if instance is None:
                # Deleted since the import: there is nothing to write the source's value to.
                raise ValidationError(
                    f"The {model._meta.verbose_name} {conflict.record_id} was deleted since the "
                    "import: there is no value to take. Keep the person's value to close it."
                )
            if ":" in conflict.field:
                link, key = conflict.field.split(":", 1)
                record_edit(instance=instance, values={}, writer=writer, add_links={link: [key]})
            else:
                model_field = instance._meta.get_field(conflict.field)
                value = model_field.to_python(json.loads(conflict.theirs))
                if isinstance(model_field, models.ForeignKey) and value is not None:
                    related = model_field.related_model._default_manager  # type: ignore[union-attr]
                    value = related.filter(pk=value).first()
                    if value is None:
                        raise ValidationError(
                            f"The source's {conflict.field} was deleted since the import: "
                            "there is no value to take."
                        )
                record_edit(instance=instance, values={conflict.field: value}, writer=writer)
        conflict.status = ConflictStatus.TAKEN if take_source else ConflictStatus.KEPT
        conflict.settled_by_id = writer.user_id
        conflict.settled_at = timezone.now()
        conflict.save()
    return conflict
