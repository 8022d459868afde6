"""Import the EFF Atlas of Surveillance CSV export: each row becomes an agency placed in its
counties, a partnership and its sources, written through the record services.

Repeatable: the same file twice changes nothing, a newer export updates what changed and says
what. All-or-nothing per row: each row is written in its own savepoint, rows are committed in
batches, so a bad row is reported by line and a killed run leaves only whole rows behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from survmap.common.dates import PartialDate
from survmap.common.links import is_http_url
from survmap.geo.models import State
from survmap.imports.base import RowImporter
from survmap.imports.counties import CountyMatch, CountyMatcher
from survmap.imports.fields import (
    DateReading,
    FieldWarning,
    city_without_state,
    read_date,
    read_link,
)
from survmap.imports.kinds import ImporterKind, NoteKind
from survmap.imports.places import Gazetteer
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    AgencyKind,
    PartnershipStatus,
    TechnologyCategory,
)
from survmap.records.normalize import agency_name_key, clean_text, normalize_name
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    PartnershipPlan,
    PlannedRow,
    SourcePlan,
    TechnologyRef,
    VendorRef,
)
from survmap.records.services import ori_of

REASON = "Atlas of Surveillance import"

# Atlas technology names (compared without case or punctuation) -> our fixture slugs.
TECHNOLOGIES: dict[str, tuple[str, TechnologyCategory]] = {
    "ringneighborspartnership": ("ring-neighbors-partnership", TechnologyCategory.DOORBELL_NETWORK),
    "bodyworncameras": ("body-worn-cameras", TechnologyCategory.BODY_CAMERAS),
    "drones": ("drones", TechnologyCategory.DRONES),
    "automatedlicenseplatereaders": (
        "automated-license-plate-readers",
        TechnologyCategory.ALPR,
    ),
    "cameraregistry": ("camera-registry", TechnologyCategory.CAMERA_REGISTRY),
    "facerecognition": ("face-recognition", TechnologyCategory.FACE_RECOGNITION),
    "predictivepolicing": ("predictive-policing", TechnologyCategory.PREDICTIVE_POLICING),
    "gunshotdetection": ("gunshot-detection", TechnologyCategory.GUNSHOT_DETECTION),
    "fusioncenter": ("fusion-center", TechnologyCategory.FUSION_CENTER),
    "cellsitesimulator": ("cell-site-simulator", TechnologyCategory.CELL_SITE_SIMULATOR),
    "realtimecrimecenter": ("real-time-crime-center", TechnologyCategory.REAL_TIME_CRIME_CENTER),
    "videoanalyticscomputervision": ("video-analytics", TechnologyCategory.VIDEO_ANALYTICS),
    "videoanalytics": ("video-analytics", TechnologyCategory.VIDEO_ANALYTICS),
}
# For a technology we lack: a category from words in its name, 'other' when none fits.
_CATEGORY_WORDS: tuple[tuple[str, TechnologyCategory], ...] = (
    ("face", TechnologyCategory.FACE_RECOGNITION),
    ("drone", TechnologyCategory.DRONES),
    ("plate", TechnologyCategory.ALPR),
    ("robot", TechnologyCategory.ROBOT),
    ("camera", TechnologyCategory.CAMERA_REGISTRY),
    ("video", TechnologyCategory.VIDEO_ANALYTICS),
    ("predictive", TechnologyCategory.PREDICTIVE_POLICING),
    ("gunshot", TechnologyCategory.GUNSHOT_DETECTION),
)
_FEDERAL_LEA = {"dhs", "homeland security", "marshals", "fbi", "dea", "atf", "ice", "cbp"}
_STATE_POLICE_LEA = {"state police", "highway patrol", "state patrol"}
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]*/(?P<original>.+)$", re.IGNORECASE)
_VENDOR_PLACEHOLDERS = {"others", "other", "unknown", "na", "n a"}
# A vendor cell that names a law-enforcement agency is a slip of the source (the 2020 export's
# row AOS4790 has "Village of Chatham Police Department" there): no vendor, never created as one.
_AGENCY_ENDINGS = ("police department", "sheriffs office", "sheriffs department")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", clean_text(text).casefold())


def export_date(name: str) -> PartialDate | None:
    """The date in an export's file name ('Atlas_of_Surveillance-20201007.csv'), if any."""
    match = re.search(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)", name)
    if match is None:
        return None
    try:
        return PartialDate(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def canonical_atlas_id(text: str) -> str:
    """'AOS0001' (2020 export) and 'AOS000001' (current export) name the same row."""
    text = clean_text(text).upper()
    match = re.fullmatch(r"AOS0*(\d+)", text)
    return f"AOS{int(match[1]):04d}" if match else text


def agency_kind(type_of_lea: str, type_of_juris: str) -> AgencyKind:
    lea, juris = clean_text(type_of_lea).casefold(), clean_text(type_of_juris).casefold()
    if juris == "university" or "university" in lea:
        return AgencyKind.UNIVERSITY
    if juris.startswith("school") or lea.startswith("school"):
        return AgencyKind.SCHOOL
    if lea in _STATE_POLICE_LEA:
        return AgencyKind.STATE_POLICE
    if lea in _FEDERAL_LEA or juris == "federal":
        return AgencyKind.FEDERAL
    if lea == "sheriff":
        return AgencyKind.SHERIFF
    if lea in {"police", "transit police"}:
        return AgencyKind.POLICE
    return AgencyKind.OTHER


@dataclass(frozen=True)
class Link:
    url: str
    archive_url: str = ""
    publisher: str = ""
    published: PartialDate | None = None
    notes: str = ""  # what the row said that the values above do not ('Date given as ...')


@dataclass
class AgencyInFile:
    """One agency as the whole file describes it: the first row's kind and city, every row's
    counties. Deciding once per file keeps a re-import from flip-flopping between rows."""

    name: str
    state: str
    kind: str
    city: str
    counties: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    ori: str = ""


@dataclass
class RowPlan:
    row: Row
    atlas_id: str
    agency_key: tuple[str, str]
    technology: str
    vendors: list[str]
    status: str
    start: PartialDate | None
    summary: str
    links: list[Link]


class AtlasImporter(RowImporter):
    """Import Atlas rows (from `readers.read_atlas`, or any Rows in tests) into the record."""

    reason = REASON
    source = "atlas"
    kind = ImporterKind.ATLAS
    default_label = "Atlas of Surveillance export"

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        dry_run: bool = False,
        progress: bool | None = False,
        batch_size: int = 500,
        matcher: CountyMatcher | None = None,
        gazetteer: Gazetteer | None = None,
        today: dt.date | None = None,
        label: str = "",
        list_date: PartialDate | None = None,
        file_name: str = "",
        user: Any = None,
    ) -> None:
        super().__init__(
            rows,
            dry_run=dry_run,
            progress=progress,
            batch_size=batch_size,
            label=label,
            file_name=file_name,
            user=user,
        )
        # When the export was taken (its file name says, e.g. ...-20201007.csv): the date at
        # which the Atlas last listed each of its rows.
        self.list_date = list_date
        self.matcher = matcher or CountyMatcher()
        self._gazetteer = gazetteer
        self.today = today
        self._file_agencies: dict[tuple[str, str], AgencyInFile] = {}
        self._source_values: dict[str, Link] = {}
        self._agency_records: dict[tuple[str, str], AgencyPlan] = {}

    @property
    def gazetteer(self) -> Gazetteer:
        """Built on first use (its index loads in a second or so): most files name counties."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer(matcher=self.matcher)
        return self._gazetteer

    # Planning: read and check every row, decide per agency and per source, write nothing.

    def plan(self) -> list[PlannedRow | RowError]:
        """Every row read and checked, the agencies' and sources' values decided once for
        the file; then one plan per row. Reads no record (only the list of states)."""
        states = set(State.objects.values_list("code", flat=True))
        plans: list[RowPlan | RowError] = []
        seen: dict[str, int] = {}
        for row in self.rows:
            try:
                plan = self._plan_row(row, states)
                if plan.atlas_id in seen:
                    raise RowError(
                        "duplicate row id",
                        f"{plan.atlas_id} already appears on line {seen[plan.atlas_id]}",
                    )
                seen[plan.atlas_id] = row.line
                plans.append(plan)
            except RowError as error:
                plans.append(error)
                self.report.reject(row.line, error)
        self._merge_sources(plans)
        return [plan if isinstance(plan, RowError) else self._planned(plan) for plan in plans]

    def _plan_row(self, row: Row, states: set[str]) -> RowPlan:
        if "__fields__" in row.cells:
            raise RowError(
                "malformed row", f"has {row.cells['__fields__']} fields, not as the header says"
            )
        atlas_id = canonical_atlas_id(row.get("AOSNUMBER"))
        if not atlas_id:
            raise RowError("no row id", "has no AOSNUMBER")
        name = clean_text(row.get("Agency"))
        if not normalize_name(name):
            raise RowError("no agency", f"{atlas_id} names no agency")
        state = clean_text(row.get("State")).upper()
        if state not in states:
            raise RowError(
                "unknown state", f"{atlas_id}: state {state!r} is not a US state or territory"
            )
        technology = clean_text(row.get("Technology"))
        if not _key(technology):
            raise RowError("no technology", f"{atlas_id} names no technology")
        links = self._links(row, atlas_id)
        start = None
        if _key(technology) == "ringneighborspartnership":
            # For Ring/Neighbors the Atlas dates Link 1 when the agency joined.
            start = self._date(row, 1, atlas_id)
        status = self._status(row, atlas_id)
        counties = self._counties(row, state)
        self._plan_agency(row, name, state, counties)
        return RowPlan(
            row=row,
            atlas_id=atlas_id,
            agency_key=(agency_name_key(name), state),
            technology=technology,
            vendors=self._vendors(row),
            status=status,
            start=start,
            summary=row.get("Summary").strip(),
            links=links,
        )

    def _date(self, row: Row, number: int, atlas_id: str) -> PartialDate | None:
        """The link's date, read leniently (fields.read_date); an unreadable one is dropped from
        the row with a warning, and a range's text is kept in the source's notes."""
        return self._date_reading(row, number).value

    def _date_reading(self, row: Row, number: int) -> DateReading:
        column = f"Link {number} Date"
        reading = read_date(row.get(column), today=self.today)
        if reading.problem:
            self.report.warn(
                FieldWarning(row.line, column, row.get(column).strip(), reading.problem)
            )
        return reading

    def _status(self, row: Row, atlas_id: str) -> str:
        """The Status column where an export has one; the 2020 export has none, and a row of
        the Atlas says the agency uses the technology: active (as of its newest source)."""
        text = _key(row.get("Status"))
        if not text:
            return PartnershipStatus.ACTIVE
        for value, label in PartnershipStatus.choices:
            if text in {_key(value), _key(str(label))}:
                return value
        self.report.warn(
            FieldWarning(
                row.line, "Status", row.get("Status").strip(), "unknown status; not reported"
            )
        )
        return PartnershipStatus.NOT_REPORTED

    def _vendors(self, row: Row) -> list[str]:
        """Every vendor the row names, in its order, once each: the first is the vendor,
        the others are linked as the partnership's other vendors. An agency's name is no
        vendor: left out, with a warning."""
        names = [" ".join(clean_text(part).split()) for part in row.get("Vendor").split(",")]
        kept = [name for name in names if _key(name) and _key(name) not in _VENDOR_PLACEHOLDERS]
        for name in _agency_names(row.get("Vendor")):
            kept.remove(name)
            self.report.warn(
                FieldWarning(row.line, "Vendor", name, "an agency's name, not a vendor; left out")
            )
        unique: dict[str, str] = {}
        for name in kept:
            unique.setdefault(_key(name), name)
        return list(unique.values())

    def _counties(self, row: Row, state: str) -> CountyMatch:
        latitude, longitude = self._coordinates(row)
        if latitude is not None and longitude is not None:
            fips = self.matcher.locate(latitude=latitude, longitude=longitude)
            if fips is not None:
                return CountyMatch(fips=[fips], named=True, located=True)
        match = self.matcher.match(state=state, county=row.get("County"), city=row.get("City"))
        if match.complete or not clean_text(row.get("City")):
            return match
        # No county named, or one the census lacks: the gazetteer places the row's city.
        placement = self.gazetteer.resolve(state=state, city=row.get("City"))
        if placement.placed:
            for fips in placement.fips:
                match.add(fips)
            self.report.notes.append(
                (row.line, f"placed by its city {clean_text(row.get('City'))!r} ({placement.how})")
            )
            match.unmatched = []
        elif match.unmatched:
            self.report.warn(
                FieldWarning(
                    row.line,
                    "County",
                    clean_text(row.get("County")),
                    f"not a census county of {state}, and {placement.problem}; "
                    "left for a moderator to place",
                    kind=NoteKind.NOT_PLACED,
                )
            )
        return match

    def _coordinates(self, row: Row) -> tuple[float | None, float | None]:
        values = []
        for names in (("Latitude", "Lat"), ("Longitude", "Lon", "Long")):
            text = next((row.get(name) for name in names if row.get(name).strip()), "")
            try:
                values.append(float(text))
            except ValueError:
                return None, None
        latitude, longitude = values
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None, None
        return latitude, longitude

    def _plan_agency(self, row: Row, name: str, state: str, counties: CountyMatch) -> None:
        report = self.report
        if counties.located or counties.complete:
            report.counties_matched += 1
        elif counties.named:
            report.counties_unmatched += 1
            for text in counties.unmatched:
                report.unmatched_counties[f"{text}, {state}"] += 1
        elif counties.fips:
            report.counties_matched += 1
        else:
            report.no_county += 1
        report.counties_corrected += len(counties.corrected)
        for text, census_name in counties.corrected:
            report.notes.append((row.line, f"county {text!r} read as {census_name}"))
        key = (agency_name_key(name), state)
        plan = self._file_agencies.get(key)
        if plan is None:
            plan = AgencyInFile(
                name=name,
                state=state,
                kind=agency_kind(row.get("Type of LEA"), row.get("Type of Juris")),
                city=city_without_state(row.get("City") or "", state),
            )
            self._file_agencies[key] = plan
        for fips in counties.fips:
            if fips not in plan.counties:
                plan.counties.append(fips)
        latitude, longitude = self._coordinates(row)
        if plan.latitude is None and latitude is not None:
            plan.latitude, plan.longitude = latitude, longitude
        # The current export: an ORI in the first nine characters, a placeholder ('XX...') for
        # an agency without one, or a row number.
        ori = ori_of(row.get("NEWAOSNUMBER (ORI9)"))
        if ori and not plan.ori:
            plan.ori = ori

    def _links(self, row: Row, atlas_id: str) -> list[Link]:
        """The row's sources: http(s) links with publisher and date; a Wayback Machine link
        becomes the archived copy of the link it preserves, or a source of its own."""
        found: list[Link] = []
        archives: list[tuple[str, str, str, PartialDate | None]] = []
        for number in (1, 2, 3):
            url, more = clean_text(row.get(f"Link {number}")), []
            if len(url.split()) > 1 and all("://" in part for part in url.split()):
                url, *more = url.split()
            # 'https://a https://a': the same address pasted twice, or a second one added.
            for extra in more:
                if is_http_url(extra) and not _same_url(extra, url):
                    found.append(Link(url=extra))
            url = self._link(row, f"Link {number}", url, atlas_id)
            snapshot = self._link(
                row, f"Link {number} Snapshot", row.get(f"Link {number} Snapshot"), atlas_id
            )
            if not url and not snapshot:
                continue
            reading = self._date_reading(row, number)
            published = reading.value
            publisher = clean_text(row.get(f"Link {number} Source"))
            if not url:
                url, snapshot = snapshot, ""
            wayback = _WAYBACK.match(url)
            if wayback:
                archives.append((wayback["original"], url, publisher, published))
                continue
            if snapshot:
                wayback_snapshot = _WAYBACK.match(snapshot)
                if wayback_snapshot and not _same_url(wayback_snapshot["original"], url):
                    archives.append((wayback_snapshot["original"], snapshot, "", None))
                    snapshot = ""
            found.append(
                Link(
                    url=url,
                    archive_url=snapshot,
                    publisher=publisher,
                    published=published,
                    notes=reading.note,
                )
            )
        for text in clean_text(row.get("Other Links")).replace(",", " ").split():
            text = self._link(row, "Other Links", text, atlas_id)
            if text and not any(_same_url(text, link.url) for link in found):
                found.append(Link(url=text))
        for original, archive, publisher, published in archives:
            index = next((i for i, link in enumerate(found) if _same_url(original, link.url)), None)
            if index is not None:
                link = found[index]
                found[index] = Link(link.url, archive, link.publisher, link.published)
                continue
            if not re.match(r"https?://", original, re.IGNORECASE):
                original = "http://" + original
            # Stands alone: the original address, with the Wayback copy as its archive.
            url = original if is_http_url(original) else archive
            found.append(
                Link(url=url, archive_url=archive, publisher=publisher, published=published)
            )
        return found

    def _link(self, row: Row, column: str, text: str, atlas_id: str) -> str:
        """An address read leniently (fields.read_link): kept, given a scheme, or dropped and
        listed."""
        reading = read_link(text)
        if reading.problem:
            self.report.dropped_links.append((row.line, f"{atlas_id}: {clean_text(text)!r}"))
            self.report.warn(
                FieldWarning(
                    row.line, column, clean_text(text), reading.problem, NoteKind.LINK_DROPPED
                )
            )
        elif reading.fixed:
            self.report.notes.append((row.line, f"{column} {clean_text(text)!r}: {reading.fixed}"))
        return reading.url

    def _merge_sources(self, plans: list[RowPlan | RowError]) -> None:
        """One set of values per address across the file: the first publisher, date and archive
        any row gives. Rows citing one article with different dates would otherwise overwrite
        each other on every run."""
        merged: dict[str, Link] = {}
        # A page many rows cite with different dates (Ring's map of partner agencies, where
        # the Atlas dates each row by when the agency joined) has no one publication date.
        undated: set[str] = set()
        for plan in plans:
            if isinstance(plan, RowError):
                continue
            for link in plan.links:
                known = merged.get(link.url)
                if known is None:
                    merged[link.url] = link
                    continue
                if known.published and link.published and known.published != link.published:
                    undated.add(link.url)
                merged[link.url] = Link(
                    url=link.url,
                    archive_url=known.archive_url or link.archive_url,
                    publisher=known.publisher or link.publisher,
                    published=known.published or link.published,
                    notes=known.notes or link.notes,
                )
        for url in undated:
            link = merged[url]
            merged[url] = Link(link.url, link.archive_url, link.publisher, None, link.notes)
        self._source_values = merged

    # The plans: one per row, the agency's and each source's values decided once per file.

    def _label(self, plan: RowPlan) -> str:
        return plan.atlas_id

    def _agency_plan(self, key: tuple[str, str]) -> AgencyPlan:
        found = self._agency_records.get(key)
        if found is None:
            plan = self._file_agencies[key]
            coordinates = plan.latitude is not None and plan.longitude is not None
            found = AgencyPlan(
                name=plan.name,
                state=plan.state,
                kind=plan.kind,
                city=plan.city or UNSET,
                latitude=plan.latitude if coordinates else UNSET,
                longitude=plan.longitude if coordinates else UNSET,
                ori=plan.ori or UNSET,
                attribution=ATLAS_ATTRIBUTION,
                add_counties=tuple(plan.counties),
            )
            self._agency_records[key] = found
        return found

    def _status_as_of(self, plan: RowPlan) -> PartialDate | None:
        """When a source last confirmed the row's status: its newest dated link, or the date
        of the export (the list it came from). Ring/Neighbors rows come from Ring's list of
        partner agencies, so the export's date is their confirmation; their link date is when
        the agency joined."""
        dates = [link.published for link in plan.links if link.published is not None]
        if self.list_date is not None and (
            not dates or _key(plan.technology) == "ringneighborspartnership"
        ):
            return self.list_date
        return max(dates, key=lambda date: (date.first_day(), date.last_day())) if dates else None

    def _source_plan(self, link: Link) -> SourcePlan:
        values = self._source_values.get(link.url, link)
        return SourcePlan(
            url=values.url,
            publisher=values.publisher or UNSET,
            published=values.published if values.published is not None else UNSET,
            archive_url=values.archive_url or UNSET,
            notes=values.notes or UNSET,
            attribution=ATLAS_ATTRIBUTION,
        )

    def _planned(self, plan: RowPlan) -> PlannedRow:
        slug, category = TECHNOLOGIES.get(_key(plan.technology), ("", _category(plan.technology)))
        summary = plan.summary
        sources = {link.url: self._source_plan(link) for link in plan.links}
        return PlannedRow(
            line=plan.row.line,
            label=plan.atlas_id,
            plan=PartnershipPlan(
                agency=self._agency_plan(plan.agency_key),
                technology=TechnologyRef(name=plan.technology, slug=slug, category=category),
                vendor=VendorRef(name=plan.vendors[0])
                if plan.vendors
                # A cell that only named an agency says nothing of the vendor.
                else (UNSET if _agency_names(plan.row.get("Vendor")) else None),
                other_vendors=tuple(VendorRef(name=name) for name in plan.vendors[1:]),
                atlas_id=plan.atlas_id,
                status=plan.status,
                status_as_of=self._status_as_of(plan),
                start=plan.start if plan.start is not None else UNSET,
                summary=summary or UNSET,
                attribution=ATLAS_ATTRIBUTION,
                add_sources=tuple(sources.values()),
            ),
        )


def _agency_names(text: str) -> list[str]:
    """The names in a vendor cell that are a law-enforcement agency's."""
    names = [" ".join(clean_text(part).split()) for part in text.split(",")]
    return [name for name in names if normalize_name(name).endswith(_AGENCY_ENDINGS)]


def _category(name: str) -> TechnologyCategory:
    lowered = name.casefold()
    return next(
        (category for word, category in _CATEGORY_WORDS if word in lowered),
        TechnologyCategory.OTHER,
    )


def _same_url(first: str, second: str) -> bool:
    def strip(url: str) -> str:
        parts = urlsplit(url if "://" in url else "http://" + url)
        return (
            f"{parts.netloc.casefold().removeprefix('www.')}{parts.path.rstrip('/')}?{parts.query}"
        )

    return strip(first) == strip(second)
