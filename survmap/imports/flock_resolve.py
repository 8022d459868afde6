"""Which record a parsed label names: a directory agency (asked of the one matcher, never a
second one), or an organisation kept as what it is, with a note for a moderator when the
matcher is unsure or does not know it."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from survmap.geo import census
from survmap.imports.flock_labels import (
    OTHER,
    POLICE,
    SCHOOL,
    SHERIFF,
    STATE_POLICE,
    UNIVERSITY,
    OrgKind,
    ParsedLabel,
    Reading,
    campus_words,
    campuses_named,
    directory_readings,
    parse_label,
)
from survmap.imports.shipped import CHECKED_FLOCK_ORGANISATIONS
from survmap.platereaders.models import Organisation
from survmap.records.models import Agency, AgencyAlias
from survmap.records.normalize import agency_name_key, agency_name_variants, normalize_name
from survmap.records.writing.matching import AgencyIndex, AgencyQuery, agency_match

_POLICE_KINDS = {"police", SHERIFF, STATE_POLICE, UNIVERSITY, SCHOOL}


@dataclass(frozen=True)
class Party:
    """One side of a link, or a portal's owner: an agency's id, or an organisation by name."""

    label: str
    agency_id: int | None = None
    name: str = ""
    state: str = ""
    kind: str = ""
    # "ori" | "name" | "alias" (the matcher), Flock's readings ("campus", "place_form" ...),
    # "checked" (matched by hand, `read_checked`), "moderator" (an organisation a moderator
    # matched), "ambiguous" | "none" (the matcher), "not_police", "unreadable".
    rule: str = ""
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """An organisation's identity: its normalised name in its state."""
        return normalize_name(self.name), self.state

    @property
    def resolved(self) -> bool:
        return self.agency_id is not None


def _organisation_kind(parsed: ParsedLabel) -> str:
    if parsed.organisation:
        return parsed.organisation
    if parsed.kind in _POLICE_KINDS:
        return OrgKind.LAW_ENFORCEMENT
    return OrgKind.GOVERNMENT if parsed.kind == OTHER else OrgKind.OTHER


@dataclass(frozen=True)
class Checked:
    """A label that no rule resolves, matched to its agency by a person who checked it against
    the directory: the agency by its ORI, or (an agency the FBI list lacks, recorded from the
    Atlas or our research) by its exact name in its state; `why` says how it was told."""

    label: str
    ori: str
    agency: str
    state: str
    why: str
    line: int = 0


class CheckedError(ValueError):
    """The hand-checked list cannot be read; nothing of it is used."""


_ORI = re.compile(r"^[A-Z]{2}[0-9A-Z]{7}$")
_CHECKED_COLUMNS = ["label", "ori", "agency", "state", "why"]


def read_checked(path: Path = CHECKED_FLOCK_ORGANISATIONS) -> dict[str, Checked]:
    """The hand-checked matches by label (as `parse_label` cleans it), every line checked
    before any is used: a missing column, a repeated label, a malformed ORI or state, or a
    match without its reason is a `CheckedError` naming the lines."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != _CHECKED_COLUMNS:
            raise CheckedError(
                f"{path.name}: the columns must be {', '.join(_CHECKED_COLUMNS)}, "
                f"not {', '.join(reader.fieldnames or [])}."
            )
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    found: dict[str, Checked] = {}
    problems = []
    for number, row in rows:
        values = {key: (row.get(key) or "").strip() for key in _CHECKED_COLUMNS}
        label = parse_label(values["label"]).label
        wrong = []
        if not label:
            wrong.append("no label")
        elif label in found:
            wrong.append(f"label repeated (line {found[label].line})")
        if values["ori"] and not _ORI.match(values["ori"]):
            wrong.append(f"malformed ORI {values['ori']!r}")
        if not values["agency"]:
            wrong.append("no agency name")
        if not re.fullmatch(r"[A-Z]{2}", values["state"]):
            wrong.append(f"state {values['state']!r} is not a USPS code")
        if not values["why"]:
            wrong.append("no reason given")
        if wrong:
            problems.append(f"line {number}: {'; '.join(wrong)}")
            continue
        found[label] = Checked(
            label=label,
            ori=values["ori"],
            agency=values["agency"],
            state=values["state"],
            why=values["why"],
            line=number,
        )
    if problems:
        raise CheckedError(f"{path.name}: " + " ".join(problems))
    return found


def _checked_agencies(rows: Iterable[Checked]) -> dict[Checked, list[Agency]]:
    """The agencies each hand-checked line names: by its ORI, or by its exact name in its
    state; two queries for all the lines."""
    rows = list(rows)
    by_ori: dict[str, list[Agency]] = {}
    by_name: dict[tuple[str, str], list[Agency]] = {}
    oris = {row.ori for row in rows if row.ori}
    keys = {agency_name_key(row.agency) for row in rows if not row.ori}
    for agency in Agency.objects.filter(ori__in=oris) if oris else ():
        by_ori.setdefault(agency.ori, []).append(agency)
    for agency in Agency.objects.filter(name_key__in=keys) if keys else ():
        by_name.setdefault((agency.name_key, agency.state_id), []).append(agency)
    return {
        row: by_ori.get(row.ori, [])
        if row.ori
        else by_name.get((agency_name_key(row.agency), row.state), [])
        for row in rows
    }


def _checked_party(
    parsed: ParsedLabel, checked: Checked, agencies: list[Agency], unfound: Party
) -> Party:
    """The agency a person matched the label to, when the directory holds exactly that agency
    (its ORI, or its exact name in its state, and the name and state the check wrote down);
    else the label stays as the rules left it, its note saying what the check named."""
    if (
        len(agencies) == 1
        and agencies[0].name == checked.agency
        and agencies[0].state_id == checked.state
    ):
        return Party(
            label=parsed.label,
            agency_id=agencies[0].pk,
            name=parsed.name,
            state=parsed.state,
            kind=parsed.kind or unfound.kind,
            rule="checked",
        )
    said = f"{checked.agency} ({checked.ori or 'no ORI'}, {checked.state})"
    held = "; ".join(f"{agency.name} (id {agency.pk})" for agency in agencies[:5]) or "none"
    return replace(
        unfound,
        note=(
            f"{unfound.note} Checked by hand as {said}, which the directory does not hold as "
            f"written (found: {held})."
        ).strip(),
    )


def resolve(
    labels: Iterable[ParsedLabel],
    *,
    index: AgencyIndex | None = None,
    listed_in: Mapping[str, Collection[str]] | None = None,
    checked: Mapping[str, Checked] | None = None,
) -> dict[str, Party]:
    """Each label's party, by label. The matcher is asked once per label, through one index.
    `listed_in`: the states of the portals that list each label, which a label without a state
    is read with (`_one_in_directory`). `checked`: labels a person matched by hand
    (`read_checked`), used only for a label the rules leave without an agency."""
    labels = list(labels)
    if index is None:
        index = AgencyIndex()
        # One load for every label the matcher will be asked about.
        index.load(
            [AgencyQuery(parsed.name, parsed.state, "") for parsed in labels if parsed.matchable]
        )
    spaceless = Spaceless()
    found = {
        parsed.label: _resolve_one(parsed, index, spaceless, reread=False) for parsed in labels
    }
    # Flock's other readings, only for the labels their own name did not find: one more load.
    unfound = [
        parsed
        for parsed in labels
        if found[parsed.label].rule in ("none", "ambiguous") and parsed.matchable
    ]
    index.load(
        [
            AgencyQuery(reading.name, parsed.state, "")
            for parsed in unfound
            for reading in directory_readings(parsed)
        ]
    )
    for parsed in unfound:
        found[parsed.label] = _resolve_one(parsed, index, spaceless, reread=True)
    for parsed in labels:
        if found[parsed.label].rule == "none" and parsed.name and not parsed.state:
            party = _one_in_directory(parsed, (listed_in or {}).get(parsed.label, ()))
            found[parsed.label] = party or found[parsed.label]
    wanted = {
        parsed.label: (parsed, (checked or {})[parsed.label])
        for parsed in labels
        if parsed.label in (checked or {}) and found[parsed.label].agency_id is None
    }
    named = _checked_agencies(row for _, row in wanted.values())
    for label, (parsed, row) in wanted.items():
        found[label] = _checked_party(parsed, row, named[row], found[label])
    # Organisations a moderator has matched to an agency since an earlier load: that stands.
    matched = {
        (org.name_key, org.state_id or ""): org.agency_id
        for org in Organisation.objects.filter(agency__isnull=False).only(
            "name_key", "state_id", "agency_id"
        )
    }
    parties: dict[str, Party] = {}
    for parsed in labels:
        party = found[parsed.label]
        if party.agency_id is None and party.name:
            agency_id = matched.get(party.key)
            if agency_id is not None:
                party = Party(
                    label=party.label,
                    agency_id=agency_id,
                    name=party.name,
                    state=party.state,
                    kind=party.kind,
                    rule="moderator",
                )
        parties[parsed.label] = party
    return parties


@cache
def _county_fips() -> dict[tuple[str, str], str]:
    """Each county's FIPS code by its state and name ('OH', 'mahoning')."""
    codes = {state.fips: state.code for state in census.states()}
    return {
        (codes.get(county.state_fips, ""), normalize_name(county.name)): county.fips
        for county in census.counties()
    }


def _counties(parsed: ParsedLabel) -> tuple[str, ...]:
    """The county a label names in brackets ('Jackson Township OH PD (Mahoning County)',
    'Miami Township OH PD (Clermont)'), as FIPS codes for the matcher to tell apart agencies
    of one name in the state; none when the bracket is not a county of the label's state."""
    found = []
    for written in (parsed.county, *parsed.notes):
        key = normalize_name(written or "")
        key = key.removesuffix(" county").removesuffix(" co").strip()
        fips = _county_fips().get((parsed.state, key)) if key else None
        if fips:
            found.append(fips)
    return tuple(dict.fromkeys(found))


def _resolve_one(
    parsed: ParsedLabel, index: AgencyIndex, spaceless: Spaceless, *, reread: bool
) -> Party:
    org_kind = _organisation_kind(parsed)
    base: dict[str, Any] = {
        "label": parsed.label,
        "name": parsed.name,
        "state": parsed.state,
        "kind": org_kind,
    }
    if not parsed.name:
        return Party(**base, rule="unreadable", note=f"Label not read: {parsed.problem}.")
    if parsed.organisation:
        return Party(
            **base,
            rule="not_police",
            note="Not a police agency: kept as an organisation, not matched to the directory.",
        )
    if not parsed.matchable:
        return Party(
            **base,
            rule="none",
            note=f"Not matched to the directory: {parsed.problem or 'no state in the label'}.",
        )
    match = agency_match(
        name=parsed.name,
        state=parsed.state,
        kind=parsed.kind,
        counties=_counties(parsed),
        index=index,
    )
    if match.agency is None and reread:
        other = _reread(parsed, index, spaceless, ambiguous=bool(match.candidates))
        if other is not None:
            return other
    if match.agency is not None:
        return Party(
            label=parsed.label,
            agency_id=match.agency.pk,
            name=parsed.name,
            state=parsed.state,
            kind=parsed.kind,
            rule=match.rule,
        )
    if match.candidates:
        names = "; ".join(f"{agency.name} (id {agency.pk})" for agency in match.candidates[:5])
        return Party(
            **base, rule="ambiguous", note=f"Could be any of: {names}. Left for a moderator."
        )
    return Party(
        **base,
        rule="none",
        note=f"No directory agency named {parsed.name!r} in {parsed.state}. Left for a moderator.",
    )


# Township and town police: a label that says the place's form of government is not the
# agency of the place's bare name (the FBI writes a township's and a town's police with it).
_TOWNSHIP = re.compile(r"\b(?:township|town|twp)\b", re.I)
_NOT_A_PLACES_POLICE = {SHERIFF, STATE_POLICE}


def _reread(
    parsed: ParsedLabel, index: AgencyIndex, spaceless: Spaceless, *, ambiguous: bool
) -> Party | None:
    """The one directory agency that a Flock reading of the label names when its own name finds
    none (`flock_labels.directory_readings`), each reading checked its own way, or the only
    agency of the place's other forms of government; None when there is not exactly one. A
    label whose name could be several agencies is only narrowed by its campus."""
    found: dict[int, tuple[Agency, str]] = {}
    readings = directory_readings(parsed)
    wanted_campus = campuses_named(parsed)
    for reading in readings:
        if ambiguous and reading.rule != "campus":
            continue
        for agency in _read_as(parsed, reading, wanted_campus, index):
            found.setdefault(agency.pk, (agency, reading.rule))
    if not found and not ambiguous:
        for agency in _sole_variant(parsed, index):
            found.setdefault(agency.pk, (agency, "sole_variant"))
    chosen: list[tuple[int, str]] = [(pk, rule) for pk, (_, rule) in found.items()]
    if not found and not ambiguous:
        chosen = [(pk, "joined") for pk in _joined(parsed, spaceless)]
    if len(chosen) > 1 and not ambiguous:
        # Several agencies fit the label's readings: none is taken, the note names them (a
        # label whose own name found several keeps the matcher's note).
        names = "; ".join(
            f"{found[pk][0].name} (id {pk})" if pk in found else f"id {pk}" for pk, _ in chosen[:5]
        )
        return Party(
            label=parsed.label,
            name=parsed.name,
            state=parsed.state,
            kind=_organisation_kind(parsed),
            rule="ambiguous",
            note=f"Could be any of: {names}. Left for a moderator.",
        )
    if len(chosen) != 1:
        return None
    agency_id, rule = chosen[0]
    return Party(
        label=parsed.label,
        agency_id=agency_id,
        name=parsed.name,
        state=parsed.state,
        kind=parsed.kind,
        rule=rule,
    )


def _stored(name: str, state: str, index: AgencyIndex) -> list[Agency]:
    key = agency_name_key(name)
    return list(dict.fromkeys(index.named(key, state) + index.aliased(key, state)))


def _read_as(
    parsed: ParsedLabel, reading: Reading, wanted_campus: set[str], index: AgencyIndex
) -> list[Agency]:
    state = parsed.state
    if reading.rule == "campus":
        return [
            agency
            for agency in _stored(reading.name, state, index)
            if campus_words(agency.name) in wanted_campus
        ]
    if reading.rule in ("unsuffixed", "tribal", "without_of"):
        # The directory's own name is the label's place, with no kind after it.
        exact = normalize_name(reading.name)
        return [
            agency
            for agency in _stored(reading.name, state, index)
            if normalize_name(agency.name) == exact and agency.kind not in _NOT_A_PLACES_POLICE
        ]
    match = agency_match(name=reading.name, state=state, kind=parsed.kind, index=index)
    if match.agency is None or match.rule not in ("name", "alias"):
        return []
    if reading.rule == "place_form" and _TOWNSHIP.search(match.agency.name):
        return []
    return [match.agency]


def _sole_variant(parsed: ParsedLabel, index: AgencyIndex) -> list[Agency]:
    """'Depew NY PD' is the 'Depew Village Police Department' when the state holds no agency
    of the bare name and exactly one, with an ORI, of its forms of government (village,
    borough, township, town, city)."""
    if parsed.kind != POLICE or parsed.county:
        return []
    # "Town of Campbell WI PD", "Village of Pewaukee WI PD": the label's own form, if it says one.
    said = _SAID_FORM.match(parsed.label)
    forms = _FORMS[said[1].casefold()] if said else ()
    found = list(
        dict.fromkeys(
            agency
            for variant in agency_name_variants(parsed.name)
            if not forms or variant.split()[-2] in forms
            for agency in index.named(variant, parsed.state)
            if agency.ori
        )
    )
    key = agency_name_key(parsed.name)
    if not found and not forms and key.endswith(" city police"):
        # "Garden City NY PD": a place whose name ends in "City" (the FBI's "Garden City Village
        # Police Department"), which the matcher's variants read as "Garden" instead.
        place = key.removesuffix(" police")
        found = list(
            Agency.objects.filter(
                state_id=parsed.state,
                name_key__in=[f"{place} {form} police" for form in ("village", "town", "borough")],
            )
            .filter(ori__gt="")
            .order_by("pk")
        )
    return found


_SAID_FORM = re.compile(r"^(city|town|village|borough|township) of\b", re.I)
_FORMS = {
    "city": ("city",),
    "town": ("town", "township"),
    "village": ("village",),
    "borough": ("borough",),
    "township": ("township",),
}


def _one_in_directory(parsed: ParsedLabel, states: Collection[str]) -> Party | None:
    """A label without a state ("Savannah State University PD", "North Tonawanda City PD"):
    the agency when it is the only one of the whole directory under the label's name (its own
    or a known name) and every portal that lists the label is in that agency's state; None
    otherwise (two states' agencies of the name, portals of several states, or of none)."""
    if parsed.organisation or parsed.problem != "no state in the label" or len(set(states)) != 1:
        return None
    key = agency_name_key(parsed.name)
    if not key:
        return None
    found = set(Agency.objects.filter(name_key=key).values_list("pk", "state_id"))
    found |= set(
        AgencyAlias.objects.filter(name_key=key).values_list("agency_id", "agency__state_id")
    )
    if len(found) != 1:
        return None
    ((agency_id, state),) = found
    if state not in states:
        return None
    return Party(
        label=parsed.label,
        agency_id=agency_id,
        name=parsed.name,
        state=state,
        kind=parsed.kind,
        rule="one_in_directory",
    )


class Spaceless(dict[str, dict[str, list[int]]]):
    """Each state's agencies by their key without spaces ('lagrange police' for 'La Grange
    Police Department'), read once a resolution asks about the state."""

    def __missing__(self, state: str) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for pk, key in Agency.objects.filter(state_id=state).values_list("pk", "name_key"):
            found.setdefault(key.replace(" ", ""), []).append(pk)
        self[state] = found
        return found


def _joined(parsed: ParsedLabel, spaceless: Spaceless) -> list[int]:
    """'LaGrange KY PD' is the 'La Grange Police Department', 'Desoto MO PD' the 'De Soto
    Police Department': the one agency of the state whose name is the label's, spaces aside."""
    key = agency_name_key(parsed.name)
    return list(spaceless[parsed.state].get(key.replace(" ", ""), [])) if key else []
