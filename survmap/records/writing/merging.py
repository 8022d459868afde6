"""Two records that are one, merged (and merges undone): an agency under two spellings, a vendor
under two names. Everything that points at the record that goes (partnerships, policy events,
aliases, and whatever other apps link to it: research checks and tasks, submissions,
plate-reader organisations and sharing) is moved to the one that stays; its name becomes an
alias of that one, so the matcher and the search find it under both names; its history ends
with a deletion under the merge's reason. A `RecordMerge` keeps the removed record as it was and
every step in order, so `merge_undo` can take the merge back exactly, or say why not.

Other apps are never imported here (they are higher layers): the references are found by
walking the model's reverse relations (`_meta.get_fields`), so a new model that links to an
agency or a vendor is moved by a merge without a change here.

Two partnerships that say the same thing (the agency, technology and vendor, once the two
records are one) are combined when that loses nothing: at most one of them carries a source's
row number, their starts agree (or one is unknown), and each side has only the one. Then the
kept partnership takes the other's sources, other vendors, policy events, row number and the
fields it left empty; the other is deleted with its history, and an undo brings it back.
Otherwise both stay, and the merge notes them for a moderator.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from survmap.common import data_version
from survmap.records import provenance
from survmap.records.models import (
    Agency,
    AgencyAlias,
    AliasSource,
    MergeKind,
    Partnership,
    RecordMerge,
    Vendor,
    VendorAlias,
)
from survmap.records.normalize import normalize_name
from survmap.records.plans import Writer
from survmap.records.writing.undo import record_delete

__all__ = [
    "MergePreview",
    "MergeRefused",
    "MergeUndoRefused",
    "agency_merge",
    "merge_preview",
    "merge_undo",
    "merge_undo_check",
    "vendor_merge",
]

# A combined partnership takes these of the other's values where its own are empty.
_FILLED = (
    ("product", ()),
    ("summary", ()),
    ("start_date", ("start_precision",)),
    ("end_date", ("end_precision",)),
    ("status_as_of_date", ("status_as_of_precision",)),
)
# The links a combined partnership takes from the other.
_PARTNERSHIP_LINKS = ("sources", "other_vendors")


class MergeRefused(ValueError):
    """Two records the merge will not make one, and why (nothing is written)."""


class MergeUndoRefused(ValueError):
    """A merge that cannot be undone without losing what was done since, and what that is."""


def _model_of(kind: str) -> type[Agency] | type[Vendor]:
    return Agency if kind == MergeKind.AGENCY else Vendor


def _label(instance: models.Model) -> str:
    return instance._meta.label_lower


def _is_history(model: type[models.Model]) -> bool:
    """simple-history's tables keep the ids a record had: they are its past, never moved."""
    return hasattr(model, "instance_type")


def _fields_of(instance: models.Model) -> dict[str, Any]:
    """The record's stored values, as JSON holds them."""
    encoder = DjangoJSONEncoder()
    values: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        value = model_field.value_from_object(instance)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | list | dict | type(None)):
            value = encoder.default(value)
        values[model_field.attname] = value
    return values


def _links_of(instance: models.Model) -> dict[str, list[Any]]:
    return {
        m2m.name: sorted(getattr(instance, m2m.name).values_list("pk", flat=True))
        for m2m in instance._meta.many_to_many
    }


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        "model": _label(instance),
        "pk": instance.pk,
        "fields": _fields_of(instance),
        "links": _links_of(instance),
    }


def _rebuild(model: type[models.Model], snapshot: dict[str, Any], reason: str) -> models.Model:
    """A deleted record back under its own id, as the snapshot has it, links too."""
    instance = model()
    for model_field in model._meta.concrete_fields:
        if model_field.attname in snapshot["fields"]:
            value = snapshot["fields"][model_field.attname]
            setattr(instance, model_field.attname, model_field.to_python(value))
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(force_insert=True)
    # auto_now_add / auto_now stamped the new row: its own times come back.
    stamps = {
        name: _field(model, name).to_python(snapshot["fields"][name])
        for name in ("created_at", "updated_at")
        if name in snapshot["fields"]
    }
    if stamps:
        model._default_manager.filter(pk=instance.pk).update(**stamps)
    for name, keys in snapshot["links"].items():
        getattr(instance, name).set(keys)
    return instance


def _mark(instance: Any, reason: str) -> None:
    """The reason simple-history writes with the record's next history entry."""
    instance._change_reason = reason


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _save(instance: models.Model, reason: str) -> None:
    """One row saved in a savepoint: a row the database refuses (a unique rule: the kept
    record has the same already) refuses the merge, saying which."""
    instance._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise MergeRefused(
            f"{instance._meta.verbose_name} {instance.pk} ({instance}) cannot move: the record "
            f"that stays has one like it already ({error}). Settle that one first."
        ) from error


@dataclass
class _Merge:
    """What a merge does, step by step (written to `RecordMerge.state`)."""

    reason: str
    writer: Writer
    steps: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: list[str] = field(default_factory=list)

    def count(self, model: type[models.Model], number: int = 1) -> None:
        self.counts[str(model._meta.verbose_name_plural)] += number


def _move_references(run: _Merge, old: models.Model, new: models.Model) -> None:
    """Every row of any app that points at `old`, pointed at `new` (with history); every link
    to `old`, a link to `new`."""
    for relation in old._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        model: Any = relation.related_model
        remote: Any = relation.field  # type: ignore[union-attr]
        if _is_history(model) or model._meta.auto_created:
            continue  # history keeps the old ids; link tables are moved through their field
        if relation.many_to_many:
            owners = model._default_manager.filter(**{remote.name: old}).order_by("pk")
            for owner in owners:
                manager = getattr(owner, remote.name)
                had = manager.filter(pk=new.pk).exists()
                owner._change_reason = run.reason
                manager.remove(old)
                if not had:
                    manager.add(new)
                run.steps.append(
                    {
                        "op": "relink",
                        "model": _label(owner),
                        "pk": owner.pk,
                        "field": remote.name,
                        "from": old.pk,
                        "to": new.pk,
                        "added": not had,
                    }
                )
                run.count(model)
            continue
        rows = model._default_manager.filter(**{remote.name: old}).order_by("pk")
        for row in rows:
            setattr(row, remote.attname, new.pk)
            _save(row, run.reason)
            run.steps.append(
                {
                    "op": "move",
                    "model": _label(row),
                    "pk": row.pk,
                    "field": remote.attname,
                    "from": old.pk,
                    "to": new.pk,
                }
            )
            run.count(model)


# What import sources said of the removed record.

_NOT_REMEMBERED = {"id", "provenance", "created_at", "updated_at", "normalized_name", "name_key"}


def _remember_sources(run: _Merge, kept: models.Model, removed: models.Model) -> None:
    """Where an import source wrote a value of the removed record that the kept one does not
    have, the kept record remembers it as that source's word (provenance's "w"), as it would
    had a person changed it: a later import of that source that still says the same is
    skipped quietly instead of making a conflict for a moderator."""
    if not hasattr(kept, "provenance"):
        return
    added: list[list[Any]] = []
    if not isinstance(kept.provenance, dict):
        kept.provenance = {}
    data = kept.provenance
    now = provenance.now(run.writer)
    for model_field in kept._meta.concrete_fields:
        name = model_field.name
        if name in _NOT_REMEMBERED:
            continue
        found = provenance.last_writer(removed, name)
        if found is None or not provenance.is_import(found[0]):
            continue
        value = getattr(removed, model_field.attname)
        if value == getattr(kept, model_field.attname):
            continue
        wrote = data.setdefault("w", {}).setdefault(found[0], {})
        if name in wrote:
            continue
        wrote[name] = provenance.digest(value)
        # The kept value is the merge's choice: held as a person's edit is, so that the source
        # is asked to say something new before a moderator hears of it.
        before = provenance.last_writer(kept, name)
        mine = provenance.entry(run.writer, now)
        provenance.restore_writer(kept, name, mine)
        added.append([found[0], name, wrote[name], before, mine])
    if added:
        kept.provenance = data
        type(kept)._default_manager.filter(pk=kept.pk).update(provenance=data)
        run.steps.append(
            {"op": "remembered", "model": _label(kept), "pk": kept.pk, "entries": added}
        )


# Partnerships that say the same thing once the two records are one.


def _same_key(partnership: Partnership, kind: str) -> tuple[Any, ...]:
    if kind == MergeKind.AGENCY:
        return (partnership.technology_id, partnership.vendor_id)
    return (partnership.agency_id, partnership.technology_id)


def _pairs(
    kept: models.Model, removed: models.Model, kind: str
) -> tuple[list[tuple[Partnership, Partnership]], list[tuple[list[Partnership], Partnership, str]]]:
    """The removed record's partnerships that are one of the kept record's (to combine), and
    those that say the same thing but are left apart (with why), for the preview and the merge."""
    link = "agency" if kind == MergeKind.AGENCY else "vendor"
    ours: dict[tuple[Any, ...], list[Partnership]] = defaultdict(list)
    for partnership in Partnership.objects.filter(**{link: kept}).order_by("pk"):
        ours[_same_key(partnership, kind)].append(partnership)
    theirs: dict[tuple[Any, ...], list[Partnership]] = defaultdict(list)
    for partnership in Partnership.objects.filter(**{link: removed}).order_by("pk"):
        theirs[_same_key(partnership, kind)].append(partnership)
    combine: list[tuple[Partnership, Partnership]] = []
    apart: list[tuple[list[Partnership], Partnership, str]] = []
    for key, removed_ones in theirs.items():
        kept_ones = ours.get(key, [])
        if not kept_ones:
            continue
        for other in removed_ones:
            if len(kept_ones) > 1 or len(removed_ones) > 1:
                why = "several of each side: which is which is a moderator's choice"
            elif kept_ones[0].atlas_id and other.atlas_id:
                why = "both are rows of a source (two row numbers)"
            elif not _starts_agree(kept_ones[0], other):
                why = "they start at different dates"
            else:
                combine.append((kept_ones[0], other))
                continue
            apart.append((kept_ones, other, why))
    return combine, apart


def _starts_agree(one: Partnership, other: Partnership) -> bool:
    if one.start_date is None or other.start_date is None:
        return True
    return (one.start_date, one.start_precision) == (other.start_date, other.start_precision)


def _combine(run: _Merge, kept: Partnership, other: Partnership) -> None:
    """`other` folded into `kept` (see the module's docstring); `other` is deleted."""
    snapshot = _snapshot(other)
    before = _fields_of(kept)
    kept_provenance = copy.deepcopy(kept.provenance or {})
    _move_references(run, other, kept)  # policy events, checks, submissions, observations
    added: dict[str, list[Any]] = {}
    for name in _PARTNERSHIP_LINKS:
        have = set(getattr(kept, name).values_list("pk", flat=True))
        new = [pk for pk in snapshot["links"][name] if pk not in have]
        if name == "other_vendors":
            new = [pk for pk in new if pk != kept.vendor_id]
        added[name] = new
    changed: list[str] = []
    for name, companions in _FILLED:
        if getattr(kept, name) in (None, "") and getattr(other, name) not in (None, ""):
            for attname in (name, *companions):
                setattr(kept, attname, getattr(other, attname))
            changed.append(name)
    if kept.start_date and kept.end_date and kept.end_date < kept.start_date:
        # Dates of two records that do not make one period: the kept record's own stand.
        for name in ("start_date", "end_date"):
            if name in changed:
                changed.remove(name)
                for attname in _attnames([name]):
                    setattr(kept, attname, before[attname])
    _remember_sources(run, kept, other)
    number = other.atlas_id if other.atlas_id and not kept.atlas_id else None
    reason = run.reason
    record_delete(instance=other, reason=f"Combined into partnership {kept.pk}: {reason}"[:100])
    if number:
        kept.atlas_id = number
        changed.append("atlas_id")
    # The other's links keep who set them, for the merge policy of later imports.
    for name, keys in added.items():
        for key in keys:
            found = provenance.last_writer(other, f"{name}:{key}")
            if found is not None:
                provenance.restore_writer(kept, f"{name}:{key}", found)
    _save(kept, reason)
    for name, keys in added.items():
        if keys:
            kept._change_reason = reason  # type: ignore[attr-defined]
            getattr(kept, name).add(*keys)
    run.steps.append(
        {
            "op": "combine",
            "kept": kept.pk,
            "removed": snapshot,
            "added": added,
            "fields": {name: before[name] for name in _attnames(changed)},
            "provenance": kept_provenance,
        }
    )
    run.counts["partnerships combined"] += 1


def _attnames(names: Iterable[str]) -> list[str]:
    companions = dict(_FILLED)
    found: list[str] = []
    for name in names:
        found += [name, *companions.get(name, ())]
    return found


# Aliases.


def _alias_model(kind: str) -> tuple[type[AgencyAlias] | type[VendorAlias], str]:
    return (AgencyAlias, "agency") if kind == MergeKind.AGENCY else (VendorAlias, "vendor")


def _add_alias(run: _Merge, owner: models.Model, kind: str, name: str, note: str) -> None:
    """`name` as another name of `owner`, unless it is its name already or an alias it has."""
    model, link = _alias_model(kind)
    key = model.key_of(name)
    own_key = (
        owner.name_key  # type: ignore[attr-defined]
        if kind == MergeKind.AGENCY
        else VendorAlias.key_of(owner.name)  # type: ignore[attr-defined]
    )
    if not key or key == own_key:
        return
    if kind == MergeKind.VENDOR:
        holder = VendorAlias.objects.filter(name_key=key).select_related("vendor").first()
        if holder is not None:
            if holder.vendor_id != owner.pk:
                run.notes.append(f"{name!r} is a known name of {holder.vendor} already; left so.")
            return
    elif AgencyAlias.objects.filter(agency_id=owner.pk, name_key=key).exists():
        return
    alias = model(**{link: owner}, name=name, source=AliasSource.MERGE, note=note[:200])
    alias.full_clean()
    _mark(alias, run.reason)
    alias.save()
    run.steps.append({"op": "alias", "model": _label(alias), "pk": alias.pk})
    run.counts["names kept as aliases"] += 1


def _drop_shared_aliases(run: _Merge, kept: models.Model, removed: models.Model) -> None:
    """An agency alias of the removed record that the kept one has too: one is enough."""
    if not isinstance(removed, Agency):
        return
    have = set(AgencyAlias.objects.filter(agency_id=kept.pk).values_list("name_key", flat=True))
    for alias in AgencyAlias.objects.filter(agency=removed, name_key__in=have).order_by("pk"):
        run.steps.append({"op": "alias_drop", "snapshot": _snapshot(alias)})
        record_delete(instance=alias, reason=run.reason)


def alias_add(
    *, record: Agency | Vendor, name: str, source: str, note: str = "", reason: str = ""
) -> AgencyAlias | VendorAlias | None:
    """`name` as another name of an agency or vendor (with history), unless it is its own name
    or a name it has; None then. A vendor's alias names one vendor: a name another vendor holds
    is refused (`MergeRefused`)."""
    kind = MergeKind.AGENCY if isinstance(record, Agency) else MergeKind.VENDOR
    model, link = _alias_model(kind)
    key = model.key_of(name)
    own = record.name_key if isinstance(record, Agency) else VendorAlias.key_of(record.name)
    if not key or key == own:
        return None
    if kind == MergeKind.VENDOR:
        holder = VendorAlias.objects.filter(name_key=key).first()
        if holder is not None:
            if holder.vendor_id != record.pk:
                raise MergeRefused(f"{name!r} is a known name of vendor {holder.vendor_id}.")
            return None
    elif AgencyAlias.objects.filter(agency_id=record.pk, name_key=key).exists():
        return None
    alias = model(**{link: record}, name=name, source=source, note=note[:200])
    alias.full_clean()
    _mark(alias, (reason or "Alias added")[:100])
    alias.save()
    return alias


# The merge.


def _refusal(kind: str, kept: models.Model, removed: models.Model) -> str:
    if kept.pk == removed.pk:
        return "Pick two different records: a record cannot be merged into itself."
    if isinstance(kept, Agency) and isinstance(removed, Agency):
        if kept.state_id != removed.state_id:
            return (
                f"{kept} and {removed} are in two states: agencies of two states are two "
                "agencies (an alias is found within its agency's state)."
            )
        if kept.ori and removed.ori and kept.ori[:7] != removed.ori[:7]:
            return (
                f"{kept} has ORI {kept.ori} and {removed} has ORI {removed.ori}: two ORIs are "
                "two agencies."
            )
    if (
        isinstance(kept, Vendor)
        and isinstance(removed, Vendor)
        and (kept.parent_id == removed.pk or removed.parent_id == kept.pk)
    ):
        return f"One of {kept} and {removed} owns the other: two companies, not two names of one."
    return ""


def _merge(
    *,
    kind: str,
    kept: models.Model,
    removed: models.Model,
    writer: Writer,
    reason: str,
    name_is_agency: Agency | None = None,
) -> RecordMerge:
    reason = " ".join((reason or "").split())
    if not reason:
        raise MergeRefused("Say why the two records are one (the reason is kept with the merge).")
    with transaction.atomic():
        model = _model_of(kind)
        # Both read again under the transaction: a page's copy may be stale or deleted.
        kept = model._default_manager.select_for_update().filter(pk=kept.pk).first()  # type: ignore[assignment]
        removed = model._default_manager.select_for_update().filter(pk=removed.pk).first()  # type: ignore[assignment]
        if kept is None or removed is None:
            raise MergeRefused("One of the two records no longer exists.")
        refused = _refusal(kind, kept, removed)
        if refused:
            raise MergeRefused(refused)
        merge = RecordMerge.objects.create(
            kind=kind,
            kept_id=kept.pk,
            kept_name=str(kept.name)[:200],  # type: ignore[attr-defined]
            removed_id=removed.pk,
            removed_name=str(removed.name)[:200],  # type: ignore[attr-defined]
            reason=reason[:200],
            merged_by_id=writer.user_id,
            merged_by_label=writer.label[:200],
        )
        run = _Merge(reason=f"Merge {merge.pk}: {reason}"[:100], writer=writer)
        snapshot = _snapshot(removed)
        combine, apart = _pairs(kept, removed, kind)
        for ours, theirs in combine:
            _combine(run, ours, theirs)
        for kept_ones, other, why in apart:
            run.notes.append(
                f"Partnership {other.pk} says the same as "
                f"{', '.join(str(p.pk) for p in kept_ones)}; both kept: {why}."
            )
        _drop_shared_aliases(run, kept, removed)
        _remember_sources(run, kept, removed)
        if isinstance(kept, Agency) and isinstance(removed, Agency):
            added = sorted(
                set(removed.counties.values_list("pk", flat=True))
                - set(kept.counties.values_list("pk", flat=True))
            )
            if added:
                kept._change_reason = run.reason  # type: ignore[attr-defined]
                kept.counties.add(*added)  # type: ignore[arg-type]
                run.steps.append({"op": "counties", "pk": kept.pk, "added": added})
        _move_references(run, removed, kept)
        # A partnership whose vendor is now the kept one names it as another vendor no more.
        if isinstance(kept, Vendor):
            relinked = {
                step["pk"]: step
                for step in run.steps
                if step["op"] == "relink"
                and step["model"] == "records.partnership"
                and step["field"] == "other_vendors"
                and step["added"]
            }
            for partnership in Partnership.objects.filter(vendor=kept, other_vendors=kept):
                partnership._change_reason = run.reason  # type: ignore[attr-defined]
                partnership.other_vendors.remove(kept)
                if partnership.pk in relinked:
                    # The merge linked it a moment ago: it was never linked, then.
                    relinked[partnership.pk]["added"] = False
                    continue
                run.steps.append(
                    {
                        "op": "unlink",
                        "model": "records.partnership",
                        "pk": partnership.pk,
                        "field": "other_vendors",
                        "key": kept.pk,
                    }
                )
        record_delete(instance=removed, reason=run.reason)
        _take_values(run, kept, removed)
        name = str(removed.name)  # type: ignore[attr-defined]
        note = f"The name of {model._meta.verbose_name} {removed.pk}, merged (merge {merge.pk})"
        if name_is_agency is not None:
            _add_alias(run, name_is_agency, MergeKind.AGENCY, name, note)
        else:
            _add_alias(run, kept, kind, name, note)
        merge.state = {"removed": snapshot, "steps": run.steps}
        merge.summary = {"counts": dict(run.counts), "notes": run.notes}
        merge.save(update_fields=["state", "summary", "updated_at"])
        data_version.changed()
    return merge


# What the kept record takes of the removed one's values: what it lacks, and every credit owed.
_TAKEN = {Agency: ("ori", "city"), Vendor: ("website", "parent")}


def _take_values(run: _Merge, kept: models.Model, removed: models.Model) -> None:
    changed: dict[str, tuple[Any, Any]] = {}
    for name in _TAKEN[type(kept)]:  # type: ignore[index]
        attname = kept._meta.get_field(name).attname  # type: ignore[union-attr]
        mine, theirs = getattr(kept, attname), getattr(removed, attname)
        if mine in (None, "") and theirs not in (None, "") and theirs != kept.pk:
            changed[attname] = (mine, theirs)
    credit = getattr(kept, provenance.CREDIT_FIELD, None)
    if credit is not None:
        both = provenance.credits_with(credit, getattr(removed, provenance.CREDIT_FIELD))
        if both != credit:
            changed[provenance.CREDIT_FIELD] = (credit, both)
    if not changed:
        return
    for attname, (before, after) in changed.items():
        setattr(kept, attname, after)
        run.steps.append(
            {
                "op": "field",
                "model": _label(kept),
                "pk": kept.pk,
                "field": attname,
                "before": before,
                "after": after,
            }
        )
    _save(kept, run.reason)


def agency_merge(*, kept: Agency, removed: Agency, writer: Writer, reason: str) -> RecordMerge:
    """`removed` merged into `kept` (see the module's docstring). Raises `MergeRefused` with
    why, writing nothing: one agency twice, two states, two ORIs, no reason, a row another
    app will not take twice."""
    return _merge(kind=MergeKind.AGENCY, kept=kept, removed=removed, writer=writer, reason=reason)


def vendor_merge(
    *,
    kept: Vendor,
    removed: Vendor,
    writer: Writer,
    reason: str,
    name_is_agency: Agency | None = None,
) -> RecordMerge:
    """`removed` merged into `kept`. `name_is_agency`: the removed "vendor" was an agency's
    name a source wrote in its vendor column; the name becomes that agency's alias, not the
    kept vendor's."""
    return _merge(
        kind=MergeKind.VENDOR,
        kept=kept,
        removed=removed,
        writer=writer,
        reason=reason,
        name_is_agency=name_is_agency,
    )


# What a merge would do, for the admin's preview.


@dataclass
class MergePreview:
    kept: models.Model
    removed: models.Model
    refused: str
    partnerships: list[Partnership]
    combined: list[tuple[Partnership, Partnership]]
    apart: list[tuple[list[Partnership], Partnership, str]]
    sources: int
    aliases: list[str]
    others: dict[str, int]

    @property
    def rows(self) -> int:
        """How many rows the merge moves, each saved with its history."""
        return len(self.partnerships) + sum(self.others.values())


def merge_preview(*, kind: str, kept: models.Model, removed: models.Model) -> MergePreview:
    """What `agency_merge` / `vendor_merge` would move, without writing: the removed record's
    partnerships (and which would be combined or left apart), their sources, the names that
    would become aliases, and the other apps' rows that point at it, counted."""
    link = "agency" if kind == MergeKind.AGENCY else "vendor"
    partnerships = list(
        Partnership.objects.filter(**{link: removed})
        .select_related("agency", "technology", "vendor")
        .order_by("pk")
    )
    combined, apart = _pairs(kept, removed, kind)
    sources = (
        Partnership.sources.through.objects.filter(partnership__in=partnerships)
        .values("source_id")
        .distinct()
        .count()
    )
    alias_model, _ = _alias_model(kind)
    aliases = [str(removed.name)]  # type: ignore[attr-defined]
    aliases += list(
        alias_model._default_manager.filter(**{link: removed}).values_list("name", flat=True)
    )
    others: dict[str, int] = {}
    for relation in removed._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        model: Any = relation.related_model
        remote: Any = relation.field  # type: ignore[union-attr]
        if _is_history(model) or model._meta.auto_created or model is alias_model:
            continue
        if model is Partnership and remote.name == link:
            continue  # listed one by one
        number = model._default_manager.filter(**{remote.name: removed}).count()
        if number:
            label = f"{model._meta.verbose_name_plural} ({remote.verbose_name})"
            others[label] = others.get(label, 0) + number
    return MergePreview(
        kept=kept,
        removed=removed,
        refused=_refusal(kind, kept, removed),
        partnerships=partnerships,
        combined=combined,
        apart=apart,
        sources=sources,
        aliases=aliases,
        others=others,
    )


# Undo.


def _row(label: str, pk: Any) -> models.Model | None:
    model = apps.get_model(label)
    return model._default_manager.filter(pk=pk).first()


def _edited_since(instance: models.Model, merge: RecordMerge, reason: str) -> bool:
    """Whether the record's history has an entry after the merge that the merge did not write."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return False
    return (
        history.filter(id=instance.pk, history_date__gt=merge.created_at)
        .exclude(history_change_reason__startswith=reason[:40])
        .exists()
    )


def merge_undo_check(merge: RecordMerge) -> list[str]:
    """Why the merge cannot be undone exactly (empty: it can): what was changed since that an
    undo would overwrite, and what now stands in the way of bringing the removed record back."""
    if merge.is_undone:
        return [f"Merge {merge.pk} was undone on {merge.undone_at:%Y-%m-%d %H:%M} already."]
    model = _model_of(merge.kind)
    reason = f"Merge {merge.pk}:"
    problems: list[str] = []
    kept = model._default_manager.filter(pk=merge.kept_id).first()
    if kept is None:
        problems.append(f"{merge.kept_name} (id {merge.kept_id}) was deleted since.")
    if model._default_manager.filter(pk=merge.removed_id).exists():
        problems.append(f"Id {merge.removed_id} is in use again.")
    fields = merge.state.get("removed", {}).get("fields", {})
    if model is Agency:
        clash = Agency.objects.filter(
            normalized_name=normalize_name(fields.get("name", "")), state_id=fields.get("state_id")
        ).first()
        if clash is not None:
            problems.append(f"{clash} has the removed agency's name now (id {clash.pk}).")
    else:
        clash_vendor = Vendor.objects.filter(
            models.Q(name=fields.get("name")) | models.Q(slug=fields.get("slug"))
        ).first()
        if clash_vendor is not None:
            problems.append(f"Vendor {clash_vendor} has the removed vendor's name or address now.")
    for step in merge.state.get("steps", []):
        problems += _step_problems(step, merge, reason)
    return problems


def _step_problems(step: dict[str, Any], merge: RecordMerge, reason: str) -> list[str]:
    op = step["op"]
    if op == "move":
        row = _row(step["model"], step["pk"])
        if row is None:
            return [f"{step['model']} {step['pk']}, moved by the merge, was deleted since."]
        if getattr(row, step["field"]) != step["to"]:
            name = step["field"].removesuffix("_id")
            return [
                f"{row._meta.verbose_name} {row.pk} ({row}): its {name} was changed since the "
                "merge."
            ]
    elif op == "relink":
        row = _row(step["model"], step["pk"])
        if row is None:
            return [f"{step['model']} {step['pk']}, relinked by the merge, was deleted since."]
        if step["added"] and not getattr(row, step["field"]).filter(pk=step["to"]).exists():
            return [f"{row._meta.verbose_name} {row.pk}: its {step['field']} were changed since."]
    elif op == "combine":
        kept = Partnership.objects.filter(pk=step["kept"]).first()
        if kept is None:
            return [f"Partnership {step['kept']}, combined by the merge, was deleted since."]
        if Partnership.objects.filter(pk=step["removed"]["pk"]).exists():
            return [f"Partnership id {step['removed']['pk']} is in use again."]
        if _edited_since(kept, merge, reason):
            return [
                f"Partnership {kept.pk} ({kept}), which the merge combined with partnership "
                f"{step['removed']['pk']}, was edited since."
            ]
    elif op == "field":
        row = _row(step["model"], step["pk"])
        if row is not None and getattr(row, step["field"]) != step["after"]:
            label = _field(type(row), step["field"].removesuffix("_id")).verbose_name
            return [f"{row}: its {label} was changed since the merge."]
    elif op == "alias":
        alias = _row(step["model"], step["pk"])
        if alias is not None and _edited_since(alias, merge, reason):
            return [f"The alias {alias.name!r} was edited since."]  # type: ignore[attr-defined]
    return []


def merge_undo(*, merge: RecordMerge, writer: Writer, reason: str = "") -> RecordMerge:
    """Take the merge back exactly: the removed record again under its own id, every row and
    link it moved moved back, combined partnerships apart again, the aliases it added removed.
    Raises `MergeUndoRefused` (writing nothing) when something was changed since that the undo
    would overwrite, listing what."""
    with transaction.atomic():
        merge = RecordMerge.objects.select_for_update().get(pk=merge.pk)
        problems = merge_undo_check(merge)
        if problems:
            raise MergeUndoRefused(
                f"Merge {merge.pk} ({merge}) cannot be undone without losing later work: "
                + " ".join(problems)
                + " Undo those changes first."
            )
        why = " ".join((reason or "").split())
        history_reason = f"Undo of merge {merge.pk}" + (f": {why}" if why else "")
        history_reason = history_reason[:100]
        model = _model_of(merge.kind)
        _rebuild(model, merge.state["removed"], history_reason)
        for step in reversed(merge.state.get("steps", [])):
            _undo_step(step, history_reason)
        merge.undone_at = timezone.now()
        merge.undone_by_id = writer.user_id
        merge.undo_reason = why[:200]
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason", "updated_at"])
        data_version.changed()
    return merge


def _undo_step(step: dict[str, Any], reason: str) -> None:
    op = step["op"]
    if op == "move":
        row = _row(step["model"], step["pk"])
        assert row is not None  # merge_undo_check
        setattr(row, step["field"], step["from"])
        row._change_reason = reason  # type: ignore[attr-defined]
        row.save()
    elif op == "relink":
        row = _row(step["model"], step["pk"])
        assert row is not None
        row._change_reason = reason  # type: ignore[attr-defined]
        manager = getattr(row, step["field"])
        if step["added"]:
            manager.remove(step["to"])
        manager.add(step["from"])
    elif op == "unlink":
        row = _row(step["model"], step["pk"])
        if row is not None:
            row._change_reason = reason  # type: ignore[attr-defined]
            getattr(row, step["field"]).add(step["key"])
    elif op == "combine":
        kept = Partnership.objects.get(pk=step["kept"])
        for name, keys in step["added"].items():
            if keys:
                kept._change_reason = reason  # type: ignore[attr-defined]
                getattr(kept, name).remove(*keys)
        for attname, value in step["fields"].items():
            model_field: Any = Partnership._meta.get_field(attname)
            setattr(kept, attname, model_field.to_python(value))
        kept.provenance = step["provenance"]
        kept._change_reason = reason  # type: ignore[attr-defined]
        if "atlas_id" in step["fields"]:
            # The number goes back to the partnership that had it, which needs it free first.
            kept.save()
        _rebuild(Partnership, step["removed"], reason)
        kept._change_reason = reason  # type: ignore[attr-defined]
        kept.save()
    elif op == "alias":
        alias = _row(step["model"], step["pk"])
        if alias is not None:
            record_delete(instance=alias, reason=reason)
    elif op == "remembered":
        row = _row(step["model"], step["pk"])
        if row is not None:
            data = row.provenance or {}  # type: ignore[attr-defined]
            for source, name, value, *writers in step["entries"]:
                wrote = data.get("w", {}).get(source, {})
                if wrote.get(name) == value:
                    del wrote[name]
                if writers and provenance.last_writer(row, name) == writers[1]:
                    provenance.restore_writer(row, name, writers[0])
            type(row)._default_manager.filter(pk=row.pk).update(provenance=data)
    elif op == "alias_drop":
        _rebuild(apps.get_model(step["snapshot"]["model"]), step["snapshot"], reason)
    elif op == "counties":
        agency = Agency.objects.get(pk=step["pk"])
        agency._change_reason = reason  # type: ignore[attr-defined]
        agency.counties.remove(*step["added"])
    elif op == "field":
        row = _row(step["model"], step["pk"])
        if row is not None:
            setattr(row, step["field"], step["before"])
            _mark(row, reason)
            row.save()
