"""Import the FBI Crime Data Explorer's list of US law-enforcement agencies (the directory):
each row becomes an agency with its ORI, kind, point and counties, written through the record
services, credited "FBI Crime Data Explorer".

The directory is survmap's base layer: `load_starter_data` loads it before the research and the
Atlas, so that their agencies are found in it (by ORI, else by name as the one matcher,
`records.writing.matching`, decides) instead of being created twice. An agency survmap already
knows keeps its name and gains the ORI; the FBI's name is kept as one of its known names.

A row is planned without the database (only the list of states): its ORI must be nine letters
and digits of its state, once in the file; its state known; its counties are the FBI's county
names matched to the census counties of the state (`counties.CountyMatcher`), else the county
its point falls in, else none, with a note for a moderator. A refused row is listed by line and
nothing of it is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from survmap.geo.models import State
from survmap.imports.base import RowImporter
from survmap.imports.counties import CountyMatcher
from survmap.imports.fields import FieldWarning
from survmap.imports.kinds import ImporterKind, NoteKind
from survmap.imports.readers import FileRefused, Row, decode, read_file, read_rows
from survmap.imports.report import RowError
from survmap.records import provenance
from survmap.records.models import AgencyKind
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.plans import UNSET, AgencyPlan, PlannedRow

ATTRIBUTION = "FBI Crime Data Explorer"
REASON = "FBI agency directory import"
WHAT = "the FBI's agency list (Crime Data Explorer)"
REQUIRED = ("ori", "agency_name", "agency_type_name", "county_name", "state_abbr")
# The FBI's codes that are not the USPS's: Nebraska is 'NB' in its list and its ORIs, Guam 'GM'.
STATE_CODES = {"NB": "NE", "GM": "GU"}
_ORI9 = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")


def read_directory(source: bytes | str | Any) -> list[Row]:
    """The directory's rows, the whole file checked before anything is written."""
    if not isinstance(source, bytes | str):
        source = read_file(source)
    text = decode(source, what=WHAT) if isinstance(source, bytes) else source.lstrip("\ufeff")
    _, rows = read_rows(text, required=REQUIRED, what=WHAT)
    if not rows:
        raise FileRefused(f"The file lists no agency: it is not {WHAT}.")
    return rows


def agency_kind(type_name: str, name: str) -> AgencyKind:
    """survmap's kind for the FBI's agency type, read with the name where the type is broad
    ('County' holds sheriffs and county police; 'Other' school districts and transit police)."""
    kind, words = clean_text(type_name).casefold(), normalize_name(name)
    if kind == "state police" or re.search(
        r"\b(highway patrol|state police|state patrol)\b", words
    ):
        return AgencyKind.STATE_POLICE
    if kind == "other state agency" and words == "department of public safety":
        # A state's Department of Public Safety with no division named is its state police
        # (Texas's; Arizona's the FBI types "State Police"). The directory's kind holds against
        # other sources (provenance.AUTHORITY), so it must be right.
        return AgencyKind.STATE_POLICE
    if kind == "city":
        # A city's agency, whatever its place's name says: College Park, University City and
        # University Heights are cities with police of their own, not campuses.
        return AgencyKind.SHERIFF if re.search(r"\bsheriff", words) else AgencyKind.POLICE
    if kind == "university or college" or re.search(r"\b(university|college)\b", words):
        return AgencyKind.UNIVERSITY
    if re.search(r"\b(school|schools)\b", words):
        return AgencyKind.SCHOOL
    if re.search(r"\bsheriff", words):
        return AgencyKind.SHERIFF
    if kind in ("city", "county", "tribal") or re.search(r"\b(police|public safety)\b", words):
        # A tribe's police are its police; a county without a sheriff in its name is a county
        # police department ('Baltimore County Police Department').
        return AgencyKind.POLICE
    return AgencyKind.OTHER


@dataclass
class Listed:
    """One row, read: what the FBI says of the agency, before names are made unique."""

    row: Row
    name: str
    state: str
    ori: str
    kind: str
    county_text: str
    city: str = ""
    counties: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None


class DirectoryImporter(RowImporter):
    """Import the directory's rows (from `read_directory`, or any Rows in tests)."""

    reason = REASON
    # The source that holds an agency's ORI, kind, point and campus city against other imports
    # (provenance.AUTHORITY).
    source = provenance.DIRECTORY_SOURCE
    kind = ImporterKind.DIRECTORY
    default_label = "FBI agency directory"

    def __init__(
        self, rows: Iterable[Row], *, matcher: CountyMatcher | None = None, **options: Any
    ) -> None:
        super().__init__(rows, **options)
        self.matcher = matcher or CountyMatcher()
        self._fips_of: dict[str, str] = {}

    def plan(self) -> list[PlannedRow | RowError]:
        self._fips_of = dict(State.objects.values_list("code", "fips"))
        states = set(self._fips_of)
        listed: list[Listed] = []
        seen: dict[str, int] = {}
        for row in self.rows:
            try:
                item = self._read(row, states)
                if item.ori in seen:
                    raise RowError(
                        "repeated ORI", f"ORI {item.ori} is already listed on line {seen[item.ori]}"
                    )
                seen[item.ori] = row.line
            except RowError as error:
                self.report.reject(row.line, error)
                continue
            listed.append(item)
        names = _unique_names(listed)
        planned: list[PlannedRow | RowError] = []
        for item in listed:
            self._place(item)
            coordinates = item.latitude is not None and item.longitude is not None
            planned.append(
                PlannedRow(
                    line=item.row.line,
                    label=item.ori,
                    plan=AgencyPlan(
                        name=names[id(item)],
                        state=item.state,
                        kind=item.kind,
                        ori=item.ori,
                        city=item.city or UNSET,
                        latitude=item.latitude if coordinates else UNSET,
                        longitude=item.longitude if coordinates else UNSET,
                        attribution=ATTRIBUTION,
                        add_counties=item.counties,
                    ),
                )
            )
        return planned

    def _read(self, row: Row, states: set[str]) -> Listed:
        if "__fields__" in row.cells:
            raise RowError(
                "malformed row", f"has {row.cells['__fields__']} fields, not as the header says"
            )
        ori = "".join(row.get("ori").split()).upper()
        if not _ORI9.fullmatch(ori):
            raise RowError(
                "malformed ORI", f"ORI {row.get('ori')!r} is not nine letters and digits"
            )
        given_state = clean_text(row.get("state_abbr")).upper()
        state = STATE_CODES.get(given_state, given_state)
        if state not in states:
            raise RowError("unknown state", f"state {given_state!r} is not a US state or territory")
        if STATE_CODES.get(ori[:2], ori[:2]) != state:
            raise RowError("malformed ORI", f"ORI {ori} is not one of {state}'s")
        name = clean_text(row.get("agency_name")).rstrip(":").strip()
        if not normalize_name(name):
            raise RowError("no agency", f"ORI {ori} names no agency")
        latitude, longitude = self._point(row)
        kind = agency_kind(row.get("agency_type_name"), name)
        # 'Baylor University: Waco': a college's campus is where its police are. A county
        # ('University of Chicago: Cook County', 'University of Maryland: Baltimore County') is
        # no city: left for another source to give.
        _, colon, campus = name.partition(":")
        campus = campus.strip()
        if re.search(r"\bcounty$", campus, re.IGNORECASE):
            campus = ""
        return Listed(
            row=row,
            name=name,
            state=state,
            ori=ori,
            kind=kind,
            city=campus if colon and kind == AgencyKind.UNIVERSITY else "",
            county_text=clean_text(row.get("county_name")),
            latitude=latitude,
            longitude=longitude,
        )

    def _point(self, row: Row) -> tuple[float | None, float | None]:
        texts = (row.get("latitude").strip(), row.get("longitude").strip())
        if not any(texts):
            return None, None
        try:
            latitude, longitude = (float(text) for text in texts)
        except ValueError:
            latitude = longitude = float("nan")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also NaN
            self.report.warn(
                FieldWarning(
                    row.line, "latitude, longitude", ", ".join(texts), "not a point; left out"
                )
            )
            return None, None
        return latitude, longitude

    def _place(self, item: Listed) -> None:
        """The agency's counties: the FBI's names, else where its point falls, else none."""
        report, line = self.report, item.row.line
        found: list[str] = []
        if item.county_text:
            match = self.matcher.match(state=item.state, county=item.county_text)
            found = list(match.fips)
            for text, census_name in match.corrected:
                report.counties_corrected += 1
                report.notes.append((line, f"county {text!r} read as {census_name}"))
            for text in match.unmatched:
                report.unmatched_counties[f"{text}, {item.state}"] += 1
                report.warn(
                    FieldWarning(
                        line,
                        "county_name",
                        text,
                        f"not a census county of {item.state}; left out",
                        kind=NoteKind.NOT_PLACED,
                    )
                )
            if match.unmatched:
                report.counties_unmatched += 1
        if not found and item.latitude is not None and item.longitude is not None:
            fips = self.matcher.locate(latitude=item.latitude, longitude=item.longitude)
            if fips is not None and fips[:2] == self._fips_of.get(item.state):
                found = [fips]  # as the Atlas import places a row with a point: no note
        if found:
            report.counties_matched += 1
        else:
            report.no_county += 1
            report.warn(
                FieldWarning(
                    line,
                    "county_name",
                    item.county_text,
                    "no census county named and no point in the state: left for a moderator "
                    "to place",
                    kind=NoteKind.NOT_PLACED,
                )
            )
        item.counties = tuple(found)


def _unique_names(listed: list[Listed]) -> dict[int, str]:
    """Each agency's name, unique in its state as survmap requires: a name the FBI gives
    several agencies of one state ('Highway Patrol', eleven times in Kansas) is given each with
    its county, or its ORI where the county does not tell them apart. Decided for the whole
    file, so that the order of its rows changes nothing."""
    groups: dict[tuple[str, str], list[Listed]] = defaultdict(list)
    for item in listed:
        groups[(normalize_name(item.name), item.state)].append(item)
    names: dict[int, str] = {}
    for members in groups.values():
        if len(members) == 1:
            names[id(members[0])] = members[0].name
            continue
        texts = [item.county_text for item in members]
        for item in members:
            county = item.county_text.title()
            unique = county and texts.count(item.county_text) == 1 and ";" not in county
            qualifier = f"{county} County" if unique else f"ORI {item.ori}"
            names[id(item)] = f"{item.name} ({qualifier})"
    return names
