"""Every write to the public record goes through here: importers, approvals, undo and the admin
hand plans (plans.py) to `plan_apply` / `plans_apply`, or a person's edit to `record_edit`, and
the same validation (the model's `full_clean`), history, provenance and merge policy
(provenance.py) apply whoever writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import get_m2m_reverse_field_name

from survmap.common import data_version
from survmap.common.dates import PartialDate
from survmap.geo.models import County, State
from survmap.records import provenance
from survmap.records.models import (
    Agency,
    AgencyKind,
    Conflict,
    ConflictStatus,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)
from survmap.records.normalize import normalize_name
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Applied,
    ApplyReport,
    ConflictNote,
    LaterChange,
    Match,
    Outcome,
    PartnershipPlan,
    Plan,
    PlannedRow,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
    given,
)

__all__ = [
    "Outcome",
    "conflict_settle",
    "journal_revert",
    "plan_apply",
    "plans_apply",
    "record_edit",
]

Checkpoint = Callable[[str], None]


# What a plan sets, by model field name: the one translation from plans to records, shared by
# the per-row and the bulk path. A plan field named like a model field is copied as it is.


def _plain(plan: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in names if given(getattr(plan, name))}


def _partial(prefix: str, value: PartialDate | None, *, end: bool = False) -> dict[str, Any]:
    if value is None:
        return {f"{prefix}_date": None, f"{prefix}_precision": ""}
    return {
        f"{prefix}_date": value.last_day() if end else value.first_day(),
        f"{prefix}_precision": value.precision,
    }


def _copied(plan: type, model: type[models.Model], *, special: set[str]) -> tuple[str, ...]:
    """The plan's fields named like a field of the model: copied as they are. A new plain
    field on the model and the plan needs nothing here."""
    names = {field.name for field in model._meta.concrete_fields}
    return tuple(
        item.name
        for item in dataclasses.fields(plan)
        if item.name in names and item.name not in special
    )


AGENCY_FIELDS = _copied(AgencyPlan, Agency, special={"name", "state"})
SOURCE_FIELDS = _copied(SourcePlan, Source, special={"url"})
PARTNERSHIP_FIELDS = _copied(
    PartnershipPlan, Partnership, special={"agency", "technology", "vendor", "atlas_id"}
)


def agency_values(plan: AgencyPlan) -> dict[str, Any]:
    values = _plain(plan, AGENCY_FIELDS)
    if plan.pk is not None:
        values.update(_plain(plan, ("name",)))
        if given(plan.state):
            values["state_id"] = plan.state
    return values


def source_values(plan: SourcePlan) -> dict[str, Any]:
    values = _plain(plan, SOURCE_FIELDS)
    if given(plan.published):
        published = plan.published
        values.update(_partial("published", published))  # type: ignore[arg-type]
    return values


def partnership_values(
    plan: PartnershipPlan,
    *,
    agency: Agency | None = None,
    technology: Technology | None = None,
    vendor: Vendor | Any | None = UNSET,
) -> dict[str, Any]:
    values = _plain(plan, PARTNERSHIP_FIELDS)
    if given(plan.atlas_id):
        values["atlas_id"] = plan.atlas_id or None
    if given(plan.status_as_of):
        values.update(_partial("status_as_of", plan.status_as_of))  # type: ignore[arg-type]
    if given(plan.start):
        values.update(_partial("start", plan.start))  # type: ignore[arg-type]
    if given(plan.end):
        values.update(_partial("end", plan.end, end=True))  # type: ignore[arg-type]
    if agency is not None:
        values["agency"] = agency
    if technology is not None:
        values["technology"] = technology
    if given(vendor):
        values["vendor"] = vendor
    return values


def _plan_credit(plan: Any) -> str:
    return plan.attribution if given(getattr(plan, "attribution", UNSET)) else ""


# Finding records: one definition each, the bulk path's caches follow the same rules.


def agency_find(plan: AgencyPlan) -> Agency | None:
    if plan.pk is not None:
        return Agency.objects.get(pk=plan.pk)
    if not given(plan.name) or not given(plan.state):
        raise ValueError("An agency plan needs an id, or a name and a state.")
    return Agency.objects.filter(
        normalized_name=normalize_name(plan.name),  # type: ignore[arg-type]
        state_id=plan.state,
    ).first()


def source_find(plan: SourcePlan) -> Source | None:
    if plan.pk is not None:
        return Source.objects.get(pk=plan.pk)
    url = (plan.url or "").strip() or None
    if url is not None:
        return Source.objects.filter(url=url).first()
    title = plan.title if given(plan.title) else ""
    publisher = plan.publisher if given(plan.publisher) else ""
    return (
        Source.objects.filter(url__isnull=True, title=title, publisher=publisher)
        .order_by("pk")
        .first()
    )


def partnership_find(
    plan: PartnershipPlan,
    *,
    agency: Agency,
    technology: Technology | None,
    vendor: Vendor | None,
) -> tuple[Partnership | None, bool]:
    """The partnership a plan is about, and whether it was adopted: found by id, by Atlas id,
    else (the one definition of "adopt an unnumbered partnership") by agency, technology and
    vendor, without an Atlas id unless the plan's `match` takes any."""
    if plan.pk is not None:
        return Partnership.objects.get(pk=plan.pk), False
    atlas_id = plan.atlas_id if given(plan.atlas_id) else None
    if atlas_id:
        found = Partnership.objects.filter(atlas_id=atlas_id).first()
        if found is not None:
            return found, False
    if technology is None or agency.pk is None or plan.match == Match.NEW:
        return None, False
    same = Partnership.objects.filter(agency=agency, technology=technology, vendor=vendor)
    if plan.match != Match.ANY or atlas_id:
        same = same.filter(atlas_id__isnull=True)
    if plan.match == Match.SAME_START:
        start = plan.start if isinstance(plan.start, PartialDate) else None
        same = same.filter(
            start_date=start.first_day() if start else None,
            start_precision=start.precision if start else "",
        )
    found = same.order_by("pk").first()
    return found, found is not None and bool(atlas_id)


# Writing one record: the merge policy field by field, then full_clean and save.


@dataclass
class _Run:
    """One plan's writing: who, when, and what it did."""

    writer: Writer
    when: dt.datetime
    line: int | None = None
    validate_constraints: bool = True
    changes: list[str] = field(default_factory=list)
    conflicts: list[ConflictNote] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    public_change: bool = False


def _current(instance: models.Model, name: str) -> tuple[Any, str]:
    model_field = instance._meta.get_field(name)
    attname = model_field.attname  # type: ignore[union-attr]
    return getattr(instance, attname), attname


def _comparable(instance: models.Model, name: str, value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def _conflict(run: _Run, instance: models.Model, name: str, ours: Any, theirs: Any) -> None:
    found = provenance.last_writer(instance, name)
    note = ConflictNote(
        model=instance._meta.label_lower,
        pk=instance.pk,
        field=name,
        ours=provenance.encode(ours),
        theirs=provenance.encode(theirs),
        set_by=provenance.describe(found),
    )
    run.conflicts.append(note)
    provenance.note_source_value(instance, name, theirs, run.writer)
    Conflict.objects.create(
        record_model=note.model,
        record_id=note.pk,
        field=name,
        ours=note.ours,
        theirs=note.theirs,
        set_by=note.set_by[:200],
        source=run.writer.key.removeprefix("import:")[:200],
        label=run.writer.label[:200],
        line=run.line,
    )


def _write(
    run: _Run,
    instance: models.Model,
    values: Mapping[str, Any],
    *,
    credit: str = "",
    force: bool = False,
) -> tuple[bool, list[str]]:
    """Set the values the policy lets this writer set, validate and save. Returns whether the
    record was created and the fields it changed."""
    creating = instance.pk is None
    if creating:
        for name, value in values.items():
            setattr(instance, name, value)
        # The creator stands for every field and link it set (provenance.last_writer).
        provenance.set_creator(instance, provenance.entry(run.writer, run.when))
        _save(instance, run, reason=run.writer.history_reason)
        run.journal.append(
            {"model": instance._meta.label_lower, "pk": instance.pk, "created": True, "fields": {}}
        )
        run.public_change = True
        return True, list(values)
    changed: dict[str, list[Any]] = {}
    noted = False
    for name, value in values.items():
        current, attname = _current(instance, name)
        wanted = _comparable(instance, name, value)
        decision = provenance.decide(instance, name, current, wanted, run.writer, credit=credit)
        if force and decision != "same":
            decision = "write"
        if decision == "write":
            before, after = provenance.set_writer(instance, name, run.writer, run.when, current)
            changed[name] = [
                provenance.jsonable(current),
                provenance.jsonable(wanted),
                before,
                after,
            ]
            setattr(instance, attname, wanted)
        elif decision == "conflict":
            _conflict(run, instance, name, current, wanted)
            noted = True
    if changed or noted:
        _save(instance, run, reason=run.writer.history_reason)
    if changed:
        run.journal.append(
            {
                "model": instance._meta.label_lower,
                "pk": instance.pk,
                "created": False,
                "fields": changed,
            }
        )
        run.public_change = True
    return False, list(changed)


def _save(instance: models.Model, run: _Run | None = None, *, reason: str) -> None:
    instance.full_clean(validate_constraints=run.validate_constraints if run else True)
    instance._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    instance.save()


def _link(
    run: _Run,
    instance: models.Model,
    link: str,
    *,
    add: Mapping[str, Any] | None = None,
    remove: Mapping[str, Any] | None = None,
    credit: str = "",
) -> tuple[int, int]:
    """Link or unlink records (keyed by their key: a FIPS code, a source id) under the same
    policy as fields, each link being a field named '<link>:<key>'. Returns (added, removed)."""
    manager = getattr(instance, link)
    creating = provenance.created_by(instance) == provenance.entry(run.writer, run.when)
    linked = {str(key) for key in manager.values_list("pk", flat=True)}
    to_add, to_remove = [], []
    fields: dict[str, list[Any]] = {}
    noted = False
    for key, obj in (add or {}).items():
        name = f"{link}:{key}"
        decision = provenance.decide(instance, name, key in linked, True, run.writer, credit=credit)
        if decision == "write":
            to_add.append(obj)
            if creating:
                continue  # part of the record's creation
            before, after = provenance.set_writer(instance, name, run.writer, run.when, False)
            fields[name] = [False, True, before, after]
            linked.add(key)
        elif decision == "conflict":
            _conflict(run, instance, name, False, True)
            noted = True
    for key, obj in (remove or {}).items():
        if key not in linked:
            continue
        name = f"{link}:{key}"
        before, after = provenance.set_writer(instance, name, run.writer, run.when, True)
        fields[name] = [True, False, before, after]
        to_remove.append(obj)
    instance._change_reason = run.writer.history_reason  # type: ignore[attr-defined]
    if to_add or to_remove:
        # The provenance first, without a history entry of its own: the link change right
        # after writes the entry, with the links and this provenance.
        type(instance)._default_manager.filter(pk=instance.pk).update(
            provenance=instance.provenance  # type: ignore[attr-defined]
        )
    elif fields or noted:
        instance.save(update_fields=["provenance", "updated_at"])
    if to_add:
        manager.add(*to_add)
    if to_remove:
        manager.remove(*to_remove)
    if fields:
        run.journal.append(
            {
                "model": instance._meta.label_lower,
                "pk": instance.pk,
                "created": False,
                "fields": fields,
            }
        )
        run.public_change = True
    return len(to_add), len(to_remove)


# Applying plans.


def _counties(fips: Sequence[str]) -> dict[str, County]:
    counties = {county.fips: county for county in County.objects.filter(fips__in=set(fips))}
    missing = set(fips) - set(counties)
    if missing:
        raise ValueError(f"Unknown county FIPS code(s): {', '.join(sorted(missing))}")
    return {code: counties[code] for code in dict.fromkeys(fips)}


def _apply_agency(run: _Run, plan: AgencyPlan) -> Agency:
    agency = agency_find(plan)
    add = _counties(plan.add_counties)
    remove = _counties(plan.remove_counties) if plan.remove_counties else {}
    credit = _plan_credit(plan)
    if agency is None:
        agency = Agency(name=plan.name, state_id=plan.state)  # type: ignore[misc]
        _write(run, agency, agency_values(plan))
        _link(run, agency, "counties", add=add)
        return agency
    _, fields = _write(run, agency, agency_values(plan), credit=credit)
    added, removed = _link(run, agency, "counties", add=add, remove=remove, credit=credit)
    if fields or added or removed:
        run.changes.append(f"agency {agency.name} updated")
    return agency


def _apply_source(run: _Run, plan: SourcePlan) -> Source:
    source = source_find(plan)
    values = source_values(plan)
    if source is None:
        source = Source(url=(plan.url or "").strip() or None)
        _write(run, source, values)
        run.changes.append(f"source {source} created")
        return source
    _, fields = _write(run, source, values, credit=_plan_credit(plan))
    if fields:
        run.changes.append(f"source {source} updated")
    return source


def _technology(run: _Run, ref: TechnologyRef) -> Technology:
    technology, outcome = technology_get_or_create(
        name=ref.name, slug=ref.slug, category=ref.category, reason=run.writer.history_reason
    )
    if outcome == Outcome.CREATED:
        run.changes.append(f"technology {technology.name} created")
        run.journal.append(_created(technology))
    return technology


def _vendor(run: _Run, ref: VendorRef) -> Vendor:
    vendor, outcome = vendor_get_or_create(
        name=ref.name, slug=ref.slug, reason=run.writer.history_reason
    )
    if outcome == Outcome.CREATED:
        run.changes.append(f"vendor {vendor.name} created")
        run.journal.append(_created(vendor))
    return vendor


def _created(instance: models.Model) -> dict[str, Any]:
    return {"model": instance._meta.label_lower, "pk": instance.pk, "created": True, "fields": {}}


def _apply_partnership(
    run: _Run, plan: PartnershipPlan, checkpoint: Checkpoint
) -> tuple[Partnership, Outcome]:
    agency = _apply_agency(run, plan.agency)
    checkpoint("agency")
    technology = _technology(run, plan.technology) if given(plan.technology) else None  # type: ignore[arg-type]
    vendor: Any = UNSET
    if given(plan.vendor):
        vendor = _vendor(run, plan.vendor) if plan.vendor is not None else None  # type: ignore[arg-type]
    others = {str(found.pk): found for found in (_vendor(run, ref) for ref in plan.other_vendors)}
    if vendor:
        others.pop(str(vendor.pk), None)  # 'Axon, Axon': the vendor is not also another
    sources = {
        str(source.pk): source for source in (_apply_source(run, s) for s in plan.add_sources)
    }
    checkpoint("sources")
    instance, adopted = partnership_find(
        plan, agency=agency, technology=technology, vendor=vendor or None
    )
    credit = _plan_credit(plan)
    values = partnership_values(plan, agency=agency, technology=technology, vendor=vendor)
    if instance is None:
        if technology is None:
            raise ValueError("A new partnership needs a technology.")
        instance = Partnership()
        _write(run, instance, values)
        _link(run, instance, "sources", add=sources)
        _link(run, instance, "other_vendors", add=others)
        checkpoint("partnership")
        return instance, Outcome.CREATED
    if adopted:
        # Adopting is the one thing the match itself writes: the Atlas id. Every other field
        # of our record is ours, and the merge policy keeps it (noting what differs).
        _write(run, instance, {"atlas_id": values.pop("atlas_id")}, force=True)
        run.changes.append(f"adopted partnership {instance.pk}")
    _, fields = _write(run, instance, values, credit=credit)
    remove = {}
    for item in plan.remove_sources:
        found = source_find(item)
        if found is not None:
            remove[str(found.pk)] = found
    added, removed = _link(run, instance, "sources", add=sources, remove=remove, credit=credit)
    vendors_added, _ = _link(run, instance, "other_vendors", add=others, credit=credit)
    checkpoint("partnership")
    if fields:
        run.changes.append(f"partnership {', '.join(fields)} changed")
    if added:
        run.changes.append(f"partnership cites {added} more source(s)")
    if removed:
        run.changes.append(f"partnership cites {removed} fewer source(s)")
    if vendors_added:
        run.changes.append(f"partnership names {vendors_added} more vendor(s)")
    return instance, Outcome.UPDATED if run.changes else Outcome.UNCHANGED


def _no_checkpoint(stage: str) -> None:
    """No test is watching."""


def plan_apply(
    *,
    plan: Plan,
    writer: Writer,
    line: int | None = None,
    checkpoint: Checkpoint | None = None,
    validate_constraints: bool = True,
) -> Applied:
    """Apply one plan in one transaction: find or create its records, write the fields it
    supplies that the merge policy lets this writer write, link what it adds, record
    provenance and history, and note conflicts (with `line`, for an import's report).
    Validation is the model's `full_clean`; a refused plan raises ValidationError (or
    ValueError, for an unknown county) and writes nothing."""
    run = _Run(writer, provenance.now(writer), line, validate_constraints)
    with transaction.atomic():
        record: models.Model
        if isinstance(plan, PartnershipPlan):
            record, outcome = _apply_partnership(run, plan, checkpoint or _no_checkpoint)
        else:
            found = agency_find(plan) if isinstance(plan, AgencyPlan) else source_find(plan)
            record = (
                _apply_agency(run, plan)
                if isinstance(plan, AgencyPlan)
                else _apply_source(run, plan)
            )
            outcome = (
                Outcome.CREATED
                if found is None
                else Outcome.UPDATED
                if run.changes
                else Outcome.UNCHANGED
            )
    return Applied(record, outcome, run.changes, run.conflicts, run.journal)


def plans_apply(
    *,
    rows: Sequence[PlannedRow],
    writer: Writer,
    batch_size: int = 500,
    bulk: bool = True,
    progress: bool | None = False,
    checkpoint: Callable[[str, PlannedRow], None] | None = None,
) -> ApplyReport:
    """Apply many rows' plans, in file order: rows whose records are all new (or all found
    unchanged) go in bulk (multi-row inserts, history included, the same `full_clean`), the others
    through `plan_apply`, each row in a savepoint, a batch committed whole. A refused row is
    reported with its line and skipped. `checkpoint` is called at each stage of a row's writes
    (tests stop a run there)."""
    from survmap.records.bulk import BulkWriter

    return BulkWriter(
        writer=writer, batch_size=batch_size, bulk=bulk, progress=progress, checkpoint=checkpoint
    ).run(rows)


def _link_targets(instance: models.Model, link: str, items: Iterable[Any]) -> dict[str, Any]:
    related = getattr(instance, link).model
    found = {}
    for item in items:
        obj = item if isinstance(item, models.Model) else related._default_manager.get(pk=item)
        found[str(obj.pk)] = obj
    return found


def record_edit(
    *,
    instance: models.Model,
    values: Mapping[str, Any],
    writer: Writer,
    add_links: Mapping[str, Iterable[Any]] | None = None,
    remove_links: Mapping[str, Iterable[Any]] | None = None,
) -> Applied:
    """A person's edit of one record by model field names (the admin's form): validated,
    saved with history and provenance. Links are given by link field name ('sources',
    'counties') and the linked records or their keys."""
    run = _Run(writer, provenance.now(writer))
    with transaction.atomic():
        created, fields = _write(run, instance, values)
        links = set(add_links or {}) | set(remove_links or {})
        for link in sorted(links):
            _link(
                run,
                instance,
                link,
                add=_link_targets(instance, link, (add_links or {}).get(link, ())),
                remove=_link_targets(instance, link, (remove_links or {}).get(link, ())),
            )
    outcome = Outcome.CREATED if created else Outcome.UPDATED if run.journal else Outcome.UNCHANGED
    return Applied(instance, outcome, [f"{name} changed" for name in fields], [], run.journal)


# Undo: take back exactly what a journal changed.


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


def conflict_settle(*, conflict: Conflict, take_source: bool, writer: Writer) -> Conflict:
    """A moderator's decision on a conflict: keep the person's value, or take the source's
    (written through `record_edit`, so with history and provenance)."""
    import json

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


# The earlier keyword services, kept for the callers that write one record by hand (tests,
# the backup's checks): each builds a plan and applies it as a moderator would.

_BY_HAND = Writer.fixture("services")


def agency_upsert(
    *,
    name: str,
    state: State | str,
    kind: AgencyKind | str = AgencyKind.POLICE,
    city: str = "",
    county_fips: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    ori: str = "",
    attribution: str = "",
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Agency, Outcome]:
    """Find the agency by its normalised name in its state, or create it. Non-empty values given
    here replace the stored ones; counties given are added to those already known."""
    plan = AgencyPlan(
        name=name,
        state=state.code if isinstance(state, State) else state,
        kind=kind,
        city=city or UNSET,
        ori=ori or UNSET,
        attribution=attribution or UNSET,
        latitude=latitude if latitude is not None and longitude is not None else UNSET,
        longitude=longitude if latitude is not None and longitude is not None else UNSET,
        add_counties=tuple(county_fips),
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def source_upsert(
    *,
    url: str | None,
    title: str = "",
    publisher: str = "",
    published: PartialDate | None = None,
    archive_url: str = "",
    accessed_date: dt.date | None = None,
    notes: str = "",
    attribution: str = "",
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Source, Outcome]:
    """Find the source by its address (or, for a print source, its title and publisher) or
    create it. Non-empty values given here replace the stored ones."""
    plan = SourcePlan(
        url=url,
        title=title or UNSET,
        publisher=publisher or UNSET,
        published=published if published is not None else UNSET,
        archive_url=archive_url or UNSET,
        accessed_date=accessed_date or UNSET,
        notes=notes or UNSET,
        attribution=attribution or UNSET,
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def partnership_upsert(
    *,
    agency: Agency,
    technology: Technology,
    vendor: Vendor | None,
    sources: Iterable[Source],
    status: PartnershipStatus | str = PartnershipStatus.ACTIVE,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    summary: str = "",
    product: str = "",
    atlas_id: str | None = None,
    attribution: str = "",
    instance: Partnership | None = None,
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Partnership, Outcome]:
    """Create a partnership, or update the one given (or the one plan_apply finds: by Atlas
    id, else by agency, technology and vendor), setting every field given. Sources are added,
    never removed."""
    plan = PartnershipPlan(
        agency=AgencyPlan(pk=agency.pk),
        technology=TechnologyRef(name=technology.name, slug=technology.slug),
        vendor=VendorRef(name=vendor.name, slug=vendor.slug) if vendor is not None else None,
        pk=instance.pk if instance is not None else None,
        atlas_id=atlas_id,
        status=status,
        start=start,
        end=end,
        summary=summary,
        product=product,
        attribution=attribution,
        add_sources=tuple(SourcePlan(pk=source.pk) for source in sources),
        match=Match.ANY if atlas_id is None else Match.UNNUMBERED,
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def _with_reason(reason: str) -> Writer:
    return Writer.fixture("services", reason=reason) if reason else _BY_HAND


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


def _name_key(name: str) -> str:
    """'  Predpol ' and 'PredPol' are one vendor: compare letters and digits only."""
    return "".join(ch for ch in normalize_name(name) if ch.isalnum())


def technology_find(*, name: str, slug: str = "") -> Technology | None:
    """The technology technology_get_or_create would return without creating one."""
    technology = Technology.objects.filter(slug=slug or slugify(name)).first()
    if technology is None:
        key = _name_key(name)
        technology = next(
            (item for item in Technology.objects.all() if _name_key(item.name) == key), None
        )
    return technology


@transaction.atomic
def technology_get_or_create(
    *, name: str, slug: str = "", category: str = "", reason: str = ""
) -> tuple[Technology, Outcome]:
    """Find a technology by slug or by name (ignoring case and punctuation), or create it.
    An existing technology is never renamed: importers name things differently."""
    slug = slug or slugify(name)
    technology = technology_find(name=name, slug=slug)
    if technology is not None:
        return technology, Outcome.UNCHANGED
    technology = Technology(
        name=name, slug=slug, category=category or TechnologyCategory.OTHER, description=""
    )
    _save(technology, reason=reason or "Created")
    return technology, Outcome.CREATED


def vendor_find(*, name: str, slug: str = "") -> Vendor | None:
    """The vendor vendor_get_or_create would return without creating one."""
    vendor = Vendor.objects.filter(slug=slug).first() if slug else None
    if vendor is None:
        key = _name_key(" ".join(name.split()))
        vendor = next((item for item in Vendor.objects.all() if _name_key(item.name) == key), None)
    return vendor


@transaction.atomic
def vendor_get_or_create(*, name: str, slug: str = "", reason: str = "") -> tuple[Vendor, Outcome]:
    """Find a vendor by slug or by name (ignoring case, spaces and punctuation), or create it."""
    name = " ".join(name.split())
    key = _name_key(name)
    if not key:
        raise ValueError("A vendor needs a name with letters or digits.")
    vendor = vendor_find(name=name, slug=slug)
    if vendor is not None:
        return vendor, Outcome.UNCHANGED
    base = slug or slugify(name) or key
    candidate, number = base, 1
    while Vendor.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    vendor = Vendor(name=name, slug=candidate)
    _save(vendor, reason=reason or "Created")
    return vendor, Outcome.CREATED


def policy_event_values(
    *,
    title: str,
    kind: PolicyEventKind | str,
    when: PartialDate,
    actor: str,
    vendor: Vendor | None = None,
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
    summary: str = "",
) -> dict[str, Any]:
    """What policy_event_upsert sets: every field, empty or not."""
    return {
        "title": title,
        "kind": kind,
        "date": when.first_day(),
        "date_precision": when.precision,
        "actor": actor,
        "vendor": vendor,
        "technology": technology,
        "state": state,
        "county": county,
        "summary": summary,
    }


@transaction.atomic
def policy_event_upsert(
    *,
    title: str,
    kind: PolicyEventKind | str,
    when: PartialDate,
    actor: str,
    sources: Iterable[Source],
    partnerships: Iterable[Partnership] = (),
    vendor: Vendor | None = None,
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
    summary: str = "",
    instance: PolicyEvent | None = None,
    update: bool = True,
    reason: str = "",
) -> tuple[PolicyEvent, Outcome]:
    """Create a policy event, or update the one given. Sources and the partnerships it changed
    are links: those given are added, never removed. `update=False` leaves the fields of an
    existing event as they are (someone may have edited them) and only adds links."""
    values = policy_event_values(
        title=title,
        kind=kind,
        when=when,
        actor=actor,
        vendor=vendor,
        technology=technology,
        state=state,
        county=county,
        summary=summary,
    )
    if instance is None:
        event = PolicyEvent(**values)
        _save(event, reason=reason or "Created")
        event.sources.add(*sources)
        event.partnerships.add(*partnerships)
        return event, Outcome.CREATED

    changed = False
    if update:
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
    if changed:
        _save(instance, reason=reason or "Updated")
    for relation, wanted in (("sources", sources), ("partnerships", partnerships)):
        manager = getattr(instance, relation)
        known = set(manager.values_list("pk", flat=True))
        new = [item for item in wanted if item.pk not in known]
        if new:
            manager.add(*new)
            changed = True
    return instance, Outcome.UPDATED if changed else Outcome.UNCHANGED
