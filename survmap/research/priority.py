"""Which agency-and-technology pairs to research first, with the reasons a volunteer sees.

survmap holds no population figures, so "large agencies first" reads what the data has: the
kind of agency (a state police or a sheriff's office covers more people than a town's police),
how many counties it serves, and how many partnerships are already recorded for it (agencies
that buy one surveillance product tend to buy others). Then "neighbours of found records": other
agencies in the same county that use the technology. Then "technologies spreading fastest":
public partnerships of the technology that began in the last three years, relative to the
fastest-spreading one. A pair whose check went stale gets a little extra, since readers are
shown an outdated answer."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from survmap.records.models import Agency, AgencyKind, Partnership, Technology
from survmap.research.models import (
    CheckStatus,
    ResearchCheck,
    ResearchTask,
    TaskStatus,
    stale_cutoff,
)

KIND_POINTS = {
    AgencyKind.STATE_POLICE: 30,
    AgencyKind.SHERIFF: 25,
    AgencyKind.POLICE: 20,
    AgencyKind.FEDERAL: 15,
}
OTHER_KIND_POINTS = 5
KIND_WORDS = {
    AgencyKind.POLICE: "police agency",
    AgencyKind.SHERIFF: "sheriff's office",
    AgencyKind.STATE_POLICE: "state police",
    AgencyKind.FEDERAL: "federal agency",
    AgencyKind.UNIVERSITY: "university police",
    AgencyKind.SCHOOL: "school police",
}
POINTS_PER_COUNTY, MAX_COUNTY_POINTS = 5, 15
POINTS_PER_PARTNERSHIP, MAX_PARTNERSHIP_POINTS = 6, 30
POINTS_PER_NEIGHBOUR, MAX_NEIGHBOUR_POINTS = 8, 40
MAX_SPREAD_POINTS = 30
STALE_POINTS = 10
SPREAD_YEARS = 3


@dataclass(frozen=True, order=True)
class Pair:
    sort_key: tuple[int, int, int]
    agency_id: int = field(compare=False)
    technology_id: int = field(compare=False)
    score: int = field(compare=False)
    reasons: tuple[str, ...] = field(compare=False)


def public_agencies() -> QuerySet[Agency]:
    """Agencies a reader can see: with a public partnership or a public check."""
    return Agency.objects.filter(
        Q(pk__in=Agency.objects.public().values("pk"))
        | Exists(ResearchCheck.objects.public().filter(agency=OuterRef("pk")))
    )


def _spread_points(technology_ids: list[int], starts: dict[int, int]) -> dict[int, tuple[int, int]]:
    fastest = max((starts.get(t, 0) for t in technology_ids), default=0)
    return {
        t: (
            round(MAX_SPREAD_POINTS * starts.get(t, 0) / fastest) if fastest else 0,
            starts.get(t, 0),
        )
        for t in technology_ids
    }


def _pairs(technologies: Sequence[Technology] | None, today: dt.date) -> Iterator[Pair]:
    if technologies is None:
        # Technologies on the public record through a partnership (not only a policy event).
        technology_qs = Technology.objects.filter(
            Exists(Partnership.objects.public().filter(technology=OuterRef("pk")))
        )
    else:
        technology_qs = Technology.objects.filter(pk__in=[t.pk for t in technologies])
    technology_ids = list(technology_qs.order_by("pk").values_list("pk", flat=True))
    agencies = dict(public_agencies().values_list("pk", "kind"))
    counties: dict[int, set[str]] = defaultdict(set)
    for agency_id, county_id in Agency.counties.through.objects.filter(
        agency_id__in=list(agencies)
    ).values_list("agency_id", "county_id"):
        counties[agency_id].add(county_id)

    has: set[tuple[int, int]] = set()
    partnership_count: dict[int, int] = defaultdict(int)
    users_by_county: dict[tuple[str, int], set[int]] = defaultdict(set)
    recent: dict[int, int] = defaultdict(int)
    since = dt.date(today.year - SPREAD_YEARS, today.month, min(today.day, 28))
    for agency_id, technology_id, start in Partnership.objects.public().values_list(
        "agency_id", "technology_id", "start_date"
    ):
        if (agency_id, technology_id) not in has:
            partnership_count[agency_id] += 1
        has.add((agency_id, technology_id))
        for county in counties.get(agency_id, ()):
            users_by_county[(county, technology_id)].add(agency_id)
        if start is not None and start >= since:
            recent[technology_id] += 1
    spread = _spread_points(technology_ids, recent)

    cutoff = stale_cutoff(today)
    last_checked: dict[tuple[int, int], dt.date] = {}
    busy: set[tuple[int, int]] = set()
    for agency_id, technology_id, checked_date, status in ResearchCheck.objects.filter(
        Q(status=CheckStatus.APPROVED) | Q(status=CheckStatus.PENDING)
    ).values_list("agency_id", "technology_id", "checked_date", "status"):
        key = (agency_id, technology_id)
        if status == CheckStatus.PENDING:
            busy.add(key)
        elif key not in last_checked or checked_date > last_checked[key]:
            last_checked[key] = checked_date
    busy.update(
        ResearchTask.objects.filter(
            status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.REPORTED]
        ).values_list("agency_id", "technology_id")
    )

    for agency_id, kind in agencies.items():
        kind_points = KIND_POINTS.get(kind, OTHER_KIND_POINTS)  # type: ignore[call-overload]
        served = counties.get(agency_id, set())
        county_points = min(MAX_COUNTY_POINTS, POINTS_PER_COUNTY * max(0, len(served) - 1))
        recorded = partnership_count.get(agency_id, 0)
        recorded_points = min(MAX_PARTNERSHIP_POINTS, POINTS_PER_PARTNERSHIP * recorded)
        base_reasons = [KIND_WORDS.get(kind, "agency")]  # type: ignore[call-overload]
        if len(served) > 1:
            base_reasons.append(f"serves {len(served)} counties")
        if recorded:
            base_reasons.append(
                f"{recorded} other technolog{'y' if recorded == 1 else 'ies'} recorded"
            )
        for technology_id in technology_ids:
            key = (agency_id, technology_id)
            if key in has or key in busy:
                continue
            checked = last_checked.get(key)
            if checked is not None and checked >= cutoff:
                continue
            reasons = list(base_reasons)
            score = kind_points + county_points + recorded_points
            neighbours: set[int] = set()
            for county in served:
                neighbours |= users_by_county.get((county, technology_id), set())
            neighbours.discard(agency_id)
            if neighbours:
                score += min(MAX_NEIGHBOUR_POINTS, POINTS_PER_NEIGHBOUR * len(neighbours))
                verb = "agency uses" if len(neighbours) == 1 else "agencies use"
                reasons.append(f"{len(neighbours)} neighbouring {verb} it")
            points, started = spread[technology_id]
            if started:
                score += points
                plural = "s" if started != 1 else ""
                reasons.append(f"{started} new partnership{plural} in {SPREAD_YEARS} years")
            if checked is not None:
                score += STALE_POINTS
                reasons.append(f"last checked {checked.isoformat()}, stale")
            else:
                reasons.append("never checked")
            yield Pair(
                sort_key=(score, -agency_id, -technology_id),
                agency_id=agency_id,
                technology_id=technology_id,
                score=score,
                reasons=tuple(reasons),
            )


def rank_pairs(
    *,
    technologies: Sequence[Technology] | None = None,
    today: dt.date | None = None,
    limit: int = 200,
) -> list[Pair]:
    """The `limit` pairs that most need a task, highest score first (ties: lowest agency id,
    then technology id, so the order is the same on every run)."""
    today = today or timezone.localdate()
    return heapq.nlargest(limit, _pairs(technologies, today))
