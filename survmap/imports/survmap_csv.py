"""Import survmap's own CSV (records/csv_format.py): the export read back, so that an export
loaded into an empty database gives the same records. Ids in the file are not reused: a record
is found by what identifies it (an agency by name and state, a partnership by its Atlas id or by
agency, technology and vendor, a source by its address).

Rows whose records are all new or all unchanged go the bulk path (bulk.py), compared against
the records the batch's rows name, loaded once a batch; the rest go through the services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from survmap.common.dates import PartialDate
from survmap.geo.models import County, State
from survmap.imports.bulk import Batch, BulkImporter, Fresh, new_agency, new_partnership, new_source
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records import csv_format
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Source,
    Technology,
    Vendor,
)
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.services import (
    Outcome,
    agency_upsert,
    agency_values,
    differs,
    partnership_upsert,
    partnership_values,
    source_upsert,
    source_values,
    technology_find,
    technology_get_or_create,
    vendor_find,
    vendor_get_or_create,
)

REASON = "survmap CSV import"


@dataclass(frozen=True)
class SourcePlan:
    url: str
    title: str
    publisher: str
    published: PartialDate | None
    archive_url: str


@dataclass
class CsvRowPlan:
    row: Row
    start: PartialDate | None
    end: PartialDate | None
    latitude: float | None
    longitude: float | None
    county_fips: list[str]
    sources: list[SourcePlan]


class CsvImporter(BulkImporter):
    """Rows from `readers.read_survmap_csv` (cells already restored) into the record."""

    reason = REASON

    def _label(self, plan: CsvRowPlan) -> str:
        row = plan.row
        return row.get("atlas_id") or f"{row.get('agency')} ({row.get('state')})"

    def plan(self) -> list[CsvRowPlan | RowError]:
        states = set(State.objects.values_list("code", flat=True))
        plans: list[CsvRowPlan | RowError] = []
        for row in self.rows:
            try:
                plans.append(self._plan_row(row, states))
            except RowError as error:
                plans.append(error)
                self.report.reject(row.line, error)
        return plans

    def _plan_row(self, row: Row, states: set[str]) -> CsvRowPlan:
        if "__fields__" in row.cells:
            raise RowError("malformed row", "has a different number of fields than the header")
        if not normalize_name(row.get("agency")):
            raise RowError("no agency", "names no agency")
        if row.get("state") not in states:
            raise RowError(
                "unknown state", f"state {row.get('state')!r} is not a US state or territory"
            )
        if not row.get("technology_slug") and not row.get("technology"):
            raise RowError("no technology", "names no technology")
        if row.get("agency_kind") not in AgencyKind.values:
            raise RowError("unknown kind", f"agency kind {row.get('agency_kind')!r} is unknown")
        if row.get("status") not in PartnershipStatus.values:
            raise RowError("unknown status", f"status {row.get('status')!r} is unknown")
        latitude, longitude = _number(row, "latitude"), _number(row, "longitude")
        columns = [
            row.get(name).split(csv_format.LINE)
            for name in (
                "source_urls",
                "source_titles",
                "source_publishers",
                "source_dates",
                "source_archive_urls",
            )
        ]
        sources = []
        for url, title, publisher, date, archive in zip_longest(*columns, fillvalue=""):
            if not (url.strip() or title.strip()):
                continue
            sources.append(
                SourcePlan(
                    url=url.strip(),
                    title=title,
                    publisher=publisher,
                    published=_date(date, "source date"),
                    archive_url=archive.strip(),
                )
            )
        fips = [code.strip() for code in row.get("county_fips").split(";") if code.strip()]
        return CsvRowPlan(
            row=row,
            start=_date(row.get("start_date"), "start_date"),
            end=_date(row.get("end_date"), "end_date"),
            latitude=latitude,
            longitude=longitude,
            county_fips=fips,
            sources=sources,
        )

    def _import(self, plan: CsvRowPlan) -> tuple[Outcome, list[str]]:
        row = plan.row
        changes: list[str] = []
        atlas_id = row.get("atlas_id") or None
        inherited = _inherited(row)
        agency, outcome = agency_upsert(
            name=row.get("agency"),
            state=row.get("state"),
            county_fips=plan.county_fips,
            **_agency_fields(plan),
            reason=REASON,
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"agency {agency.name} {outcome}")
        self.checkpoint("agency", row)
        name, slug = _technology_named(row)
        technology, outcome = technology_get_or_create(
            name=name, slug=slug, category=row.get("technology_category"), reason=REASON
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"technology {technology.name} {outcome}")
        vendor = None
        vendor_named = _vendor_named(row)
        if vendor_named is not None:
            name, slug = vendor_named
            vendor, outcome = vendor_get_or_create(name=name, slug=slug, reason=REASON)
            if outcome != Outcome.UNCHANGED:
                changes.append(f"vendor {vendor.name} {outcome}")
        sources = []
        for item in plan.sources:
            source, outcome = source_upsert(
                url=item.url or None, **_source_fields(item, inherited), reason=REASON
            )
            if outcome != Outcome.UNCHANGED:
                changes.append(f"source {source} {outcome}")
            sources.append(source)
        self.checkpoint("sources", row)
        instance = None
        if atlas_id:
            instance = Partnership.objects.filter(atlas_id=atlas_id).first()
        if instance is None:
            instance = (
                Partnership.objects.filter(
                    agency=agency, technology=technology, vendor=vendor, atlas_id__isnull=True
                )
                .order_by("pk")
                .first()
            )
        partnership, outcome = partnership_upsert(
            agency=agency,
            technology=technology,
            vendor=vendor,
            sources=sources,
            **_partnership_fields(plan),
            instance=instance,
            reason=REASON,
        )
        self.checkpoint("partnership", row)
        if outcome == Outcome.CREATED:
            return Outcome.CREATED, []
        if outcome == Outcome.UPDATED:
            changes.append(f"partnership {partnership.pk} updated")
        return (Outcome.UPDATED if changes else Outcome.UNCHANGED), changes

    # The bulk path (bulk.py): what the batch's rows name, as it stands.

    def prepare(self) -> None:
        self._fips = set(County.objects.values_list("fips", flat=True))
        self._agencies: dict[AgencyKey, Agency] = {}
        self._agency_fips: dict[AgencyKey, set[str]] = {}
        self._by_url: dict[str, Source] = {}
        self._print: dict[tuple[str, str], list[Source]] = {}
        self._numbered: dict[str, Partnership] = {}
        self._unnumbered: dict[int, list[Partnership]] = {}
        self._cited: dict[int, set[int]] = {}

    def _reset_caches(self) -> None:
        self._technologies: dict[tuple[str, str], Technology | None] = {}
        self._vendors: dict[tuple[str, str], Vendor | None] = {}

    def prepare_batch(self, plans: list[CsvRowPlan]) -> None:
        self._load(plans)

    def after_row(self, plan: CsvRowPlan) -> None:
        # The services may have created a technology or vendor another row names differently.
        self._reset_caches()
        self._load([plan])

    def _load(self, plans: list[CsvRowPlan]) -> None:
        """The agencies, sources and partnerships these rows would find, replacing what was
        known of them: a handful of queries for a batch of rows."""
        keys = {_agency_key(plan.row) for plan in plans}
        for key in keys:
            self._agencies.pop(key, None)
            self._agency_fips.pop(key, None)
        agencies = [
            agency
            for agency in Agency.objects.filter(normalized_name__in={key[0] for key in keys})
            if (agency.normalized_name, agency.state_id) in keys
        ]
        fips: dict[int, set[str]] = defaultdict(set)
        for agency_id, county_id in Agency.counties.through.objects.filter(
            agency_id__in=[agency.pk for agency in agencies]
        ).values_list("agency_id", "county_id"):
            fips[agency_id].add(county_id)
        for agency in agencies:
            key = (agency.normalized_name, agency.state_id)
            self._agencies[key] = agency
            self._agency_fips[key] = fips[agency.pk]

        items = [item for plan in plans for item in plan.sources]
        urls = {item.url for item in items if item.url}
        for url in urls:
            self._by_url.pop(url, None)
        for source in Source.objects.filter(url__in=urls):
            self._by_url[source.url] = source  # type: ignore[index]
        titles = {
            title
            for item in items
            if not item.url
            for title in (item.title, clean_text(item.title))
        }
        for printed in [printed for printed in self._print if printed[0] in titles]:
            del self._print[printed]
        for source in Source.objects.filter(url__isnull=True, title__in=titles).order_by("pk"):
            self._print.setdefault((source.title, source.publisher), []).append(source)

        atlas_ids = {plan.row.get("atlas_id") for plan in plans} - {""}
        for atlas_id in atlas_ids:
            self._numbered.pop(atlas_id, None)
        agency_pks = [agency.pk for agency in agencies]
        for pk in agency_pks:
            self._unnumbered[pk] = []
        partnerships = list(Partnership.objects.filter(atlas_id__in=atlas_ids).order_by("pk"))
        partnerships += Partnership.objects.filter(
            atlas_id__isnull=True, agency_id__in=agency_pks
        ).order_by("pk")
        for partnership in partnerships:
            if partnership.atlas_id:
                self._numbered[partnership.atlas_id] = partnership
            else:
                self._unnumbered[partnership.agency_id].append(partnership)
            self._cited[partnership.pk] = set()
        for partnership_id, source_id in Partnership.sources.through.objects.filter(
            partnership_id__in=[partnership.pk for partnership in partnerships]
        ).values_list("partnership_id", "source_id"):
            self._cited[partnership_id].add(source_id)

    def fresh(self, plan: CsvRowPlan, batch: Batch) -> Fresh | None:
        """The row's records if each is new, or found and left unchanged by the row, as the
        services would find and compare them; None for any other row."""
        row = plan.row
        technology = self._technology(row)
        vendor_named = _vendor_named(row)
        vendor = self._vendor(*vendor_named) if vendor_named else None
        if technology is None or (vendor_named and vendor is None):
            return None  # the services create it
        if not set(plan.county_fips) <= self._fips:
            return None  # the services say which code is unknown
        inherited = _inherited(row)
        key = _agency_key(row)
        values = agency_values(**_agency_fields(plan))
        agency = batch.agencies.get(key) or self._agencies.get(key)
        if agency is not None:
            counties = batch.counties[key] if key in batch.counties else self._agency_fips[key]
            if differs(agency, values) or not set(plan.county_fips) <= set(counties):
                return None
            created_agency = False
        else:
            agency = new_agency(name=row.get("agency"), state=row.get("state"), values=values)
            if agency is None or agency.normalized_name != key[0]:
                return None
            created_agency = True

        sources: list[Source] = []
        new_sources: dict[Hashable, Source] = {}
        for item in plan.sources:
            values = source_values(**_source_fields(item, inherited))
            found, certain = self._source(item, batch, new_sources)
            if not certain:
                return None
            if found is None:
                source = new_source(url=item.url or None, values=values)
                if source is None:
                    return None
                new_sources[_source_key(source)] = source
            elif differs(found, values):
                return None
            else:
                source = found
            if all(source is not other for other in sources):
                sources.append(source)

        atlas_id = row.get("atlas_id") or None
        values = partnership_values(
            agency=agency, technology=technology, vendor=vendor, **_partnership_fields(plan)
        )
        unnumbered = ("unnumbered", key, technology.pk, vendor.pk if vendor else None)
        instance, cited = self._partnership(atlas_id, agency, key, unnumbered, batch)
        if instance is not None:
            unchanged = (
                not created_agency
                and not new_sources
                and not differs(instance, values)
                and all(source.pk in cited for source in sources)
            )
            if not unchanged:
                return None
            return Fresh(plan=plan, agency=agency, sources=sources, partnership=None)
        partnership = new_partnership(values)
        if partnership is None:
            return None
        return Fresh(
            plan=plan,
            agency=agency,
            sources=sources,
            partnership=partnership,
            agency_key=key,
            new_agency=created_agency,
            counties=plan.county_fips,
            new_sources=new_sources,
            index={("atlas", atlas_id) if atlas_id else unnumbered: (partnership, sources)},
        )

    def note_written(self, fresh: Fresh) -> None:
        partnership = fresh.partnership
        if partnership is None:
            return
        if fresh.new_agency:
            self._agencies[fresh.agency_key] = fresh.agency  # type: ignore[index]
            self._agency_fips[fresh.agency_key] = set(fresh.counties)  # type: ignore[index]
        for source in fresh.new_sources.values():
            if source.url:
                self._by_url[source.url] = source
            else:
                self._print.setdefault((source.title, source.publisher), []).append(source)
        if partnership.atlas_id:
            self._numbered[partnership.atlas_id] = partnership
        else:
            self._unnumbered.setdefault(partnership.agency_id, []).append(partnership)
        self._cited[partnership.pk] = {source.pk for source in fresh.sources}

    def _technology(self, row: Row) -> Technology | None:
        name, slug = _technology_named(row)
        if (name, slug) not in self._technologies:
            self._technologies[name, slug] = technology_find(name=name, slug=slug)
        return self._technologies[name, slug]

    def _vendor(self, name: str, slug: str) -> Vendor | None:
        if (name, slug) not in self._vendors:
            self._vendors[name, slug] = vendor_find(name=name, slug=slug)
        return self._vendors[name, slug]

    def _source(
        self, item: SourcePlan, batch: Batch, new_sources: dict[Hashable, Source]
    ) -> tuple[Source | None, bool]:
        """The source source_upsert would find (None: it creates one), and whether that is
        certain: of several print sources alike, which one it takes is the database's to say."""
        if item.url:
            key: Hashable = ("url", item.url)
            known = [self._by_url[item.url]] if item.url in self._by_url else []
        else:
            key = ("print", item.title, item.publisher)
            known = self._print.get((item.title, item.publisher), [])
        pending = new_sources.get(key) or batch.sources.get(key)
        if pending is not None:
            return pending, True
        return (known[0] if known else None), len(known) <= 1

    def _partnership(
        self,
        atlas_id: str | None,
        agency: Agency,
        key: AgencyKey,
        unnumbered: Hashable,
        batch: Batch,
    ) -> tuple[Partnership | None, set[int]]:
        """The partnership the per-row path would update (None: it creates one), with the ids
        of the sources it cites. One the batch creates cites only new records: none of the
        row's found sources is counted as cited by it, so such a row goes the per-row way."""
        if atlas_id:
            if ("atlas", atlas_id) in batch.index:
                return batch.index["atlas", atlas_id][0], set()
            known = self._numbered.get(atlas_id)
            if known is not None:
                return known, self._cited[known.pk]
        if agency.pk is not None:
            for partnership in self._unnumbered.get(agency.pk, []):
                if ("unnumbered", key, partnership.technology_id, partnership.vendor_id) == (
                    unnumbered
                ):
                    return partnership, self._cited[partnership.pk]
        if unnumbered in batch.index:
            return batch.index[unnumbered][0], set()
        return None, set()


AgencyKey = tuple[str, str]


def _agency_key(row: Row) -> AgencyKey:
    """What agency_upsert finds an agency by."""
    return normalize_name(row.get("agency")), row.get("state")


def _inherited(row: Row) -> str:
    """Agencies and sources have no attribution column: a row from the Atlas passes the Atlas
    credit on to them, as the Atlas import gave it."""
    attribution = row.get("attribution")
    return attribution if row.get("atlas_id") and attribution == ATLAS_ATTRIBUTION else ""


# What a row gives the services, the same for the per-row and the bulk path.


def _agency_fields(plan: CsvRowPlan) -> dict[str, Any]:
    row = plan.row
    return {
        "kind": row.get("agency_kind"),
        "city": row.get("city"),
        "ori": row.get("ori"),
        "attribution": _inherited(row),
        "latitude": plan.latitude,
        "longitude": plan.longitude,
    }


def _source_fields(item: SourcePlan, inherited: str) -> dict[str, Any]:
    return {
        "title": item.title,
        "publisher": item.publisher,
        "published": item.published,
        "archive_url": item.archive_url,
        "attribution": inherited,
    }


def _partnership_fields(plan: CsvRowPlan) -> dict[str, Any]:
    row = plan.row
    return {
        "status": row.get("status"),
        "start": plan.start,
        "end": plan.end,
        "summary": row.get("summary"),
        "product": row.get("product"),
        "atlas_id": row.get("atlas_id") or None,
        "attribution": row.get("attribution"),
    }


def _technology_named(row: Row) -> tuple[str, str]:
    return row.get("technology") or row.get("technology_slug"), row.get("technology_slug")


def _vendor_named(row: Row) -> tuple[str, str] | None:
    if not (clean_text(row.get("vendor")) or row.get("vendor_slug")):
        return None
    return row.get("vendor") or row.get("vendor_slug"), row.get("vendor_slug")


def _source_key(source: Source) -> Hashable:
    """Where a new source is found again: by its address, or a print source by the title and
    publisher it was stored with."""
    if source.url:
        return ("url", source.url)
    return ("print", source.title, source.publisher)


def _date(text: str, column: str) -> PartialDate | None:
    try:
        return PartialDate.parse(text)
    except ValueError:
        raise RowError("unreadable date", f"{column} {text!r} is not a date") from None


def _number(row: Row, column: str) -> float | None:
    text = row.get(column).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError("unreadable number", f"{column} {text!r} is not a number") from None
