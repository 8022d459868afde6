"""Which research checks: the partnership filters that apply to a check (technology, place,
kind of agency, text, a date), under the same names and with the same values, plus the check's
own (outcome, when it was made, stale or not). Vendor, status and the partnership's start and
end do not describe a search, so they are not taken here."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from survmap.geo.boundaries import Level
from survmap.records.filters import (
    agency_kind_filter,
    agency_or_technology_matches,
    county_filter,
    state_filter,
    technology_filter,
)
from survmap.records.models import Agency, Technology
from survmap.research.models import CheckOutcome, ResearchCheck, stale_cutoff

# The partnership filter parameters a check answers too (the map passes them all).
SHARED_PARAMS = ("technology", "state", "county", "agency_kind", "as_of", "q")


class ResearchCheckFilterSet(django_filters.FilterSet):
    # The partnership filters' own definitions: the same names, values and validation.
    technology = technology_filter()
    state = state_filter()
    county = county_filter()
    agency_kind = agency_kind_filter()
    as_of = django_filters.DateFilter(
        field_name="checked_date",
        lookup_expr="lte",
        help_text="YYYY-MM-DD: only checks made on or before that day (the map as it stood).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Text search over agency, city, county, state, technology and summary.",
    )
    outcome = django_filters.MultipleChoiceFilter(
        choices=CheckOutcome.choices,
        distinct=False,
        help_text="found, none_found or inconclusive; repeat for several. Omit for all.",
    )
    checked_after = django_filters.DateFilter(
        field_name="checked_date", lookup_expr="gte", help_text="Made on or after YYYY-MM-DD."
    )
    checked_before = django_filters.DateFilter(
        field_name="checked_date", lookup_expr="lte", help_text="Made on or before YYYY-MM-DD."
    )
    stale = django_filters.BooleanFilter(
        method="filter_stale",
        help_text=(
            "true: only checks older than SURVMAP_RESEARCH_STALE_MONTHS (18 months); "
            "false: only fresher ones."
        ),
    )

    class Meta:
        model = ResearchCheck
        fields: list[str] = []

    def filter_stale(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        cutoff = stale_cutoff()
        return (
            queryset.filter(checked_date__lt=cutoff)
            if value
            else queryset.filter(checked_date__gte=cutoff)
        )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for word in value.split()[:8]:
            query &= agency_or_technology_matches(word) | Q(summary__icontains=word)
        return queryset.filter(query)


class CoverageFilterSet(django_filters.FilterSet):
    """Which agencies /api/v1/coverage/ counts (the partnership filters' place and kind, on the
    agency itself), and which technologies it lists."""

    state = state_filter(agency="")
    county = county_filter(agency="")
    agency_kind = agency_kind_filter(agency="")
    technology = technology_filter(
        method="filter_technology", help_text="Only these technologies (slugs); all by default."
    )
    level = django_filters.ChoiceFilter(
        choices=[(level.value, level.value) for level in Level],
        method="filter_level",
        help_text=(
            "Count per state or per county instead of per technology: for each region, its "
            "agencies (the directory of US agencies included), how many have a public "
            "partnership (with the technologies given), how many more were checked, and how "
            "many are not researched."
        ),
    )

    class Meta:
        model = Agency
        fields: list[str] = []

    def filter_technology(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # It chooses the rows of the answer, not the agencies: see `technologies`.
        return queryset

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # It chooses the shape of the answer: see `chosen_level`.
        return queryset

    def keeps_region(self, fips: str, state: str) -> bool:
        """Whether a row-per-region answer keeps this region: the place filters choose the
        agencies, and an agency of a chosen county may serve others too."""
        counties = self.form.cleaned_data.get("county") or ()
        states = self.form.cleaned_data.get("state") or ()
        if states and state not in {s.code for s in states}:
            return False
        # A county's FIPS code begins with its state's.
        return not counties or any(county.fips[: len(fips)] == fips for county in counties)

    def chosen_level(self) -> Level | None:
        chosen = self.form.cleaned_data.get("level")
        return Level(chosen) if chosen else None

    def technologies(self) -> QuerySet[Technology] | None:
        """The technologies asked for, or None for every one with something public."""
        chosen = self.form.cleaned_data.get("technology")
        return Technology.objects.filter(pk__in=[t.pk for t in chosen]) if chosen else None


def shared_query(query: Any) -> dict[str, list[str]]:
    """The part of a partnership query string that also selects checks; blank values (a
    form's "any" choice) select nothing, as in the map's own form."""
    shared = {name: [value for value in query.getlist(name) if value] for name in SHARED_PARAMS}
    return {name: values for name, values in shared.items() if values}
