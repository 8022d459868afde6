"""The one definition of "which partnerships": the map, the pages, the API and the exports all
take these query parameters. "Which agencies" (the API's agency list) is these filters plus a
few of the agency's own (`AgencyFilterSet`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connections
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema_field

from survmap.common import data_version
from survmap.geo.models import County, State
from survmap.records import fulltext
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Technology,
    TechnologyCategory,
    Vendor,
    ori_validator,
)


class NormalisedChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Values as people type them (`ca`, `California`, `alpr`) read as the codes they mean
    before they are checked; a value that names nothing is left as it is, to be refused."""

    def __init__(self, *args: Any, normalise: Callable[[str], list[str]], **kwargs: Any) -> None:
        self.normalise = normalise
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = [code for typed in value for code in self.normalise(str(typed))]
        return super().clean(value)


class CodeMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Several records named by their slug or code (technology, vendor, state, county); with
    `normalise`, also by what people type for them (see `typed_states`, `typed_technologies`)."""

    def __init__(
        self, *args: Any, normalise: Callable[[str], list[str]] | None = None, **kwargs: Any
    ) -> None:
        if normalise is not None:
            self.field_class = NormalisedChoiceField
            kwargs["normalise"] = normalise
        super().__init__(*args, **kwargs)
        # The API schema cannot guess the type from a callable queryset: say it is a string.
        extend_schema_field({"type": "string", "description": kwargs.get("help_text", "")})(self)


def _all(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet]:
    """The choices as a callable: each FilterSet deep-copies its filters, and deep-copying a
    QuerySet per request costs more than the whole query of a list page. `distinct=False` on
    filters that follow only foreign keys spares the database a DISTINCT over every column;
    only `county` crosses a many-to-many relation."""
    return lambda request: model._default_manager.all()


Q_MAX_LENGTH = 500

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


def _typed_key(value: str) -> str:
    """What two spellings of one name share: case, spaces, hyphens and underscores aside."""
    return re.sub(r"[\s_-]+", " ", value.strip().casefold())


# Short names of technologies that are neither a slug, a name nor a category.
TECHNOLOGY_ABBREVIATIONS = {"lpr": "alpr", "anpr": "alpr", "plate readers": "alpr"}


def _typed_names(kind: str, pairs: Callable[[], list[tuple[str, str]]]) -> dict[str, list[str]]:
    """{typed key: [codes]} for one kind of record, built once per data version."""
    key = f"survmap:typed-{kind}:{data_version.current().token}"
    names: dict[str, list[str]] | None = cache.get(key)
    if names is None:
        names = {}
        for typed, code in pairs():
            codes = names.setdefault(_typed_key(typed), [])
            if code not in codes:
                codes.append(code)
        cache.set(key, names, 3600)
    return names


def typed_states(value: str) -> list[str]:
    """A state or territory as people type it: its code in any case (`ca`) or its name
    (`California`, `new york`)."""
    if re.fullmatch(r"[A-Z]{2}", value):
        return [value]

    def pairs() -> list[tuple[str, str]]:
        return [
            (typed, code)
            for code, name in State.objects.values_list("code", "name")
            for typed in (code, name)
        ]

    return _typed_names("states", pairs).get(_typed_key(value), [value])


def typed_technologies(value: str) -> list[str]:
    """A technology as people type it: its slug in any case, its name, its category (`alpr`,
    `face_recognition`, or the category's label) or a common abbreviation (`LPR`); a category
    stands for every technology in it."""

    def pairs() -> list[tuple[str, str]]:
        labels = dict(TechnologyCategory.choices)
        found = []
        for slug, name, category in Technology.objects.values_list("slug", "name", "category"):
            found += [(slug, slug), (name, slug), (category, slug), (str(labels[category]), slug)]
            found += [(a, slug) for a, c in TECHNOLOGY_ABBREVIATIONS.items() if c == category]
        return found

    return _typed_names("technologies", pairs).get(_typed_key(value), [value])


# The filters other record lists share (research checks, coverage), made here so that each
# parameter has one definition of its name, values, validation and help. `agency` is the path
# from the filtered model to the agency ("" on agencies themselves).
def technology_filter(**overrides: Any) -> CodeMultipleChoiceFilter:
    options: dict[str, Any] = {
        "field_name": "technology__slug",
        "to_field_name": "slug",
        "distinct": False,
        "queryset": _all(Technology),
        "normalise": typed_technologies,
        "help_text": (
            "Technology slug (or its name, or its category such as alpr); repeat for several "
            "(any of them matches)."
        ),
    }
    return CodeMultipleChoiceFilter(**(options | overrides))


def state_filter(agency: str = "agency__") -> CodeMultipleChoiceFilter:
    return CodeMultipleChoiceFilter(
        field_name=f"{agency}state",
        distinct=False,
        queryset=_all(State),
        normalise=typed_states,
        help_text=(
            "USPS state or territory code, e.g. MI (or mi, or its name, Michigan); repeat for "
            "several."
        ),
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


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """A sort on a column that may be empty (a start date, a vendor) puts the rows without it
    last, whichever way: "Not recorded" first would bury every dated record on page 40."""

    def get_ordering_value(self, param: str) -> Any:
        value = super().get_ordering_value(param)
        descending = value.startswith("-")
        field = F(value.lstrip("-"))
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        # Ending in the id, so that equal values page the same way every time.
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "pk")


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
        # Longer is no search anybody types, and each word costs the index in its length.
        max_length=Q_MAX_LENGTH,
        help_text=(
            "Text search over agency, city, county, state, technology, vendor and summary "
            f"(at most {Q_MAX_LENGTH} characters; the first 8 words)."
        ),
    )
    ordering = NullsLastOrderingFilter(
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
        # The words are parameters; the SQL is fulltext's own.
        return queryset.filter(pk__in=fulltext.MatchingIds(connections[queryset.db].vendor, words))


class OriField(forms.CharField):
    """An ORI as people type it: case and spaces do not matter; seven or nine characters."""

    default_validators = [ori_validator]

    def to_python(self, value: Any) -> str:
        return "".join(str(super().to_python(value)).split()).upper()


class OriFilter(django_filters.CharFilter):
    field_class = OriField


# The partnership filters that describe the partnership rather than its agency: given to the
# agency list, they keep the agencies with a public partnership that matches.
PARTNERSHIP_ONLY_FILTERS = (
    "technology",
    "vendor",
    "status",
    "as_of",
    "start_after",
    "start_before",
    "end_after",
    "end_before",
    "q",
)
HAS_PARTNERSHIPS = (("true", "true"), ("false", "false"))


class AgencyFilterSet(django_filters.FilterSet):
    """Which agencies: the listed ones (`Agency.objects.listed()`: a public partnership, or the
    directory of US agencies) by their place, kind, id and ORI, and by their public
    partnerships. Any partnership filter (technology, vendor, status, the dates, q) keeps the
    agencies with a public partnership matching every filter given, as before the directory;
    `has_partnerships=true` asks for those explicitly, `false` for the others. The partnership
    filters are the one PartnershipFilterSet, bound to the same query."""

    state = state_filter(agency="")
    county = county_filter(agency="")
    agency_kind = agency_kind_filter(agency="")
    agency = AgencyIdFilter(
        method="filter_agency",
        queryset=_all(Agency),
        help_text="survmap id of the agency, e.g. 123; repeat for several.",
    )
    ori = OriFilter(
        method="filter_ori",
        help_text=(
            "FBI Originating Agency Identifier, in any case, e.g. TX0570100. An ORI9 is its "
            "agency's seven-character ORI7 and two more characters: a seven-character ORI "
            "finds the agency whose ORI9 begins with it, a nine-character one also an agency "
            "recorded by its ORI7."
        ),
    )
    has_partnerships = django_filters.ChoiceFilter(
        choices=HAS_PARTNERSHIPS,
        method="filter_has_partnerships",
        help_text=(
            "true: only agencies with a public partnership (matching the partnership filters "
            "given); false: only agencies without one (directory agencies with nothing "
            "recorded, or nothing matching). Omit for both, unless a partnership filter is "
            "given."
        ),
    )

    class Meta:
        model = Agency
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        self.partnerships = PartnershipFilterSet(data, queryset=Partnership.objects.public())

    def is_valid(self) -> bool:
        own = super().is_valid()
        return self.partnerships.is_valid() and own

    @property
    def errors(self) -> dict[str, list[str]]:
        merged = {name: [str(m) for m in messages] for name, messages in self.form.errors.items()}
        for name, messages in self.partnerships.errors.items():
            known = merged.setdefault(name, [])
            known += [str(m) for m in messages if str(m) not in known]
        return merged

    def filter_agency(self, queryset: QuerySet, name: str, value: list[Agency]) -> QuerySet:
        return queryset.filter(pk__in=[agency.pk for agency in value]) if value else queryset

    def filter_ori(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=Agency.objects.with_ori(value).values("pk"))

    def filter_has_partnerships(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # with the partnership filters, in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        has = self.form.cleaned_data.get("has_partnerships")
        cleaned = self.partnerships.form.cleaned_data
        if not has and not any(cleaned.get(name) for name in PARTNERSHIP_ONLY_FILTERS):
            return queryset
        matching = Q(pk__in=self.partnerships.qs.order_by().values("agency_id"))
        return queryset.exclude(matching) if has == "false" else queryset.filter(matching)


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
