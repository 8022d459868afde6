"""Which record a parsed label names: a directory agency (asked of the one matcher, never a
second one), or an organisation kept as what it is, with a note for a moderator when the
matcher is unsure or does not know it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from survmap.geo import census
from survmap.imports.flock_labels import (
    OTHER,
    SCHOOL,
    SHERIFF,
    STATE_POLICE,
    UNIVERSITY,
    OrgKind,
    ParsedLabel,
)
from survmap.platereaders.models import Organisation
from survmap.records.normalize import normalize_name
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
    # "ori" | "name" | "alias" (the matcher), "moderator" (an organisation a moderator matched),
    # "ambiguous" | "none" (the matcher), "not_police", "unreadable".
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


def resolve(labels: Iterable[ParsedLabel], *, index: AgencyIndex | None = None) -> dict[str, Party]:
    """Each label's party, by label. The matcher is asked once per label, through one index."""
    labels = list(labels)
    if index is None:
        index = AgencyIndex()
        # One load for every label the matcher will be asked about.
        index.load(
            [AgencyQuery(parsed.name, parsed.state, "") for parsed in labels if parsed.matchable]
        )
    # Organisations a moderator has matched to an agency since an earlier load: that stands.
    matched = {
        (org.name_key, org.state_id or ""): org.agency_id
        for org in Organisation.objects.filter(agency__isnull=False).only(
            "name_key", "state_id", "agency_id"
        )
    }
    parties: dict[str, Party] = {}
    for parsed in labels:
        party = _resolve_one(parsed, index)
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


def _resolve_one(parsed: ParsedLabel, index: AgencyIndex) -> Party:
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
