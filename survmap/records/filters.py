"""The one definition of "which partnerships": the map, the pages, the API and the exports all
take these query parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

import django_filters
from django import forms
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema_field

from survmap.geo.models import County, State
from survmap.records import fulltext
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Technology,
    Vendor,
)


class CodeMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Several records named by their slug or code (technology, vendor, state, county)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The API schema cannot guess the type from a callable queryset: say it is a string.
        extend_schema_field({"type": "string", "description": kwargs.get("help_text", "")})(self)


def _all(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet]:
    """The choices as a callable: each FilterSet deep-copies its filters, and deep-copying a
    QuerySet per request costs more than the whole query of a list page. `distinct=False` on
    filters that follow only foreign keys spares the database a DISTINCT over every column;
    only `county` crosses a many-to-many relation."""
    return lambda request: model._default_manager.all()


RECORD_ID = re.compile(r"[0-9]{1,18}")


def record_id(value: str) -> int | None:
    """`value` as a survmap id if it is one, else None: ASCII digits only ('²'.isdigit() is
    true, yet int() refuses it), and short enough for the database's integers."""
    return int(value) if RECORD_ID.fullmatch(value) else None


class RecordIdsField(django_filters.fields.ModelMultipleChoiceField):
    """Ids checked to be ids before the database sees them: a value past its integer range
    ('-8883024525585666801664') would otherwise fail in the driver instead of the form."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else [value]:
            if record_id(str(pk)) is None:
                raise forms.ValidationError(
                    f"'{str(pk)[:40]}' is not a survmap id (a whole number).",
                    code="invalid_pk_value",
                )
        return super()._check_values(value)


class AgencyIdFilter(django_filters.ModelMultipleChoiceFilter):
    """Agencies named by survmap's id (the number in /agencies/<id>/)."""

    field_class = RecordIdsField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extend_schema_field({"type": "integer", "description": kwargs.get("help_text", "")})(self)


# The filters other record lists share (research checks, coverage), made here so that each
# parameter has one definition of its name, values, validation and help. `agency` is the path
# from the filtered model to the agency ("" on agencies themselves).
def technology_filter(**overrides: Any) -> CodeMultipleChoiceFilter:
    options: dict[str, Any] = {
        "field_name": "technology__slug",
        "to_field_name": "slug",
        "distinct": False,
        "queryset": _all(Technology),
        "help_text": "Technology slug; repeat for several (any of them matches).",
    }
    return CodeMultipleChoiceFilter(**(options | overrides))


def state_filter(agency: str = "agency__") -> CodeMultipleChoiceFilter:
    return CodeMultipleChoiceFilter(
        field_name=f"{agency}state",
        distinct=False,
        queryset=_all(State),
        help_text="USPS state or territory code, e.g. MI; repeat for several.",
    )


def county_filter(agency: str = "agency__") -> CodeMultipleChoiceFilter:
    # The one many-to-many path: distinct, so an agency of two matching counties counts once.
    return CodeMultipleChoiceFilter(
        field_name=f"{agency}counties",
        queryset=_all(County),
        help_text="Five-digit county FIPS code, e.g. 26099; repeat for several.",
    )


def agency_kind_filter(agency: str = "agency__") -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name=f"{agency}kind",
        choices=AgencyKind.choices,
        distinct=False,
        help_text="Kind of agency; repeat for several.",
    )


def agency_or_technology_matches(word: str) -> Q:
    """The part of the text search `q` that every record of an agency and a technology shares:
    the word in the agency's name, city, county or state, or in the technology's name. Each
    table is looked up first and reached through id subqueries, so the database scans each once
    instead of joining them all for every record."""
    agencies = Agency.objects.filter(
        Q(name__icontains=word)
        | Q(city__icontains=word)
        | Q(state__name__icontains=word)
        | Q(state__code__iexact=word)
    ).values("pk")
    in_counties = Agency.counties.through.objects.filter(
        county__in=County.objects.filter(name__icontains=word).values("pk")
    ).values("agency_id")
    return (
        Q(agency_id__in=agencies)
        | Q(agency_id__in=in_counties)
        | Q(technology_id__in=Technology.objects.filter(name__icontains=word).values("pk"))
    )


class PartnershipFilterSet(django_filters.FilterSet):
    technology = technology_filter()
    vendor = CodeMultipleChoiceFilter(
        field_name="vendor__slug",
        to_field_name="slug",
        distinct=False,
        queryset=_all(Vendor),
        method="filter_vendor",
        help_text=(
            "Vendor slug; repeat for several. Matches a partnership's vendor and the other "
            "vendors its sources name."
        ),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=PartnershipStatus.choices,
        distinct=False,
        help_text="Partnership status; repeat for several. Omit for all.",
    )
    state = state_filter()
    county = county_filter()
    agency = AgencyIdFilter(
        field_name="agency",
        distinct=False,
        queryset=_all(Agency),
        help_text="survmap id of the agency, e.g. 123; repeat for several.",
    )
    agency_kind = agency_kind_filter()
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        help_text=(
            "YYYY-MM-DD: only partnerships in effect that day (begun on or before it, "
            "not ended before it). Partnerships with no known start are left out."
        ),
    )
    start_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", help_text="Began on or after YYYY-MM-DD."
    )
    start_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", help_text="Began on or before YYYY-MM-DD."
    )
    end_after = django_filters.DateFilter(
        field_name="end_date", lookup_expr="gte", help_text="Ended on or after YYYY-MM-DD."
    )
    end_before = django_filters.DateFilter(
        field_name="end_date", lookup_expr="lte", help_text="Ended on or before YYYY-MM-DD."
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Text search over agency, city, county, state, technology, vendor and summary.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("agency__name", "agency"),
            ("agency__state_id", "state"),
            ("technology__name", "technology"),
            ("vendor__name", "vendor"),
            ("status", "status"),
            ("start_date", "start"),
            ("end_date", "end"),
            ("id", "id"),
        ),
        help_text="Sort field; prefix with - for descending.",
    )

    class Meta:
        model = Partnership
        fields: list[str] = []

    def filter_vendor(self, queryset: QuerySet, name: str, value: list[Vendor]) -> QuerySet:
        if not value:
            return queryset
        also = Partnership.other_vendors.through.objects.filter(vendor__in=value)
        return queryset.filter(Q(vendor__in=value) | Q(pk__in=also.values("partnership_id")))

    def filter_as_of(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        # A rejected proposal was never in effect, whatever dates its sources give.
        return (
            queryset.filter(start_date__lte=value)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=value))
            .exclude(status=PartnershipStatus.REJECTED)
        )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word in the partnership's names (agency, city, county, state, technology,
        vendor) or text (product, summary), found through the database's full-text index
        (survmap.records.fulltext) rather than by reading every row."""
        words = value.split()[:8]
        if not words:
            return queryset
        sql, params = fulltext.matching_ids(connections[queryset.db].vendor, words)
        # The words are parameters; the SQL is fulltext's own.
        return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611


# Parameters a link may carry that say nothing about the data: campaign tags added by
# newsletters and social networks. Refusing them would break a newspaper's link to the map.
_TRACKING = re.compile(r"utm_[a-z_]{1,30}|fbclid|gclid|mc_cid|mc_eid")
FILTER_NAMES = frozenset(PartnershipFilterSet.base_filters)
AnyFilterSet = TypeVar("AnyFilterSet", bound=django_filters.FilterSet)


class InvalidQuery(Exception):
    """Query parameters that cannot be used: unknown names, or values a filter refuses. Pages
    answer it with a 400 page and the API with a JSON 400, each naming the parameters."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))
        self.errors = dict(errors)


def unknown_parameters(params: Mapping[str, Any], allowed: Collection[str]) -> dict[str, list[str]]:
    """An error per parameter the page or route does not take: a misspelt filter
    (`technolgy=drones`) or one it has not (`page` on a cursor-paged API) would otherwise be
    ignored, and the answer would look like the whole set."""
    known = sorted(allowed)
    return {
        name: [f"Unknown parameter. This address takes: {', '.join(known) or 'no parameters'}."]
        for name in sorted(params)
        if name not in allowed and not _TRACKING.fullmatch(name)
    }


def validated_filterset(
    filterset_class: type[AnyFilterSet],
    params: Any,
    queryset: QuerySet,
    *,
    also: Collection[str] = (),
) -> AnyFilterSet:
    """The one "validate or refuse" step for every reader of a FilterSet (pages, map counts,
    API lists, exports, coverage): the FilterSet bound to `params`, or InvalidQuery naming each
    unknown parameter (anything but the filters and `also`) and each value a filter refuses."""
    errors = unknown_parameters(params, set(filterset_class.base_filters) | set(also))
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            errors.setdefault(name, []).extend(str(message) for message in messages)
    if errors:
        raise InvalidQuery(errors)
    return filterset


def filter_partnerships(
    params: Any, queryset: QuerySet[Partnership], *, also: Collection[str] = ()
) -> PartnershipFilterSet:
    """`validated_filterset` for "which partnerships", the FilterSet most readers take."""
    return validated_filterset(PartnershipFilterSet, params, queryset, also=also)
