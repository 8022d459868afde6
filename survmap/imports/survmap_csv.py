"""Import survmap's own CSV (records/csv_format.py): the export read back, so that an export
loaded into an empty database gives the same records. Ids in the file are not reused: a record
is found by what identifies it (an agency by name and state, a partnership by its Atlas id or by
agency, technology and vendor, a source by its address)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from survmap.common.dates import PartialDate
from survmap.geo.models import State
from survmap.imports.base import RowImporter
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records import csv_format
from survmap.records.models import ATLAS_ATTRIBUTION, AgencyKind, Partnership, PartnershipStatus
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.services import (
    Outcome,
    agency_upsert,
    partnership_upsert,
    source_upsert,
    technology_get_or_create,
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


class CsvImporter(RowImporter):
    """Rows from `readers.read_survmap_csv` (cells already restored) into the record."""

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
        attribution = row.get("attribution")
        # Agencies and sources have no attribution column: a row from the Atlas passes the
        # Atlas credit on to them, as the Atlas import gave it.
        inherited = attribution if atlas_id and attribution == ATLAS_ATTRIBUTION else ""
        agency, outcome = agency_upsert(
            name=row.get("agency"),
            state=row.get("state"),
            kind=row.get("agency_kind"),
            city=row.get("city"),
            county_fips=plan.county_fips,
            latitude=plan.latitude,
            longitude=plan.longitude,
            ori=row.get("ori"),
            attribution=inherited,
            reason=REASON,
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"agency {agency.name} {outcome}")
        self.checkpoint("agency", row)
        technology, outcome = technology_get_or_create(
            name=row.get("technology") or row.get("technology_slug"),
            slug=row.get("technology_slug"),
            category=row.get("technology_category"),
            reason=REASON,
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"technology {technology.name} {outcome}")
        vendor = None
        if clean_text(row.get("vendor")) or row.get("vendor_slug"):
            vendor, outcome = vendor_get_or_create(
                name=row.get("vendor") or row.get("vendor_slug"),
                slug=row.get("vendor_slug"),
                reason=REASON,
            )
            if outcome != Outcome.UNCHANGED:
                changes.append(f"vendor {vendor.name} {outcome}")
        sources = []
        for item in plan.sources:
            source, outcome = source_upsert(
                url=item.url or None,
                title=item.title,
                publisher=item.publisher,
                published=item.published,
                archive_url=item.archive_url,
                attribution=inherited,
                reason=REASON,
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
            status=row.get("status"),
            start=plan.start,
            end=plan.end,
            summary=row.get("summary"),
            product=row.get("product"),
            atlas_id=atlas_id,
            attribution=attribution,
            instance=instance,
            reason=REASON,
        )
        self.checkpoint("partnership", row)
        if outcome == Outcome.CREATED:
            return Outcome.CREATED, []
        if outcome == Outcome.UPDATED:
            changes.append(f"partnership {partnership.pk} updated")
        return (Outcome.UPDATED if changes else Outcome.UNCHANGED), changes


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
