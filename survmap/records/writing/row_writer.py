"""One plan written: find its records (matching.py), set what the merge policy (provenance.py)
lets this writer set, field by field and link by link, validate with the model's `full_clean`,
save with history and provenance, and note conflicts. The bulk writer (batch.py) sends every row
it cannot take here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify

from survmap.geo.models import County
from survmap.records import provenance
from survmap.records.models import (
    Agency,
    AgencyAlias,
    AliasSource,
    Conflict,
    Partnership,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Applied,
    ConflictNote,
    Outcome,
    PartnershipPlan,
    Plan,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
    given,
)
from survmap.records.writing.matching import (
    NO_SIBLINGS,
    AgencyIndex,
    PartnershipPick,
    Siblings,
    agency_find,
    agency_found,
    alias_wanted,
    name_key,
    partnership_find,
    source_find,
    technology_find,
    vendor_find,
)
from survmap.records.writing.values import (
    agency_values,
    partnership_values,
    plan_credit,
    source_values,
)

# Writing one record: the merge policy field by field, then full_clean and save.


@dataclass
class Run:
    """One plan's writing: who, when, and what it did."""

    writer: Writer
    when: dt.datetime
    line: int | None = None
    validate_constraints: bool = True
    changes: list[str] = field(default_factory=list)
    conflicts: list[ConflictNote] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    public_change: bool = False
    # What a batch preloaded for the matcher (batch.py); None: the matcher asks the database.
    index: AgencyIndex | None = None
    # The other rows of the batch writer's run that say the same thing (matching.Siblings).
    siblings: Siblings = NO_SIBLINGS


def current_value(instance: models.Model, name: str) -> tuple[Any, str]:
    model_field = instance._meta.get_field(name)
    attname = model_field.attname  # type: ignore[union-attr]
    return getattr(instance, attname), attname


def comparable(instance: models.Model, name: str, value: Any, writer: Writer, current: Any) -> Any:
    """The value as stored, to compare with the current one; for an import's credit line, the
    credits there with the import's added (provenance.credits_with)."""
    if isinstance(value, models.Model):
        return value.pk
    if name == provenance.CREDIT_FIELD and not writer.is_person and isinstance(value, str):
        return provenance.credits_with(current or "", value)
    return value


def _conflict(run: Run, instance: models.Model, name: str, ours: Any, theirs: Any) -> None:
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


def write_fields(
    run: Run,
    instance: models.Model,
    values: Mapping[str, Any],
    *,
    credit: str = "",
    force: bool = False,
    adopting: bool = False,
) -> tuple[bool, list[str]]:
    """Set the values the policy lets this writer set, validate and save. Returns whether the
    record was created and the fields it changed. `adopting`: an import takes our record as
    its row's; where the source says otherwise, what it says is remembered (a later change of
    its mind is a conflict) rather than a conflict now: our record is the curated one. The same
    holds for any field our curated fixtures set (`provenance.curated_first_word`), and for a
    field another import source holds (`provenance.AUTHORITY`: the decision "keep")."""
    creating = instance.pk is None
    if creating:
        for name, value in values.items():
            setattr(instance, name, value)
        # The creator stands for every field and link it set (provenance.last_writer).
        provenance.set_creator(instance, provenance.entry(run.writer, run.when))
        save_record(instance, run, reason=run.writer.history_reason)
        run.journal.append(
            {"model": instance._meta.label_lower, "pk": instance.pk, "created": True, "fields": {}}
        )
        run.public_change = True
        return True, list(values)
    changed: dict[str, list[Any]] = {}
    noted = False
    for name, value in values.items():
        current, attname = current_value(instance, name)
        wanted = comparable(instance, name, value, run.writer, current)
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
        elif decision == "keep" or (
            decision == "conflict"
            and (adopting or provenance.curated_first_word(instance, name, run.writer))
        ):
            provenance.note_source_value(instance, name, wanted, run.writer)
            noted = True
        elif decision == "conflict":
            _conflict(run, instance, name, current, wanted)
            noted = True
    if changed or noted:
        save_record(instance, run, reason=run.writer.history_reason)
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


def save_record(instance: models.Model, run: Run | None = None, *, reason: str) -> None:
    instance.full_clean(validate_constraints=run.validate_constraints if run else True)
    instance._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    instance.save()


def write_links(
    run: Run,
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


def _apply_agency(run: Run, plan: AgencyPlan) -> Agency:
    found = agency_found(plan, run.index)
    agency = found.agency
    if agency is not None and found.rule == "spelled":
        # A misspelt or padded name (`matching._spelled`): the row is this agency's, but what
        # it says of the agency (its city, its name) is not written, nor kept as another name,
        # so that two spellings in one file never write their cells in turn.
        return agency
    add = _counties(plan.add_counties)
    remove = _counties(plan.remove_counties) if plan.remove_counties else {}
    credit = plan_credit(plan)
    if agency is None:
        agency = Agency(name=plan.name, state_id=plan.state)  # type: ignore[misc]
        write_fields(run, agency, agency_values(plan))
        write_links(run, agency, "counties", add=add)
        if run.index is not None:
            run.index.add(agency, add)
        return agency
    _, fields = write_fields(run, agency, agency_values(plan), credit=credit)
    added, removed = write_links(run, agency, "counties", add=add, remove=remove, credit=credit)
    if fields or added or removed:
        run.changes.append(f"agency {agency.name} updated")
    if given(plan.name) and alias_wanted(agency, plan.name, run.writer, run.index):  # type: ignore[arg-type]
        _keep_alias(run, agency, plan.name)  # type: ignore[arg-type]
    return agency


def _keep_alias(run: Run, agency: Agency, name: str) -> None:
    """The source's other name for an agency it found, kept as one of the agency's known names
    (with history, in the journal): one agency, both names, nothing for a person to settle."""
    alias = AgencyAlias(
        agency=agency, name=name, source=AliasSource.IMPORT, note=run.writer.label[:200]
    )
    alias.full_clean(validate_unique=False, validate_constraints=False)
    alias._change_reason = run.writer.history_reason  # type: ignore[attr-defined]
    alias.save()
    run.journal.append(created_entry(alias))
    run.changes.append(f"agency {agency.name} also known as {alias.name!r}")
    if run.index is not None:
        run.index.alias_added(agency, alias.name_key)


def _apply_source(run: Run, plan: SourcePlan) -> Source:
    source = source_find(plan)
    values = source_values(plan)
    if source is None:
        source = Source(url=(plan.url or "").strip() or None)
        write_fields(run, source, values)
        run.changes.append(f"source {source} created")
        return source
    _, fields = write_fields(run, source, values, credit=plan_credit(plan))
    if fields:
        run.changes.append(f"source {source} updated")
    return source


def technology_of(run: Run, ref: TechnologyRef) -> Technology:
    technology, outcome = technology_get_or_create(
        name=ref.name, slug=ref.slug, category=ref.category, reason=run.writer.history_reason
    )
    if outcome == Outcome.CREATED:
        run.changes.append(f"technology {technology.name} created")
        run.journal.append(created_entry(technology))
    return technology


def vendor_of(run: Run, ref: VendorRef) -> Vendor:
    vendor, outcome = vendor_get_or_create(
        name=ref.name, slug=ref.slug, reason=run.writer.history_reason
    )
    if outcome == Outcome.CREATED:
        run.changes.append(f"vendor {vendor.name} created")
        run.journal.append(created_entry(vendor))
    return vendor


def created_entry(instance: models.Model) -> dict[str, Any]:
    return {"model": instance._meta.label_lower, "pk": instance.pk, "created": True, "fields": {}}


def numbered_values(values: dict[str, Any], pick: PartnershipPick) -> dict[str, Any]:
    """A row's number is written on a new partnership when no other has it, and on a found one
    only when it adopts the number; a renumbered row leaves the stored number be."""
    number = values.get("atlas_id")
    if not number:
        return values
    found = pick.partnership
    keep = pick.adopt or (found is None and pick.number_free)
    if found is not None and found.atlas_id == number:
        keep = True
    if keep:
        return values
    values = dict(values)
    if found is None:
        values["atlas_id"] = None
    else:
        values.pop("atlas_id")
    return values


def _apply_partnership(run: Run, plan: PartnershipPlan) -> tuple[Partnership, Outcome]:
    agency = _apply_agency(run, plan.agency)
    technology = technology_of(run, plan.technology) if given(plan.technology) else None  # type: ignore[arg-type]
    vendor: Any = UNSET
    if given(plan.vendor):
        vendor = vendor_of(run, plan.vendor) if plan.vendor is not None else None  # type: ignore[arg-type]
    others = {str(found.pk): found for found in (vendor_of(run, ref) for ref in plan.other_vendors)}
    if vendor:
        others.pop(str(vendor.pk), None)  # 'Axon, Axon': the vendor is not also another
    sources = {
        str(source.pk): source for source in (_apply_source(run, s) for s in plan.add_sources)
    }
    pick = partnership_find(
        plan, agency=agency, technology=technology, vendor=vendor or None, siblings=run.siblings
    )
    instance, adopted = pick.partnership, pick.adopt
    credit = plan_credit(plan)
    values = numbered_values(
        partnership_values(plan, agency=agency, technology=technology, vendor=vendor), pick
    )
    if instance is None:
        if technology is None:
            raise ValueError("A new partnership needs a technology.")
        instance = Partnership()
        write_fields(run, instance, values)
        write_links(run, instance, "sources", add=sources)
        write_links(run, instance, "other_vendors", add=others)
        return instance, Outcome.CREATED
    if adopted:
        # Adopting is the one thing the match itself writes: the Atlas id. Every other field
        # of our record is ours, and the merge policy keeps it (noting what differs).
        write_fields(run, instance, {"atlas_id": values.pop("atlas_id")}, force=True)
        run.changes.append(f"adopted partnership {instance.pk}")
    _, fields = write_fields(run, instance, values, credit=credit, adopting=adopted)
    remove = {}
    for item in plan.remove_sources:
        found = source_find(item)
        if found is not None:
            remove[str(found.pk)] = found
    added, removed = write_links(
        run, instance, "sources", add=sources, remove=remove, credit=credit
    )
    vendors_added, _ = write_links(run, instance, "other_vendors", add=others, credit=credit)
    if fields:
        run.changes.append(f"partnership {', '.join(fields)} changed")
    if added:
        run.changes.append(f"partnership cites {added} more source(s)")
    if removed:
        run.changes.append(f"partnership cites {removed} fewer source(s)")
    if vendors_added:
        run.changes.append(f"partnership names {vendors_added} more vendor(s)")
    return instance, Outcome.UPDATED if run.changes else Outcome.UNCHANGED


def plan_apply(
    *,
    plan: Plan,
    writer: Writer,
    line: int | None = None,
    validate_constraints: bool = True,
    index: AgencyIndex | None = None,
    siblings: Siblings = NO_SIBLINGS,
) -> Applied:
    """Apply one plan in one transaction: find or create its records, write the fields it
    supplies that the merge policy lets this writer write, link what it adds, record
    provenance and history, and note conflicts (with `line`, for an import's report).
    Validation is the model's `full_clean`; a refused plan raises ValidationError (or
    ValueError, for an unknown county; `matching.AgencyUnmatched` for an agency it must not
    decide) and writes nothing. `index` and `siblings`: what the bulk writer knows of its run,
    for the matcher."""
    run = Run(
        writer, provenance.now(writer), line, validate_constraints, index=index, siblings=siblings
    )
    with transaction.atomic():
        record: models.Model
        if isinstance(plan, PartnershipPlan):
            record, outcome = _apply_partnership(run, plan)
        else:
            found = agency_find(plan, index) if isinstance(plan, AgencyPlan) else source_find(plan)
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
    save_record(technology, reason=reason or "Created")
    return technology, Outcome.CREATED


@transaction.atomic
def vendor_get_or_create(*, name: str, slug: str = "", reason: str = "") -> tuple[Vendor, Outcome]:
    """Find a vendor by slug or by name (ignoring case, spaces and punctuation), or create it."""
    name = " ".join(name.split())
    key = name_key(name)
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
    save_record(vendor, reason=reason or "Created")
    return vendor, Outcome.CREATED
