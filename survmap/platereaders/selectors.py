"""Reads of the plate-reader records that pages and the API share: an agency's sharing grouped
by state (counted in the database, at most a few names per state fetched), its observations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from survmap.platereaders.models import Observation, Sharing
from survmap.records.models import Agency

# Names shown per state on a page; the rest are a link to the full list.
SHOWN_PER_STATE = 40


@dataclass
class StateGroup:
    state: str
    count: int
    parties: list[dict[str, Any]] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.parties)


def _grouped(links: QuerySet[Sharing], side: str) -> tuple[list[StateGroup], int, set[str]]:
    """Links grouped by the state of their `side` ("to" or "from") end, most first: one query
    of light tuples (3,861 for the widest-shared agency), grouped here, at most
    SHOWN_PER_STATE names kept per state. Returns the groups, the count and the credits."""
    rows = links.values_list(
        f"{side}_agency_id",
        f"{side}_agency__name",
        f"{side}_agency__state_id",
        f"{side}_organisation__name",
        f"{side}_organisation__state_id",
        f"{side}_organisation__kind",
        "attribution",
    )
    by_state: dict[str, list[dict[str, Any]]] = {}
    credits: set[str] = set()
    count = 0
    for agency_id, agency_name, agency_state, org_name, org_state, org_kind, credit in rows:
        count += 1
        credits.add(credit)
        by_state.setdefault(agency_state or org_state or "", []).append(
            {
                "agency_id": agency_id,
                "name": agency_name or org_name or "",
                "organisation_kind": org_kind or "",
            }
        )
    groups = []
    for state, parties in sorted(by_state.items(), key=lambda item: (-len(item[1]), item[0])):
        parties.sort(key=lambda party: party["name"].casefold())
        groups.append(
            StateGroup(state=state, count=len(parties), parties=parties[:SHOWN_PER_STATE])
        )
    return groups, count, credits - {""}


def sharing_for_agency(agency: Agency) -> dict[str, Any]:
    searched_by, searched_by_count, credits = _grouped(
        Sharing.objects.filter(from_agency=agency), "to"
    )
    searches, searches_count, more_credits = _grouped(
        Sharing.objects.filter(to_agency=agency), "from"
    )
    return {
        "searched_by": searched_by,
        "searched_by_count": searched_by_count,
        "searches": searches,
        "searches_count": searches_count,
        "credits": sorted(credits | more_credits),
    }


def observations_for_agency(agency: Agency) -> QuerySet[Observation]:
    return (
        Observation.objects.filter(partnership__agency=agency)
        .select_related("partnership__vendor")
        .prefetch_related("sources")
        .order_by("-observed_at", "pk")
    )
