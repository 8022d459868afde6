"""Import survmap's own CSV (records/csv_format.py): the export read back, so that an export
loaded into an empty database gives the same records. Ids in the file are not reused: a record
is found by what identifies it (an agency by name and state, a partnership by its Atlas id or by
agency, technology and vendor, a source by its address).

A parser: each row becomes a plan (records/plans.py) without reading a record; the records
service applies them (bulk where it can), with the merge policy and history every writer has."""

from __future__ import annotations

from itertools import zip_longest

from survmap.common.dates import PartialDate
from survmap.geo.models import State
from survmap.imports.base import RowImporter
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records import csv_format
from survmap.records.models import ATLAS_ATTRIBUTION, AgencyKind, PartnershipStatus
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    PartnershipPlan,
    PlannedRow,
    SourcePlan,
    TechnologyRef,
    VendorRef,
)

REASON = "survmap CSV import"


class CsvImporter(RowImporter):
    """Rows from `readers.read_survmap_csv` (cells already restored) into the record."""

    reason = REASON
    default_label = "survmap CSV"

    def plan(self) -> list[PlannedRow | RowError]:
        states = set(State.objects.values_list("code", flat=True))
        plans: list[PlannedRow | RowError] = []
        for row in self.rows:
            try:
                plans.append(plan_row(row, states))
            except RowError as error:
                plans.append(error)
                self.report.reject(row.line, error)
        return plans


def plan_row(row: Row, states: set[str]) -> PlannedRow:
    """One row's plan: every partnership column supplied; the agency's and sources' empty cells
    leave what is stored alone."""
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
    inherited = _inherited(row) or UNSET
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
    sources: dict[object, SourcePlan] = {}
    for url, title, publisher, date, archive in zip_longest(*columns, fillvalue=""):
        if not (url.strip() or title.strip()):
            continue
        published = _date(date, "source date")
        source = SourcePlan(
            url=url.strip() or None,
            title=title or UNSET,
            publisher=publisher or UNSET,
            published=published if published is not None else UNSET,
            archive_url=archive.strip() or UNSET,
            attribution=inherited,
        )
        sources.setdefault(source.url or (title, publisher), source)
    fips = tuple(code.strip() for code in row.get("county_fips").split(";") if code.strip())
    coordinates = latitude is not None and longitude is not None
    agency = AgencyPlan(
        name=row.get("agency"),
        state=row.get("state"),
        kind=row.get("agency_kind"),
        city=row.get("city") or UNSET,
        ori=row.get("ori") or UNSET,
        attribution=inherited,
        latitude=latitude if coordinates else UNSET,
        longitude=longitude if coordinates else UNSET,
        add_counties=fips,
    )
    technology_name = row.get("technology") or row.get("technology_slug")
    vendor = None
    if clean_text(row.get("vendor")) or row.get("vendor_slug"):
        vendor = VendorRef(
            name=row.get("vendor") or row.get("vendor_slug"), slug=row.get("vendor_slug")
        )
    atlas_id = row.get("atlas_id") or None
    return PlannedRow(
        line=row.line,
        label=atlas_id or f"{row.get('agency')} ({row.get('state')})",
        row=row,
        plan=PartnershipPlan(
            agency=agency,
            technology=TechnologyRef(
                name=technology_name,
                slug=row.get("technology_slug"),
                category=row.get("technology_category"),
            ),
            vendor=vendor,
            atlas_id=atlas_id,
            status=row.get("status"),
            start=_date(row.get("start_date"), "start_date"),
            end=_date(row.get("end_date"), "end_date"),
            summary=row.get("summary"),
            product=row.get("product"),
            attribution=row.get("attribution"),
            add_sources=tuple(sources.values()),
        ),
    )


def _inherited(row: Row) -> str:
    """Agencies and sources have no attribution column: a row from the Atlas passes the Atlas
    credit on to them, as the Atlas import gave it."""
    attribution = row.get("attribution")
    return attribution if row.get("atlas_id") and attribution == ATLAS_ATTRIBUTION else ""


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
