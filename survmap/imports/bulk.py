"""The fast path of the Atlas import: rows whose records are all new (or unchanged) are written
a batch at a time with bulk inserts, history included, instead of a few dozen queries a row.

Anything else (an update, an adopted partnership, a record that fails validation) goes the
ordinary per-row way through the services. If a bulk write fails, the batch is rolled back to its
savepoint and redone row by row, so the result, and every row's error message, are the same.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from survmap.records.models import ATLAS_ATTRIBUTION, Agency, Partnership, Source, Vendor
from survmap.records.normalize import clean_text, normalize_name

if TYPE_CHECKING:
    from survmap.imports.atlas import AtlasImporter, Link, RowPlan

REASON = "Atlas of Surveillance import"


@dataclass
class _Fresh:
    plan: RowPlan
    agency: Agency
    sources: list[Source]
    partnership: Partnership


@dataclass
class _Batch:
    rows: list[_Fresh] = field(default_factory=list)
    agencies: dict[tuple[str, str], Agency] = field(default_factory=dict)
    counties: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)


def write_fresh(importer: AtlasImporter, plans: list[RowPlan]) -> list[RowPlan]:
    """Write the plans that only create records; return those left for the per-row path."""
    batch = _Batch()
    rest: list[RowPlan] = []
    for plan in plans:
        fresh = _fresh(importer, plan, batch)
        if fresh is None:
            rest.append(plan)
        else:
            batch.rows.append(fresh)
    if not batch.rows:
        return rest
    _insert(importer, batch)
    for fresh in batch.rows:
        importer.report.outcomes["created"] += 1
        importer.note_created(fresh.plan.agency_key, fresh.agency, fresh.sources)
    return rest


def _fresh(importer: AtlasImporter, plan: RowPlan, batch: _Batch) -> _Fresh | None:
    if plan.atlas_id in importer.known_partnerships or plan.atlas_id in importer.batch_ids:
        return None
    agency = importer.cached_agency(plan.agency_key) or batch.agencies.get(plan.agency_key)
    if agency is None:
        agency = _new_agency(importer, plan.agency_key)
        if agency is None:
            return None
        batch.agencies[plan.agency_key] = agency
        batch.counties[plan.agency_key] = importer.agency_plan(plan.agency_key).counties
    sources: list[Source] = []
    for link in plan.links:
        source = importer.cached_source(link.url) or batch.sources.get(link.url)
        if source is None:
            source = _new_source(importer, link)
            if source is None:
                return None
            batch.sources[link.url] = source
        if all(source is not other for other in sources):
            sources.append(source)
    technology = importer.technology_for(plan.technology)
    vendors = importer.vendors_for(plan.vendors)
    vendor: Vendor | None = vendors[0] if vendors else None
    if agency.pk is not None and (agency.pk, technology.pk, vendor.pk if vendor else None) in (
        importer.unnumbered
    ):
        return None  # an existing partnership may be this one: the per-row path adopts it
    start = plan.start
    partnership = Partnership(
        technology=technology,
        vendor=vendor,
        status=plan.status,
        start_date=start.first_day() if start else None,
        start_precision=start.precision if start else "",
        summary=importer.summary_for(plan, vendors),
        atlas_id=plan.atlas_id,
        attribution=ATLAS_ATTRIBUTION,
    )
    try:
        partnership.full_clean(
            exclude=["agency", "technology", "vendor"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError:
        return None
    importer.batch_ids.add(plan.atlas_id)
    return _Fresh(plan=plan, agency=agency, sources=sources, partnership=partnership)


def _new_agency(importer: AtlasImporter, key: tuple[str, str]) -> Agency | None:
    if key in importer.known_agencies:
        return None  # exists but differs: an update, for the services
    plan = importer.agency_plan(key)
    agency = Agency(
        name=plan.name,
        state_id=plan.state,
        kind=plan.kind,
        city=plan.city,
        latitude=plan.latitude,
        longitude=plan.longitude,
        ori=plan.ori,
        attribution=ATLAS_ATTRIBUTION,
    )
    # What Agency.clean() does, less its duplicate query: the importer loaded every agency
    # by this very key (normalised name, state) before the first row, so it is new.
    agency.name, agency.city = clean_text(agency.name), clean_text(agency.city)
    agency.normalized_name = normalize_name(agency.name)
    try:
        agency.clean_fields(exclude=["state"])
    except ValidationError:
        return None
    return agency if agency.normalized_name else None


def _new_source(importer: AtlasImporter, link: Link) -> Source | None:
    if link.url in importer.known_sources:
        return None
    values = importer.source_values(link)
    published = values.published
    source = Source(
        url=values.url,
        publisher=values.publisher,
        published_date=published.first_day() if published else None,
        published_precision=published.precision if published else "",
        archive_url=values.archive_url,
        attribution=ATLAS_ATTRIBUTION,
    )
    try:
        source.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError:
        return None
    return source


def _insert(importer: AtlasImporter, batch: _Batch) -> None:
    agencies = list(batch.agencies.values())
    Agency.objects.bulk_create(agencies)
    sources = list(batch.sources.values())
    Source.objects.bulk_create(sources)
    for fresh in batch.rows:
        # Stops a run here in tests: agencies and sources written, partnerships not yet.
        importer.checkpoint("sources", fresh.plan.row)
    county_links = [
        Agency.counties.through(agency_id=batch.agencies[key].pk, county_id=fips)
        for key, codes in batch.counties.items()
        for fips in codes
    ]
    Agency.counties.through.objects.bulk_create(county_links)
    partnerships = []
    for fresh in batch.rows:
        fresh.partnership.agency = fresh.agency
        partnerships.append(fresh.partnership)
    Partnership.objects.bulk_create(partnerships)
    source_links = [
        Partnership.sources.through(partnership_id=fresh.partnership.pk, source_id=source.pk)
        for fresh in batch.rows
        for source in fresh.sources
    ]
    Partnership.sources.through.objects.bulk_create(source_links)
    _history(agencies, partnerships, sources, county_links, source_links)


def _history(
    agencies: list[Agency],
    partnerships: list[Partnership],
    sources: list[Source],
    county_links: list[Any],
    source_links: list[Any],
) -> None:
    """The '+' history entry of every record created, with its links, as save() would write."""
    agency_history = Agency.history.bulk_history_create(agencies, default_change_reason=REASON)
    links_by_agency: dict[int, list[Any]] = defaultdict(list)
    for link in county_links:
        links_by_agency[link.agency_id].append(link)
    county_model = Agency.history.model.counties.model
    county_model.objects.bulk_create(
        [
            county_model(
                history=entry, id=link.pk, agency_id=link.agency_id, county_id=link.county_id
            )
            for entry in agency_history or []
            for link in links_by_agency[entry.id]
        ]
    )
    Source.history.bulk_history_create(sources, default_change_reason=REASON)
    partnership_history = Partnership.history.bulk_history_create(
        partnerships, default_change_reason=REASON
    )
    links_by_partnership: dict[int, list[Any]] = defaultdict(list)
    for link in source_links:
        links_by_partnership[link.partnership_id].append(link)
    source_model = Partnership.history.model.sources.model
    source_model.objects.bulk_create(
        [
            source_model(
                history=entry,
                id=link.pk,
                partnership_id=link.partnership_id,
                source_id=link.source_id,
            )
            for entry in partnership_history or []
            for link in links_by_partnership[entry.id]
        ]
    )
