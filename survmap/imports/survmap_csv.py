"""Import survmap's own CSV (records/csv_format.py): the export read back, so that an export
loaded into an empty database gives the same records. Ids in the file are not reused: a record
is found by what identifies it (an agency by name and state, a partnership by its Atlas id or by
agency, technology and vendor, a source by its address).

A parser: each row becomes a plan (records/plans.py) without reading a record; the records
service applies them (bulk where it can), with the merge policy and history every writer has."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from itertools import zip_longest
from typing import Any, Protocol, cast

from survmap.common.dates import PartialDate
from survmap.geo.models import State
from survmap.imports.base import RowImporter
from survmap.imports.fields import FieldWarning, read_date, read_link
from survmap.imports.kinds import ImporterKind, NoteKind
from survmap.imports.places import Gazetteer
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records import csv_format
from survmap.records.models import ATLAS_ATTRIBUTION, AgencyKind, PartnershipStatus
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Match,
    Maybe,
    PartnershipPlan,
    PlannedRow,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    given,
)

REASON = "survmap CSV import"


class Dropped(Protocol):
    """Report a value dropped from a kept row (`kind`: how a moderator files it)."""

    def __call__(self, column: str, value: str, reason: str, kind: str = ...) -> None: ...


class CsvImporter(RowImporter):
    """Rows from `readers.read_survmap_csv` (cells already restored) into the record."""

    reason = REASON
    default_label = "survmap CSV"
    kind = ImporterKind.SURVMAP_CSV

    def __init__(self, rows: Iterable[Row], *, gazetteer: Gazetteer | None = None, **options: Any):
        super().__init__(rows, **options)
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer()
        return self._gazetteer

    def plan(self) -> list[PlannedRow | RowError]:
        states = {state.code: state.code for state in State.objects.all()}
        states.update({state.name.casefold(): state.code for state in State.objects.all()})
        plans: list[PlannedRow | RowError] = []
        today = dt.date.today()  # one import, one today (two-digit years are read by it)
        for row in self.rows:
            try:
                plans.append(
                    plan_row(
                        row, states, gazetteer=self.gazetteer, warn=self.report.warn, today=today
                    )
                )
            except RowError as error:
                plans.append(error)
                self.report.reject(row.line, error)
        # An agency with several partnerships of one technology and vendor (a lease that ended,
        # a later purchase) has a row for each: those rows are told apart by their start.
        triples = [_triple(item) if isinstance(item, PlannedRow) else None for item in plans]
        shared = Counter(triples)
        return [
            replace(item, plan=replace(cast(PartnershipPlan, item.plan), match=Match.SAME_START))
            if isinstance(item, PlannedRow) and shared[triple] > 1
            else item
            for item, triple in zip(plans, triples, strict=True)
        ]


def _triple(planned: PlannedRow) -> tuple[str, str, str, str]:
    plan = planned.plan
    assert isinstance(plan, PartnershipPlan)  # this importer plans partnerships only
    technology, vendor = plan.technology, plan.vendor
    return (
        normalize_name(str(plan.agency.name)),
        str(plan.agency.state),
        normalize_name(technology.slug or technology.name)
        if isinstance(technology, TechnologyRef)
        else "",
        normalize_name(vendor.slug or vendor.name) if isinstance(vendor, VendorRef) else "",
    )


# Statuses as people write them, beyond our values and labels.
_STATUS_WORDS = {
    "voted down": PartnershipStatus.REJECTED,
    "withdrawn": PartnershipStatus.REJECTED,
    "declined": PartnershipStatus.REJECTED,
    "cancelled": PartnershipStatus.ENDED,
    "canceled": PartnershipStatus.ENDED,
    "discontinued": PartnershipStatus.ENDED,
    "inactive": PartnershipStatus.ENDED,
    "paused": PartnershipStatus.SUSPENDED,
    "in use": PartnershipStatus.ACTIVE,
    "current": PartnershipStatus.ACTIVE,
    "unknown": PartnershipStatus.NOT_REPORTED,
}
_NO_STATE = "no resolvable state"


def plan_row(
    row: Row,
    states: Mapping[str, str] | set[str],
    *,
    gazetteer: Gazetteer | None = None,
    warn: Callable[[FieldWarning], None] | None = None,
    today: dt.date | None = None,
) -> PlannedRow:
    """One row's plan. A column the file has is supplied (an empty partnership cell makes the
    field empty, as the export round trip needs); a column it lacks leaves the stored value
    alone. Refused: a row without agency, state or technology. Anything else that cannot be
    read is dropped from the row with a warning (`warn`). A place given only as a city or a
    county name is placed by the gazetteer, or left unplaced with a warning. Dates with
    two-digit years are read as of `today` (the day of the import by default)."""
    today = today or dt.date.today()

    def dropped(column: str, value: str, reason: str, kind: str = NoteKind.VALUE_DROPPED) -> None:
        if warn is not None:
            warn(FieldWarning(row.line, column, value, reason, kind))

    def cell(column: str) -> Maybe[str]:
        return row.cells.get(column, UNSET)

    if "__fields__" in row.cells:
        raise RowError("malformed row", "has a different number of fields than the header")
    if not normalize_name(row.get("agency")):
        raise RowError("no agency", "names no agency")
    state = _state(row.get("state"), states)
    if state is None:
        raise RowError(
            "unknown state", f"state {row.get('state')!r} is not a US state or territory"
        )
    if not row.get("technology_slug") and not clean_text(row.get("technology")):
        raise RowError("no technology", "names no technology")
    inherited = _inherited(row) or UNSET
    sources = _sources(row, inherited, dropped, today)
    if not sources:
        dropped(
            "source_urls",
            row.get("source_urls"),
            "no source address: not public until one is added",
            NoteKind.INCOMPLETE,
        )
    agency = AgencyPlan(
        name=clean_text(row.get("agency")),
        state=state,
        kind=_kind(row, dropped),
        city=clean_text(row.get("city")) or UNSET,
        ori=row.get("ori") or UNSET,
        attribution=inherited,
        **_coordinates(row, dropped),
        add_counties=_counties(row, state, gazetteer, dropped),
    )
    technology_name = clean_text(row.get("technology")) or row.get("technology_slug")
    vendors = [clean_text(name) for name in row.get("vendor").split(csv_format.LINE)]
    vendors = [name for name in vendors if name]
    vendor = None
    if vendors or row.get("vendor_slug"):
        vendor = VendorRef(
            name=vendors[0] if vendors else row.get("vendor_slug"), slug=row.get("vendor_slug")
        )
    others = [clean_text(name) for name in row.get("other_vendors").split(csv_format.LINE)]
    other_vendors = tuple(VendorRef(name=name) for name in [*vendors[1:], *others] if name)
    status = _status(row, dropped)
    status_as_of: Maybe[PartialDate | None] = UNSET
    if "status_as_of" in row.cells:
        status_as_of = _date(row, "status_as_of", dropped, today)
    if not given(status_as_of) or status_as_of is None:
        # Confirmed by its newest dated source, when the file does not say.
        dates = [source.published for source in sources.values() if given(source.published)]
        if dates:
            status_as_of = max(dates, key=lambda date: (date.first_day(), date.last_day()))  # type: ignore[union-attr]
    atlas_id = row.get("atlas_id") or None
    return PlannedRow(
        line=row.line,
        label=atlas_id or f"{clean_text(row.get('agency'))} ({state})",
        plan=PartnershipPlan(
            agency=agency,
            technology=TechnologyRef(
                name=technology_name,
                slug=row.get("technology_slug"),
                category=row.get("technology_category"),
            ),
            vendor=vendor if "vendor" in row.cells or "vendor_slug" in row.cells else UNSET,
            other_vendors=other_vendors,
            atlas_id=atlas_id if "atlas_id" in row.cells else UNSET,
            status=status,
            status_as_of=status_as_of,
            start=_date(row, "start_date", dropped, today) if "start_date" in row.cells else UNSET,
            end=_date(row, "end_date", dropped, today) if "end_date" in row.cells else UNSET,
            summary=cell("summary"),
            product=cell("product"),
            attribution=cell("attribution"),
            add_sources=tuple(sources.values()),
        ),
    )


def _state(text: str, states: Mapping[str, str] | set[str]) -> str | None:
    """The USPS code of 'MI', 'mi ' or 'Michigan'."""
    text = clean_text(text)
    if isinstance(states, set):
        return text if text in states else None
    return states.get(text.upper()) or states.get(text.casefold())


def _by_value_and_label(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """A choice's value ('state_police' as 'state police') and its label, casefolded, to the
    value: worked out once, not for every row."""
    found: dict[str, str] = {}
    for value, label in choices:
        found.setdefault(value.replace("_", " "), value)
        found.setdefault(str(label).casefold(), value)
    return found


_KINDS = _by_value_and_label(AgencyKind.choices)
_STATUSES = _by_value_and_label(PartnershipStatus.choices)


def _kind(row: Row, dropped: Dropped) -> Maybe[str]:
    text = clean_text(row.get("agency_kind"))
    key = re.sub(r"[^a-z]+", " ", text.casefold()).strip()
    if key in _KINDS:
        return _KINDS[key]
    if key in {"sheriff s office", "sheriffs office", "sheriff s department"}:
        return AgencyKind.SHERIFF
    if text:
        dropped("agency_kind", text, "not a kind of agency survmap knows; left as it is")
    name = normalize_name(row.get("agency"))
    if "sheriff" in name:
        return AgencyKind.SHERIFF
    if "state police" in name or "highway patrol" in name:
        return AgencyKind.STATE_POLICE
    if "university" in name or "college" in name:
        return AgencyKind.UNIVERSITY
    return UNSET  # a new agency is police, the model's default; a known one keeps its kind


def _status(row: Row, dropped: Dropped) -> str:
    """Our status for the cell; an empty cell is 'not reported' (the source says nothing), as
    is one we cannot read (with a warning)."""
    text = clean_text(row.get("status"))
    key = re.sub(r"[^a-z]+", " ", text.casefold()).strip()
    if not key:
        return PartnershipStatus.NOT_REPORTED
    if key in _STATUSES:
        return _STATUSES[key]
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    dropped("status", text, "not a status survmap knows; recorded as not reported")
    return PartnershipStatus.NOT_REPORTED


def _date(row: Row, column: str, dropped: Dropped, today: dt.date) -> PartialDate | None:
    reading = read_date(row.get(column), today=today)
    if reading.problem:
        dropped(column, clean_text(row.get(column)), reading.problem)
    return reading.value


def _coordinates(row: Row, dropped: Dropped) -> dict[str, Any]:
    numbers = {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        text = row.get(column).strip()
        try:
            number = float(text) if text else None
        except ValueError:
            number = None
        if number is not None and not -limit <= number <= limit:
            number = None
        if text and number is None:
            dropped(column, text, "not a coordinate; dropped")
        numbers[column] = number
    if numbers["latitude"] is None or numbers["longitude"] is None:
        return {}
    return numbers


def _counties(
    row: Row,
    state: str,
    gazetteer: Gazetteer | None,
    dropped: Dropped,
) -> tuple[str, ...]:
    """The FIPS codes the row gives, or else the counties its city or county names place it
    in; a place that cannot be placed is left to a moderator, with a warning."""
    fips = tuple(code.strip() for code in row.get("county_fips").split(";") if code.strip())
    if fips:
        return fips
    counties = "; ".join(
        part.strip() for part in re.split(r";|\n", row.get("counties")) if part.strip()
    )
    city = clean_text(row.get("city"))
    if not (counties or city) or gazetteer is None:
        return ()
    placement = gazetteer.resolve(state=state, city=city, county=counties.replace(";", ","))
    if not placement.placed:
        column = "counties" if counties else "city"
        dropped(
            column,
            counties or city,
            f"{placement.problem}; left for a moderator to place",
            NoteKind.NOT_PLACED,
        )
    return placement.fips


def _sources(
    row: Row, inherited: Maybe[str], dropped: Dropped, today: dt.date
) -> dict[object, SourcePlan]:
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
    for url_text, title, publisher, date, archive_text in zip_longest(*columns, fillvalue=""):
        if not (url_text.strip() or title.strip()):
            continue
        url = read_link(url_text)
        if url.problem:
            dropped("source_urls", clean_text(url_text), url.problem, NoteKind.LINK_DROPPED)
            if not title.strip():
                continue
        archive = read_link(archive_text)
        if archive.problem:
            dropped(
                "source_archive_urls",
                clean_text(archive_text),
                archive.problem,
                NoteKind.LINK_DROPPED,
            )
        reading = read_date(date, today=today)
        if reading.problem:
            dropped("source_dates", clean_text(date), reading.problem)
        source = SourcePlan(
            url=url.url or None,
            title=title or UNSET,
            publisher=publisher or UNSET,
            published=reading.value if reading.value is not None else UNSET,
            archive_url=archive.url or UNSET,
            notes=reading.note or UNSET,
            attribution=inherited,
        )
        sources.setdefault(source.url or (title, publisher), source)
    return sources


def _inherited(row: Row) -> str:
    """Agencies and sources have no attribution column: a row from the Atlas passes the Atlas
    credit on to them, as the Atlas import gave it."""
    attribution = row.get("attribution")
    return attribution if row.get("atlas_id") and attribution == ATLAS_ATTRIBUTION else ""
