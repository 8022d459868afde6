"""Taking back what was written: a journal's changes (an approval, an import), a record's
earlier version from its history, a deletion with its reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.db import models, transaction
from simple_history.utils import get_m2m_reverse_field_name

from survmap.common import data_version
from survmap.records import provenance
from survmap.records.models import Agency, Source, Technology, Vendor
from survmap.records.plans import LaterChange, Writer


def _record(entry: Mapping[str, Any]) -> models.Model | None:
    model = apps.get_model(entry["model"])
    return model._default_manager.filter(pk=entry["pk"]).first()


def _later(journal: Sequence[Mapping[str, Any]]) -> list[tuple[models.Model, str, Any]]:
    """The fields and links of the journal's records that another writer changed since."""
    later: list[tuple[models.Model, str, Any]] = []
    for entry in journal:
        instance = _record(entry)
        if instance is None or not hasattr(instance, "provenance"):
            continue
        if entry["created"]:
            created = provenance.created_by(instance)
            for name, written in provenance.writers(instance).items():
                if created and written[:2] != created[:2]:
                    later.append((instance, name, written))
            continue
        for name, change in entry["fields"].items():
            found = provenance.last_writer(instance, name)
            if found != change[3]:
                later.append((instance, name, found))
    return later


def _later_message(later: list[tuple[models.Model, str, Any]]) -> str:
    parts = []
    for instance, name, found in later[:5]:
        what = name.replace(":", " link to ") if ":" in name else name
        parts.append(
            f"{instance._meta.verbose_name} {instance.pk}: {what} was changed later by "
            f"{provenance.describe(found)}"
        )
    more = f" (and {len(later) - 5} more)" if len(later) > 5 else ""
    return "; ".join(parts) + more + ". Undo that change first, or confirm to undo both."


def is_cited(instance: models.Model) -> bool:
    """Whether another record still points at this one (so deleting it would lose a link)."""
    if isinstance(instance, Source):
        return instance.partnerships.exists() or instance.policy_events.exists()
    if isinstance(instance, Agency):
        return instance.partnerships.exists()
    if isinstance(instance, Vendor | Technology):
        return instance.partnerships.exists() or instance.policy_events.exists()
    return False


def journal_revert(
    *, journal: Sequence[Mapping[str, Any]], writer: Writer, confirm: bool = False
) -> list[dict[str, Any]]:
    """Take back exactly what a journal (`Applied.journal`) changed, newest first. Where a
    later writer changed the same field or link, raise `LaterChange` naming it, unless
    `confirm`: then the later value goes too (a later approval is the caller's to undo first:
    `LaterChange.submission_ids`). Returns what was undone, for the decision log."""
    reason = writer.history_reason
    with transaction.atomic():
        later = _later(journal)
        if later and not confirm:
            ids = tuple(
                sorted(
                    {
                        int(found[0].split(":", 1)[1])
                        for _, _, found in later
                        if found and found[0].startswith("submission:")
                    }
                )
            )
            raise LaterChange(_later_message(later), submission_ids=ids)
        undone: list[dict[str, Any]] = []
        for entry in reversed(journal):
            summary = {"model": entry["model"], "pk": entry["pk"]}
            instance = _record(entry)
            if instance is None:
                undone.append({**summary, "undone": "already deleted"})
                continue
            if entry["created"]:
                if is_cited(instance):
                    # Something else cites it now (a later approval or an edit): keep it.
                    undone.append({**summary, "undone": "kept: another record cites it"})
                    continue
                record_delete(instance=instance, reason=reason)
                undone.append({**summary, "undone": "deleted"})
                continue
            _restore(instance, entry["fields"], reason)
            undone.append({**summary, "undone": "restored", "fields": sorted(entry["fields"])})
        if undone:
            data_version.changed()
    return undone


def _restore(instance: models.Model, changes: Mapping[str, Any], reason: str) -> None:
    add: dict[str, list[Any]] = {}
    remove: dict[str, list[Any]] = {}
    plain = False
    for name, (before, _after, previous, _mine) in changes.items():
        if ":" in name:
            link, key = name.split(":", 1)
            (add if before else remove).setdefault(link, []).append(key)
        else:
            model_field = instance._meta.get_field(name)
            setattr(instance, model_field.attname, model_field.to_python(before))  # type: ignore[union-attr]
            plain = True
        provenance.restore_writer(instance, name, previous)
    instance._change_reason = reason  # type: ignore[attr-defined]
    if plain:
        instance.full_clean()
        instance.save()
    else:
        type(instance)._default_manager.filter(pk=instance.pk).update(
            provenance=instance.provenance  # type: ignore[attr-defined]
        )
    for link, keys in add.items():
        getattr(instance, link).add(*keys)
    for link, keys in remove.items():
        getattr(instance, link).remove(*keys)


@transaction.atomic
def history_restore(*, record: Any, reason: str = "") -> models.Model:
    """Put a record back as it was in one of its history entries (a simple-history historical
    record): undoes an edit, or brings back a deleted record under its old id. Many-to-many links
    tracked in history come back too."""
    if record.history_type == "-":
        # A deletion entry is written after the links are gone; the entry before it has them.
        record = record.prev_record or record
    instance = record.instance
    when = f"{record.history_date:%Y-%m-%d %H:%M}"
    instance._change_reason = reason or f"Restored to the version of {when}"
    instance.full_clean(validate_unique=False)
    instance.save()
    for m2m in record._history_m2m_fields:
        target = get_m2m_reverse_field_name(m2m)
        linked = getattr(record, m2m.name).values_list(target, flat=True)
        getattr(instance, m2m.name).set(list(linked))
    return instance


@transaction.atomic
def record_delete(*, instance: models.Model, reason: str = "") -> None:
    """Delete a record with a reason in its history, so the deletion can be seen and undone."""
    instance._change_reason = reason or "Deleted"  # type: ignore[attr-defined]
    instance.delete()
