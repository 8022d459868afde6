"""Reads of the plate-reader records that pages and the API share: an agency's sharing grouped
by state (counted in the database, at most a few names per state fetched), its observations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from survmap.platereaders.models import Observation, Organisation, Sharing
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


@dataclass(frozen=True)
class PortalFigures:
    agency_id: int
    agency: str
    state: str
    cameras: int | None
    vehicles_30d: int | None
    searches_30d: int | None
    retention_days: int | None
    observed_at: Any
    attribution: str


def portal_figures(technology_id: int) -> list[PortalFigures]:
    """The newest portal observation of each partnership of the technology, most plate reads
    first: one query of tuples."""
    rows = (
        Observation.objects.filter(partnership__technology_id=technology_id, method="portal")
        .order_by("partnership_id", "-observed_at", "-pk")
        .values_list(
            "partnership_id",
            "partnership__agency_id",
            "partnership__agency__name",
            "partnership__agency__state_id",
            "cameras",
            "vehicles_detected_30d",
            "searches_30d",
            "retention_days",
            "observed_at",
            "attribution",
        )
    )
    newest: dict[int, PortalFigures] = {}
    for row in rows:
        if row[0] not in newest:
            newest[row[0]] = PortalFigures(*row[1:])
    return sorted(newest.values(), key=lambda row: (-(row.vehicles_30d or -1), row.agency))


def sharing_public() -> QuerySet[Sharing]:
    """Sharing links with what a row shows of both ends, and nothing else: each timestamp left
    out is a conversion fewer per row (they were most of an API page's time)."""
    ends = ("from_agency", "from_organisation", "to_agency", "to_organisation")
    return Sharing.objects.select_related(*ends, "technology", "vendor", "source").only(
        "as_of",
        "attribution",
        *(f"{end}__{name}" for end in ends for name in ("name", "state_id", "kind")),
        "technology__slug",
        "vendor__slug",
        "source__url",
        "source__publisher",
    )


def party(agency: Agency | None, organisation: Organisation | None) -> dict[str, Any]:
    if agency is not None:
        return {
            "type": "agency",
            "id": agency.pk,
            "name": agency.name,
            "state": agency.state_id,
            "kind": agency.kind,
        }
    assert organisation is not None
    return {
        "type": "organisation",
        "id": organisation.pk,
        "name": organisation.name,
        "state": organisation.state_id or "",
        "kind": organisation.kind,
    }


def sharing_row(link: Sharing) -> dict[str, Any]:
    """One link as the CSV and GeoJSON give it: flat columns."""
    source = party(link.from_agency, link.from_organisation)
    to = party(link.to_agency, link.to_organisation)
    return {
        "sharing_id": link.pk,
        **{f"from_{key}": value for key, value in source.items()},
        **{f"to_{key}": value for key, value in to.items()},
        "technology": link.technology.slug,
        "vendor": link.vendor.slug if link.vendor else "",
        "as_of": link.as_of.isoformat(),
        "source_url": link.source.url or "",
        "source_publisher": link.source.publisher,
        "attribution": link.attribution,
    }
