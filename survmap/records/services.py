"""Every write to the public record goes through here: the admin, the importers, the submission
review and the API share these functions, so the same checks apply whoever writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.text import slugify
from simple_history.utils import get_m2m_reverse_field_name

from survmap.common.dates import PartialDate
from survmap.geo.models import County, State
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)
from survmap.records.normalize import normalize_name
from survmap.records.plans import (
    Applied,
    ApplyReport,
    Outcome,
    Plan,
    PlannedRow,
    Writer,
)

if TYPE_CHECKING:
    from survmap.records.models import Conflict

__all__ = [
    "Outcome",
    "conflict_settle",
    "journal_revert",
    "plan_apply",
    "plans_apply",
    "record_edit",
]


# The one write path (see plans.py for how each writer calls it).


def plan_apply(*, plan: Plan, writer: Writer, line: int | None = None) -> Applied:
    """Apply one plan in one transaction: find or create its records, write the fields it
    supplies that the merge policy lets this writer write, link what it adds, record
    provenance and history, and note conflicts (with `line`, for an import's report).
    Validation is the model's `full_clean`; a refused plan raises ValidationError and writes
    nothing."""
    raise NotImplementedError


def plans_apply(
    *,
    rows: Sequence[PlannedRow],
    writer: Writer,
    batch_size: int = 500,
    progress: bool | None = False,
    checkpoint: Callable[[str, PlannedRow], None] | None = None,
) -> ApplyReport:
    """Apply many rows' plans, in file order: rows whose records are all new go in bulk
    (bulk_create, history included, the same `full_clean`), the others through `plan_apply`,
    each row in a savepoint, a batch committed whole. A refused row is reported with its line
    and skipped. `checkpoint` is called at each stage of a row's writes (tests stop there)."""
    raise NotImplementedError


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
    raise NotImplementedError


def journal_revert(
    *, journal: Sequence[dict[str, Any]], writer: Writer, confirm: bool = False
) -> list[dict[str, Any]]:
    """Take back exactly what a journal (`Applied.journal`) changed, newest first. Where a
    later writer changed the same field or link, raise `LaterChange` naming it, unless
    `confirm`: then the later value goes too (a later approval is the caller's to undo first:
    `LaterChange.submission_ids`). Returns what was undone, for the decision log."""
    raise NotImplementedError


def conflict_settle(*, conflict: Conflict, take_source: bool, writer: Writer) -> Conflict:
    """A moderator's decision on a conflict: keep the person's value, or take the source's
    (written through `record_edit`, so with history and provenance)."""
    raise NotImplementedError


def _apply(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed


def differs(instance: models.Model, values: dict[str, Any]) -> bool:
    """Whether `_apply` would change anything, read without fetching related records: a
    bulk importer asks it of thousands of rows."""
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if isinstance(model_field, models.ForeignKey):
            if getattr(instance, model_field.attname) != (value.pk if value is not None else None):
                return True
        elif getattr(instance, name) != value:
            return True
    return False


def _save(instance: models.Model, *, reason: str, check_constraints: bool = True) -> None:
    # Each CheckConstraint is one query in full_clean; a bulk importer may leave them to the
    # database, which enforces them anyway (an IntegrityError instead of a ValidationError).
    instance.full_clean(validate_constraints=check_constraints)
    instance._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    instance.save()


def agency_values(
    *,
    kind: AgencyKind | str,
    city: str,
    ori: str,
    attribution: str,
    latitude: float | None,
    longitude: float | None,
) -> dict[str, Any]:
    """What agency_upsert sets: the kind, and the other values given (coordinates in pairs)."""
    values: dict[str, Any] = {"kind": kind}
    for field, value in (("city", city), ("ori", ori), ("attribution", attribution)):
        if value:
            values[field] = value
    if latitude is not None and longitude is not None:
        values.update(latitude=latitude, longitude=longitude)
    return values


@transaction.atomic
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
    check_constraints: bool = True,
) -> tuple[Agency, Outcome]:
    """Find the agency by its normalised name in its state, or create it. Non-empty values given
    here replace the stored ones; counties given are added to those already known."""
    state_code = state.code if isinstance(state, State) else state
    agency = Agency.objects.filter(
        normalized_name=normalize_name(name), state_id=state_code
    ).first()
    values = agency_values(
        kind=kind,
        city=city,
        ori=ori,
        attribution=attribution,
        latitude=latitude,
        longitude=longitude,
    )
    counties = list(County.objects.filter(fips__in=set(county_fips)))
    missing = set(county_fips) - {county.fips for county in counties}
    if missing:
        raise ValueError(f"Unknown county FIPS code(s): {', '.join(sorted(missing))}")

    if agency is None:
        agency = Agency(name=name, state_id=state_code, **values)
        _save(agency, reason=reason or "Created", check_constraints=check_constraints)
        agency.counties.set(counties)
        return agency, Outcome.CREATED

    changed = _apply(agency, values)
    if changed:
        _save(agency, reason=reason or "Updated", check_constraints=check_constraints)
    known = set(agency.counties.values_list("fips", flat=True))
    new_counties = [county for county in counties if county.fips not in known]
    if new_counties:
        agency.counties.add(*new_counties)
        changed = True
    return agency, Outcome.UPDATED if changed else Outcome.UNCHANGED


def source_values(
    *,
    title: str = "",
    publisher: str = "",
    published: PartialDate | None = None,
    archive_url: str = "",
    accessed_date: dt.date | None = None,
    notes: str = "",
    attribution: str = "",
) -> dict[str, Any]:
    """What source_upsert sets: the values given, empty ones left as they are."""
    values: dict[str, Any] = {}
    for field, value in (
        ("title", title),
        ("publisher", publisher),
        ("archive_url", archive_url),
        ("accessed_date", accessed_date),
        ("notes", notes),
        ("attribution", attribution),
    ):
        if value:
            values[field] = value
    if published is not None:
        values.update(published_date=published.first_day(), published_precision=published.precision)
    return values


@transaction.atomic
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
    check_constraints: bool = True,
) -> tuple[Source, Outcome]:
    """Find the source by its address (or, for a print source, its title and publisher) or
    create it. Non-empty values given here replace the stored ones."""
    url = (url or "").strip() or None
    if url is not None:
        source = Source.objects.filter(url=url).first()
    else:
        source = Source.objects.filter(url__isnull=True, title=title, publisher=publisher).first()
    values = source_values(
        title=title,
        publisher=publisher,
        published=published,
        archive_url=archive_url,
        accessed_date=accessed_date,
        notes=notes,
        attribution=attribution,
    )
    if source is None:
        source = Source(url=url, **values)
        _save(source, reason=reason or "Created", check_constraints=check_constraints)
        return source, Outcome.CREATED
    if _apply(source, values):
        _save(source, reason=reason or "Updated", check_constraints=check_constraints)
        return source, Outcome.UPDATED
    return source, Outcome.UNCHANGED


def partnership_values(
    *,
    agency: Agency,
    technology: Technology,
    vendor: Vendor | None,
    status: PartnershipStatus | str = PartnershipStatus.ACTIVE,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    summary: str = "",
    product: str = "",
    atlas_id: str | None = None,
    attribution: str = "",
) -> dict[str, Any]:
    """What partnership_upsert sets: every field, empty or not."""
    return {
        "agency": agency,
        "technology": technology,
        "vendor": vendor,
        "status": status,
        "start_date": start.first_day() if start else None,
        "start_precision": start.precision if start else "",
        "end_date": end.last_day() if end else None,
        "end_precision": end.precision if end else "",
        "summary": summary,
        "product": product,
        "atlas_id": atlas_id or None,
        "attribution": attribution,
    }


@transaction.atomic
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
    check_constraints: bool = True,
) -> tuple[Partnership, Outcome]:
    """Create a partnership, or update the one given (or the one with this Atlas id). Sources
    are added, never removed: a source once cited stays in the record's history and listing."""
    if instance is None and atlas_id:
        instance = Partnership.objects.filter(atlas_id=atlas_id).first()
    values = partnership_values(
        agency=agency,
        technology=technology,
        vendor=vendor,
        status=status,
        start=start,
        end=end,
        summary=summary,
        product=product,
        atlas_id=atlas_id,
        attribution=attribution,
    )
    source_list = list(sources)
    if instance is None:
        partnership = Partnership(**values)
        _save(partnership, reason=reason or "Created", check_constraints=check_constraints)
        partnership.sources.add(*source_list)
        return partnership, Outcome.CREATED

    changed = _apply(instance, values)
    if changed:
        _save(instance, reason=reason or "Updated", check_constraints=check_constraints)
    known = set(instance.sources.values_list("pk", flat=True))
    new_sources = [source for source in source_list if source.pk not in known]
    if new_sources:
        instance.sources.add(*new_sources)
        changed = True
    return instance, Outcome.UPDATED if changed else Outcome.UNCHANGED


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
    for field in record._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        linked = getattr(record, field.name).values_list(target, flat=True)
        getattr(instance, field.name).set(list(linked))
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
