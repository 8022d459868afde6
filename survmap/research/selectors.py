"""Reads of research that more than one view needs: the public checks with their related rows
fetched once, coverage figures (the share of agencies checked per technology, and per region how
many agencies have a record, were checked or are not researched), the map's "looked, none
found" per region, and the tasks open to volunteers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import QueryDict
from django.utils import timezone

from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.records.models import Agency, AgencyQuerySet, Partnership, Technology
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


def known_agencies(agencies: AgencyQuerySet | None = None) -> AgencyQuerySet:
    """Of these agencies (all by default), those coverage counts: the ones a reader may look
    up (`Agency.objects.listed()`: a public partnership, or the directory of US agencies) and
    those with a public check. Each agency is tested where it stands (an index seek), rather
    than every listed agency listed first."""
    base = Agency.objects.all() if agencies is None else agencies
    return base.listed(also=Exists(ResearchCheck.objects.public().filter(agency=OuterRef("pk"))))


def coverage(
    agencies: AgencyQuerySet | None = None,
    *,
    technologies: QuerySet[Technology] | None = None,
    today: dt.date | None = None,
) -> list[TechnologyCoverage]:
    """For each technology, among these agencies as `known_agencies` counts them (the
    directory's included): how many have a public partnership with it, how many were checked
    (and with what newest outcome), and how many of those checks are stale. Only technologies
    with a public partnership or a public check are listed."""
    universe = known_agencies(agencies)
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


@dataclass(frozen=True)
class RegionCoverage:
    """How far research has reached the agencies of one state or county (an agency serving
    several counties counts in each): every agency falls in one of recorded, checked and not
    researched."""

    fips: str
    name: str
    state: str
    agencies: int
    recorded: int
    checked: int
    none_found: int
    directory: int

    @property
    def not_researched(self) -> int:
        return self.agencies - self.recorded - self.checked

    def as_json(self) -> dict[str, Any]:
        return {
            "fips": self.fips,
            "name": self.name,
            "state": self.state,
            "agencies": self.agencies,
            "recorded": self.recorded,
            "checked": self.checked,
            "none_found": self.none_found,
            "not_researched": self.not_researched,
            "directory": self.directory,
        }


def coverage_by_region(
    level: Level,
    agencies: AgencyQuerySet | None = None,
    *,
    technologies: QuerySet[Technology] | None = None,
) -> dict[str, RegionCoverage]:
    """FIPS code -> how many of these agencies (`known_agencies`) each state or county has,
    how many have a public partnership (with one of `technologies`, if given), how many more
    have a public check (of those technologies) and how many of those found none, and how many
    come from the directory of US agencies (an ORI: their credit is owed).

    One grouped query counts the agencies of each region by what is known of them; the public
    partnerships' agencies are a set the database builds once in it. The checked agencies
    (a few hundred at most) are read first: the public checks' own rule, written into the
    grouped query, made SQLite rebuild the public partnerships for every use (twice as slow)."""
    public_partnerships = Partnership.objects.public()
    public_checks = ResearchCheck.objects.public()
    checks = public_checks
    partnerships = public_partnerships
    if technologies is not None:
        partnerships = partnerships.filter(technology__in=technologies)
        checks = checks.filter(technology__in=technologies)
    checked = set(checks.values_list("agency_id", flat=True).distinct())
    none_found = set(
        checks.filter(outcome=CheckOutcome.NONE_FOUND)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    region = "state__fips" if level == Level.STATE else "counties__fips"
    base = Agency.objects.all() if agencies is None else agencies
    if level == Level.COUNTY:
        base = base.filter(counties__isnull=False)

    def flag(condition: Q) -> ExpressionWrapper:
        return ExpressionWrapper(condition, output_field=BooleanField())

    # Which agencies count does not depend on the technologies asked for (known_agencies):
    # without any, an agency is known when it is in the directory, recorded or checked.
    known = Q(pk__gte=0)
    if technologies is not None:
        known = (
            ~Q(ori="")
            | Q(pk__in=public_partnerships.values("agency_id"))
            | Q(pk__in=set(public_checks.values_list("agency_id", flat=True).distinct()))
        )
    grouped = (
        base.order_by()
        .annotate(
            is_known=flag(known),
            is_recorded=flag(Q(pk__in=partnerships.values("agency_id"))),
            is_checked=flag(Q(pk__in=checked)),
            is_none_found=flag(Q(pk__in=none_found)),
            in_directory=flag(~Q(ori="")),
        )
        .values_list(
            region, "is_known", "is_recorded", "is_checked", "is_none_found", "in_directory"
        )
        .annotate(n=Count("pk"))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for fips, is_known, is_recorded, is_checked, is_none_found, in_directory, n in grouped:
        listed = in_directory or is_recorded or is_checked or technologies is not None
        if not (is_known and listed):
            continue  # a hidden record: no reader sees it
        tally = counts[fips]
        tally[0] += n
        tally[1] += n if is_recorded else 0
        tally[2] += n if is_checked and not is_recorded else 0
        tally[3] += n if is_none_found and not is_recorded else 0
        tally[4] += n if in_directory else 0
    if level == Level.STATE:
        names = {
            fips: (name, code)
            for fips, name, code in State.objects.filter(fips__in=counts).values_list(
                "fips", "name", "code"
            )
        }
    else:
        # Every county at once rather than a list of thousands of codes to compile and send.
        some = County.objects.filter(fips__in=counts) if len(counts) < 100 else County.objects
        names = {
            fips: (name, code)
            for fips, name, code in some.values_list("fips", "full_name", "state_id")
        }
    return {
        fips: RegionCoverage(fips, *names[fips], *counts[fips])
        for fips in sorted(counts)
        if fips in names
    }


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
