"""The map's numbers for a set of filters (agencies per region, class breaks, totals), cached per
data version: shared by the map page, the standalone map file and the embed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict

from survmap.common import data_version
from survmap.geo.boundaries import Level
from survmap.geo.choropleth import class_breaks
from survmap.geo.regions import region_counts
from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import Agency
from survmap.records.selectors import partnership_list_public

# The parameters that decide what the map counts ('level', 'page' or 'focus' do not).
FILTER_PARAMS = tuple(PartnershipFilterSet.base_filters)
# Long enough that a warm map never recomputes; the data version, not the timeout, keeps it fresh.
COUNTS_CACHE_SECONDS = 24 * 60 * 60


class InvalidFilters(ValueError):
    """Filters the FilterSet refuses, by parameter name."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))
        self.errors = errors


def as_query(filters: QueryDict | Mapping[str, str | list[str] | tuple[str, ...]]) -> QueryDict:
    """Filters as a QueryDict, from a request's GET or a plain mapping (notebooks, commands):
    {'technology': ['ring', 'rekognition'], 'status': 'active'}."""
    if isinstance(filters, QueryDict):
        return filters
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        values = [value] if isinstance(value, str) else list(value)
        query.setlist(name, [str(v) for v in values if v not in (None, "")])
    return query


def filter_query(query: QueryDict) -> str:
    """The normalised filter part of a query string: same filters, same key, any order."""
    pairs = sorted(
        (name, value) for name in FILTER_PARAMS for value in query.getlist(name) if value
    )
    return urlencode(pairs)


def filtered_partnerships(query: QueryDict) -> Any:
    filterset = PartnershipFilterSet(query, queryset=partnership_list_public())
    if not filterset.is_valid():
        raise InvalidFilters({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


def counts_payload(query: QueryDict, level: Level) -> dict[str, Any]:
    """Agencies per region for these filters: {'level', 'counts', 'breaks', 'agencies',
    'regions'}, cached per data version. Raises InvalidFilters."""
    # A key of its own: the map page's payload may carry more (colours, as-of steps) under
    # 'survmap:counts:', and must never be answered with this smaller one.
    key = f"survmap:region-counts:{data_version.current().token}:{level}:{filter_query(query)}"
    payload: dict[str, Any] | None = cache.get(key)
    if payload is None:
        partnerships = filtered_partnerships(query)
        counts = region_counts(partnerships, level)
        agencies = Agency.objects.filter(pk__in=partnerships.values("agency_id")).distinct().count()
        payload = {
            "level": str(level),
            "counts": counts,
            "breaks": class_breaks(list(counts.values())),
            "agencies": agencies,
            "regions": sum(1 for n in counts.values() if n),
        }
        cache.set(key, payload, COUNTS_CACHE_SECONDS)
    return payload
