"""Reads of research that more than one view needs: the public checks with their related rows
fetched once, coverage figures (the share of agencies checked per technology), the map's
"looked, none found" per region, and the tasks open to volunteers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone

from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.records.models import Agency, Partnership, Technology
from survmap.research.filters import ResearchCheckFilterSet, shared_query
from survmap.research.models import (
    CheckOutcome,
    CheckSource,
    RecordsRequest,
    ResearchCheck,
    ResearchCheckQuerySet,
    ResearchTask,
    stale_cutoff,
)
from survmap.research.priority import public_agencies


def check_list_public() -> ResearchCheckQuerySet:
    """Approved checks with agency, technology, partnership, sources and requests ready."""
    return (
        ResearchCheck.objects.public()
        .select_related("agency", "agency__state", "technology", "partnership")
        .prefetch_related(
            "agency__counties",
            Prefetch("sources", queryset=CheckSource.objects.order_by("pk")),
            Prefetch("records_requests", queryset=RecordsRequest.objects.order_by("pk")),
        )
    )


def checks_for_agency(agency: Agency) -> list[ResearchCheck]:
    return list(check_list_public().filter(agency=agency).order_by("technology__name", "-pk"))


def checks_for_region(*, state: State, county: County | None = None) -> QuerySet[ResearchCheck]:
    checks = check_list_public()
    if county is not None:
        checks = checks.filter(agency__counties=county)
    else:
        checks = checks.filter(agency__state=state)
    return checks.order_by("agency__name", "technology__name", "-pk")


@dataclass(frozen=True)
class TechnologyCoverage:
    slug: str
    name: str
    agencies: int
    recorded: int
    checked: int
    found: int
    none_found: int
    inconclusive: int
    stale: int
    known: int

    @property
    def not_researched(self) -> int:
        return self.agencies - self.known

    @property
    def share_checked(self) -> float:
        """Of the agencies, the share with a public check of this technology."""
        return round(self.checked / self.agencies, 4) if self.agencies else 0.0

    @property
    def share_known(self) -> float:
        """Of the agencies, the share that either use it (a public partnership) or were
        checked: the rest are not researched."""
        return round(self.known / self.agencies, 4) if self.agencies else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "technology": self.slug,
            "name": self.name,
            "agencies": self.agencies,
            "recorded": self.recorded,
            "checked": self.checked,
            "found": self.found,
            "none_found": self.none_found,
            "inconclusive": self.inconclusive,
            "stale": self.stale,
            "not_researched": self.not_researched,
            "share_checked": self.share_checked,
            "share_known": self.share_known,
        }


def coverage(
    agencies: QuerySet[Agency] | None = None,
    *,
    technologies: QuerySet[Technology] | None = None,
    today: dt.date | None = None,
) -> list[TechnologyCoverage]:
    """For each technology, among these public agencies (all of them by default): how many
    have a public partnership with it, how many were checked (and with what newest outcome),
    and how many of those checks are stale. Only technologies with a public partnership or a
    public check are listed."""
    universe = (
        public_agencies()
        if agencies is None
        # Each of these agencies tested where it stands (an index seek per agency), rather
        # than every public agency listed first.
        else agencies.filter(
            Exists(Partnership.objects.public().filter(agency=OuterRef("pk")))
            | Exists(ResearchCheck.objects.public().filter(agency=OuterRef("pk")))
        )
    )
    agency_count = universe.count()
    public_partnerships = Partnership.objects.public()
    public_checks = ResearchCheck.objects.public()
    if technologies is None:
        technologies = Technology.objects.filter(
            Exists(public_partnerships.filter(technology=OuterRef("pk")))
            | Exists(public_checks.filter(technology=OuterRef("pk")))
        )
    rows = list(technologies.order_by("name").values_list("pk", "slug", "name"))
    # Counted by the database: a state's partnerships are never read row by row.
    recorded: dict[int, int] = dict(
        public_partnerships.filter(agency_id__in=universe.values("pk"))
        .order_by()
        .values("technology_id")
        .annotate(n=Count("agency_id", distinct=True))
        .values_list("technology_id", "n")
    )
    # The newest public check of each agency and technology decides its outcome.
    newest: dict[tuple[int, int], tuple[dt.date, int, str]] = {}
    for agency_id, technology_id, checked, pk, outcome in public_checks.filter(
        agency_id__in=universe.values("pk")
    ).values_list("agency_id", "technology_id", "checked_date", "pk", "outcome"):
        key = (agency_id, technology_id)
        if key not in newest or (checked, pk) > newest[key][:2]:
            newest[key] = (checked, pk, outcome)
    # Checked agencies that also have a recorded partnership count once in `known`.
    both = set(
        public_partnerships.filter(agency_id__in={agency for agency, _ in newest})
        .values_list("agency_id", "technology_id")
        .distinct()
    )
    cutoff = stale_cutoff(today)
    tallies: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    checked_agencies: dict[int, set[int]] = defaultdict(set)
    for (agency_id, technology_id), (checked, _pk, outcome) in newest.items():
        checked_agencies[technology_id].add(agency_id)
        tally = tallies[technology_id]
        tally["checked"] += 1
        tally[outcome] += 1
        if checked < cutoff:
            tally["stale"] += 1
    return [
        TechnologyCoverage(
            slug=slug,
            name=name,
            agencies=agency_count,
            recorded=recorded.get(pk, 0),
            checked=tallies[pk]["checked"],
            found=tallies[pk][CheckOutcome.FOUND],
            none_found=tallies[pk][CheckOutcome.NONE_FOUND],
            inconclusive=tallies[pk][CheckOutcome.INCONCLUSIVE],
            stale=tallies[pk]["stale"],
            known=recorded.get(pk, 0)
            + sum(1 for agency in checked_agencies[pk] if (agency, pk) not in both),
        )
        for pk, slug, name in rows
    ]


def none_found_by_region(checks: QuerySet[ResearchCheck], level: Level) -> dict[str, int]:
    """FIPS code -> agencies with a public 'none found' check among these checks (an agency
    serving several counties counts in each). The map shows the regions that have some but no
    matching partnership as "looked, none found"."""
    agencies = Agency.objects.filter(
        pk__in=checks.filter(outcome=CheckOutcome.NONE_FOUND).values("agency_id")
    )
    found: dict[str, set[int]] = defaultdict(set)
    if level == Level.STATE:
        for agency_id, fips in agencies.values_list("pk", "state__fips"):
            found[fips].add(agency_id)
    else:
        for agency_id, fips in agencies.filter(counties__isnull=False).values_list(
            "pk", "counties__fips"
        ):
            found[fips].add(agency_id)
    return {fips: len(ids) for fips, ids in sorted(found.items())}


def none_found_for_query(query: QueryDict, level: Level) -> dict[str, int]:
    """`none_found_by_region` for the checks that a map query selects: its filters that
    describe a search (technology, place, kind of agency, q, as_of); vendor and status do not.
    Raises ValidationError for a bad value."""
    shared = QueryDict(mutable=True)
    for name, values in shared_query(query).items():
        shared.setlist(name, values)
    filterset = ResearchCheckFilterSet(shared, queryset=ResearchCheck.objects.public())
    if not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    return none_found_by_region(filterset.qs, level)


def tasks_available(now: dt.datetime | None = None) -> QuerySet[ResearchTask]:
    """Tasks a volunteer may claim, most useful first."""
    return (
        ResearchTask.objects.available(now or timezone.now())
        .select_related("agency", "agency__state", "technology")
        .order_by("-priority", "pk")
    )
