"""Which sharing links: by either end, by the sharing or the searching agency, by state, by
technology (the records' own filter definitions, the same names and values)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from survmap.platereaders.models import Organisation
from survmap.records.filters import technology_filter
from survmap.records.models import Agency


class SharingFilterSet(django_filters.FilterSet):
    from_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        help_text="Agency id: links that let others search this agency's data.",
    )
    to_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        help_text="Agency id: links that let this agency search others' data.",
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        help_text="Agency id: links with this agency at either end.",
    )
    state = django_filters.CharFilter(
        method="filter_state",
        help_text="USPS state code: links with an agency or organisation of that state at "
        "either end.",
    )
    technology = technology_filter()

    def filter_agency(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(Q(from_agency=value) | Q(to_agency=value))

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip().upper()
        # Subqueries rather than joins: each side is then one walk of its own index.
        agencies = Agency.objects.filter(state_id=code).values("pk")
        organisations = Organisation.objects.filter(state_id=code).values("pk")
        return queryset.filter(
            Q(from_agency__in=agencies)
            | Q(to_agency__in=agencies)
            | Q(from_organisation__in=organisations)
            | Q(to_organisation__in=organisations)
        )
