"""The News & Observer's "Private Eyes" data (Flock Safety transparency portals, May 2024), read
into plans: a row in, a plan out, no database.

Each portal becomes a plate-reader partnership with Flock Safety, active as of the day it was
read, citing the portal (publisher Flock Safety) and the N&O data set; its figures and its
stated policy become a dated observation. Each "may search" link becomes a sharing plan between
two parties, each a label the directory is asked about (`survmap.platereaders.resolve`). The
North Carolina survey adds its agencies' vendors and camera counts with their documents.
`transparency_url_status` is read for nothing: a 404 from a guessed address says nothing about
an agency, so it is never recorded as "no portal".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from survmap.common.dates import PartialDate
from survmap.common.links import is_http_url
from survmap.imports.fields import FieldWarning
from survmap.imports.flock_labels import ParsedLabel, parse_label, parse_portal_label
from survmap.imports.kinds import NoteKind
from survmap.imports.readers import FileRefused, Row, decode, read_file, read_rows

ATTRIBUTION = "The News & Observer, Private Eyes data (MIT)"
DATASET_URL = "https://github.com/mcclatchy-southeast/private_eyes"
DATASET_TITLE = "Private Eyes: Flock Safety transparency portals and data sharing (data)"
DATASET_PUBLISHER = "The News & Observer"
DATASET_PUBLISHED = PartialDate(2024, 5, 2)
# The day the 365 portals were read (the file name's "2023" is the authors' typo).
READ_ON = PartialDate(2024, 4, 26)
SURVEY_ON = PartialDate(2024, 4, 30)
TECHNOLOGY = ("Automated license plate readers", "automated-license-plate-readers", "alpr")
FLOCK = ("Flock Safety", "flock-safety")
# The survey's company names as survmap's vendors name them.
COMPANIES = {
    "flock": FLOCK,
    "motorola": ("Motorola Solutions", "motorola-solutions"),
    "rekor": ("Rekor Systems", "rekor-systems"),
    "leonardo": ("Leonardo", "leonardo"),
    "verkada": ("Verkada", "verkada"),
    "ndi": ("NDI Recognition Systems", "ndi-recognition-systems"),
    "brady integrated security": ("Brady Integrated Security", "brady-integrated-security"),
}

WHAT = "a file of The News & Observer's Private Eyes data"
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "portals": (
        "latest_usage04262023.csv",
        (
            "agency",
            "updated",
            "accessed",
            "url",
            "data_retention_in_days",
            "number_of_owned_cameras",
            "external_organizations_with_access",
            "hotlists_alerted_on",
            "vehicles_detected_in_the_last_30_days",
            "hotlist_hits_in_the_last_30_days",
            "searches_in_the_last_30_days",
            "public_search_audit",
        ),
    ),
    "links": ("agency_access20240426.csv", ("src_agency", "external_agency")),
    "policies": (
        "agency_policies.csv",
        (
            "agency",
            "updated",
            "accessed",
            "url",
            "whats_detected",
            "whats_not_detected",
            "acceptable_use_policy",
            "prohibited_uses",
            "access_policy",
            "hotlist_policy",
        ),
    ),
    "survey": (
        "nc_agency_survey20240430.csv",
        (
            "name",
            "type",
            "city",
            "county",
            "notes",
            "company",
            "cams_confirmed",
            "cams_portal",
            "flock_portal_url",
            "document_url",
        ),
    ),
}


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.xz", folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    raise FileRefused(f"{folder} holds no {name} (nor {name}.xz): it is not the Private Eyes data.")


def read_flock(folder: Path) -> dict[str, list[Row]]:
    """Every file the import needs, read and checked whole before anything is written."""
    files: dict[str, list[Row]] = {}
    for key, (name, required) in FILES.items():
        path = _find(folder, name)
        try:
            text = decode(read_file(path), what=f"{WHAT} ({name})")
            _, rows = read_rows(text, required=required, what=f"{WHAT} ({name})")
        except FileRefused as error:
            raise FileRefused(f"{path.name}: {error}") from None
        files[key] = rows
    return files


# -- values -------------------------------------------------------------------------------------


def _missing(text: str) -> bool:
    return text.strip().upper() in ("", "NA", "N/A", "NULL", "UNKNOWN")


def _count(row: Row, column: str, warnings: list[FieldWarning]) -> int | None:
    text = row.get(column).strip().replace(",", "")
    if _missing(text):
        return None
    if text.isdigit():
        return int(text)
    warnings.append(FieldWarning(row.line, column, text, "not a count; left empty"))
    return None


def _days(row: Row, column: str, warnings: list[FieldWarning]) -> int | None:
    text = row.get(column).strip()
    if _missing(text):
        return None
    found = re.fullmatch(r"(\d+)\s*days?", text, re.I)
    if found:
        return int(found.group(1))
    # "-Infinity days": the portal's own glitch, not a retention to guess at.
    warnings.append(FieldWarning(row.line, column, text, "not a number of days; left empty"))
    return None


def _moment(row: Row, column: str, warnings: list[FieldWarning]) -> dt.datetime | None:
    text = row.get(column).strip()
    if _missing(text):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        warnings.append(FieldWarning(row.line, column, text, "not a date and time; left empty"))
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _flag(row: Row, column: str, warnings: list[FieldWarning]) -> bool | None:
    text = row.get(column).strip()
    if _missing(text):
        return None
    if text in ("0", "1"):
        return text == "1"
    warnings.append(FieldWarning(row.line, column, text, "not 0 or 1; left empty"))
    return None


def _url(row: Row, column: str, warnings: list[FieldWarning]) -> str:
    text = row.get(column).strip()
    if _missing(text):
        return ""
    if is_http_url(text):
        return text
    warnings.append(
        FieldWarning(row.line, column, text, "not an http address; dropped", NoteKind.LINK_DROPPED)
    )
    return ""


def _text(row: Row, column: str) -> str:
    text = row.get(column).strip()
    return "" if _missing(text) else text


# -- what the files say --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    line: int
    updated: dt.datetime | None
    whats_detected: str
    whats_not_detected: str
    acceptable_use: str
    prohibited_uses: str
    access_policy: str
    hotlist_policy: str


@dataclass(frozen=True)
class Portal:
    line: int
    party: ParsedLabel
    url: str
    updated: dt.datetime | None
    read: dt.datetime | None
    cameras: int | None
    retention_days: int | None
    hotlists: str
    vehicles_30d: int | None
    hotlist_hits_30d: int | None
    searches_30d: int | None
    public_search_audit: bool | None
    organisations_with_access: int | None
    policy: Policy | None = None


@dataclass(frozen=True)
class Link:
    line: int
    source: ParsedLabel
    to: ParsedLabel


@dataclass(frozen=True)
class Surveyed:
    line: int
    party: ParsedLabel
    city: str
    counties: tuple[str, ...]
    vendor: tuple[str, str] | None
    cameras: int | None
    portal_url: str
    document_url: str
    notes: str


@dataclass
class FlockData:
    portals: list[Portal] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    survey: list[Surveyed] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    # Lines refused whole, with why (no agency label, no portal address).
    refused: list[tuple[str, int, str]] = field(default_factory=list)

    def labels(self) -> list[ParsedLabel]:
        """Every party named, once each, in the order first named."""
        seen: dict[str, ParsedLabel] = {}
        for portal in self.portals:
            seen.setdefault(portal.party.label, portal.party)
        for link in self.links:
            seen.setdefault(link.source.label, link.source)
            seen.setdefault(link.to.label, link.to)
        for surveyed in self.survey:
            seen.setdefault(surveyed.party.label, surveyed.party)
        return list(seen.values())

    def listed_in(self) -> dict[str, set[str]]:
        """The states of the portals that list each organisation (a portal's state as its
        label, or its address, says)."""
        portal_state = {portal.party.label: portal.party.state for portal in self.portals}
        found: dict[str, set[str]] = {}
        for link in self.links:
            state = portal_state.get(link.source.label) or link.source.state
            if state:
                found.setdefault(link.to.label, set()).add(state)
        return found


def _policies(rows: Sequence[Row], warnings: list[FieldWarning]) -> dict[str, Policy]:
    """Each portal's newest stated policy, by portal address."""
    found: dict[str, Policy] = {}
    for row in rows:
        url = _url(row, "url", warnings)
        if not url:
            continue
        policy = Policy(
            line=row.line,
            updated=_moment(row, "updated", warnings),
            whats_detected=_text(row, "whats_detected"),
            whats_not_detected=_text(row, "whats_not_detected"),
            acceptable_use=_text(row, "acceptable_use_policy"),
            prohibited_uses=_text(row, "prohibited_uses"),
            access_policy=_text(row, "access_policy"),
            hotlist_policy=_text(row, "hotlist_policy"),
        )
        old = found.get(url)
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        if old is None or (policy.updated or oldest) >= (old.updated or oldest):
            found[url] = policy
    return found


def parse_flock(files: Mapping[str, Sequence[Row]]) -> FlockData:
    """What the files say, read with no database: labels parsed, figures as numbers."""
    data = FlockData()
    warnings = data.warnings
    policies = _policies(files.get("policies", ()), [])
    for row in files.get("portals", ()):
        url = _url(row, "url", warnings)
        label = (
            parse_portal_label(row.get("agency"), url) if url else parse_label(row.get("agency"))
        )
        if not label.name or not url:
            why = label.problem or "no agency" if not label.name else "no portal address"
            data.refused.append(("portals", row.line, why))
            continue
        listed = row.get("external_organizations_with_access").strip()
        with_access = None
        if listed.isdigit():
            with_access = int(listed)
        elif not _missing(listed):
            with_access = len([name for name in listed.split(",") if name.strip()])
        data.portals.append(
            Portal(
                line=row.line,
                party=label,
                url=url,
                updated=_moment(row, "updated", warnings),
                read=_moment(row, "accessed", warnings),
                cameras=_count(row, "number_of_owned_cameras", warnings),
                retention_days=_days(row, "data_retention_in_days", warnings),
                hotlists=_text(row, "hotlists_alerted_on"),
                vehicles_30d=_count(row, "vehicles_detected_in_the_last_30_days", warnings),
                hotlist_hits_30d=_count(row, "hotlist_hits_in_the_last_30_days", warnings),
                searches_30d=_count(row, "searches_in_the_last_30_days", warnings),
                public_search_audit=_flag(row, "public_search_audit", warnings),
                organisations_with_access=with_access,
                policy=policies.get(url),
            )
        )
    for row in files.get("links", ()):
        source, to = parse_label(row.get("src_agency")), parse_label(row.get("external_agency"))
        if not source.name or not to.name:
            data.refused.append(("links", row.line, "a link without both organisations"))
            continue
        data.links.append(Link(line=row.line, source=source, to=to))
    for row in files.get("survey", ()):
        label = parse_label(row.get("name"))
        if not label.name:
            data.refused.append(("survey", row.line, label.problem or "no agency"))
            continue
        company = _text(row, "company").casefold()
        vendor = COMPANIES.get(company)
        if company and vendor is None and not _missing(company):
            warnings.append(
                FieldWarning(
                    row.line, "company", company, "a company survmap does not know; left out"
                )
            )
        data.survey.append(
            Surveyed(
                line=row.line,
                party=label,
                city=_text(row, "city"),
                counties=tuple(
                    name.strip() for name in _text(row, "county").split(",") if name.strip()
                ),
                vendor=vendor,
                cameras=_count(row, "cams_confirmed", warnings),
                portal_url=_url(row, "flock_portal_url", warnings),
                document_url=_url(row, "document_url", warnings),
                notes=_text(row, "notes"),
            )
        )
    return data


def as_partial(moment: dt.datetime | None, fallback: PartialDate) -> PartialDate:
    if moment is None:
        return fallback
    return PartialDate(moment.year, moment.month, moment.day)
