"""The map's numbers for a set of filters (agencies per region, class breaks and colours, totals,
the as-of timeline, "none found" regions) and its slider dates, cached per data version: the one
definition the map page, its counts endpoint, the embed and the standalone map file all read."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Max, Min, QuerySet
from django.http import QueryDict

from survmap.common import data_version
from survmap.geo.boundaries import Level
from survmap.maps.choropleth import band_colours, class_breaks
from survmap.maps.regions import region_counts
from survmap.records.filters import PartnershipFilterSet, filter_partnerships
from survmap.records.models import Agency, Partnership, PolicyEvent, Technology, Vendor
from survmap.records.selectors import partnership_list_public
from survmap.research.selectors import none_found_for_query

# The parameters that decide what the map counts ('level', 'page' or 'focus' do not).
FILTER_PARAMS = tuple(PartnershipFilterSet.base_filters)
# Long enough that a warm map never recomputes; the data version, not the timeout, keeps it fresh.
COUNTS_CACHE_SECONDS = 24 * 60 * 60


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


def _filters_only(query: QueryDict) -> QueryDict:
    """The filters of a query without their blank values (the map's plain form sends `status=`
    for "All"): what the counts depend on, and all the cache key holds. Other parameters are
    the caller's to accept or refuse."""
    filters = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        if values := [value for value in query.getlist(name) if value]:
            filters.setlist(name, values)
    return filters


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def slider_steps(first: dt.date | None, last: dt.date | None, today: dt.date) -> list[str]:
    """The as-of slider's dates: the end of each month from the first recorded start to the
    last recorded date, then today. Scaled to the data, not to the calendar: years after the
    last record would otherwise squeeze every change into a corner of the slider."""
    if first is None or first > today:
        return [today.isoformat()]
    last = min(last or first, today)
    steps = []
    month = first.replace(day=1)
    while month <= last:
        steps.append(min(_month_end(month), today).isoformat())
        month = _month_end(month) + dt.timedelta(days=1)
    if steps[-1] != today.isoformat():
        steps.append(today.isoformat())
    return steps


def map_options() -> dict[str, Any]:
    """The filter choices, the slider's dates and the policy events, cached per data version."""
    today = dt.date.today()
    key = f"survmap:map-options:{data_version.current().token}:{today.isoformat()}"
    options: dict[str, Any] | None = cache.get(key)
    if options is None:
        public = Partnership.objects.public()
        dates = public.aggregate(
            first=Min("start_date"), last_start=Max("start_date"), last_end=Max("end_date")
        )
        events = list(
            PolicyEvent.objects.public().order_by("date", "title").values_list("date", "title")
        )
        ends = [d for d in (dates["last_start"], dates["last_end"]) if d is not None]
        ends += [date for date, _ in events]
        steps = slider_steps(dates["first"], max(ends, default=None), today)
        options = {
            "technologies": list(
                Technology.objects.public().order_by("name").values_list("slug", "name")
            ),
            "vendors": list(Vendor.objects.public().order_by("name").values_list("slug", "name")),
            "earliest": (dates["first"] or dt.date(2010, 1, 1)).isoformat(),
            "steps": steps,
            "events": [
                {"date": date.isoformat(), "title": title}
                for date, title in events
                if steps[0][:7] <= date.isoformat() <= steps[-1]
            ],
        }
        cache.set(key, options, COUNTS_CACHE_SECONDS)
    return options


def _timeline(partnerships: QuerySet, steps: list[str]) -> list[int]:
    """Partnerships in effect on each of the slider's dates (begun by then, not yet ended)."""
    rows = partnerships.filter(start_date__isnull=False).values_list("start_date", "end_date")
    starts = sorted(start for start, _ in rows)
    ends = sorted(end for _, end in rows if end is not None)
    timeline = []
    for step in steps:
        day = dt.date.fromisoformat(step)
        timeline.append(bisect.bisect_right(starts, day) - bisect.bisect_left(ends, day))
    return timeline


def counts_payload(query: QueryDict, level: Level) -> dict[str, Any]:
    """Agencies per region for the filters of `query`: {'level', 'counts', 'breaks', 'colours',
    'agencies', 'regions', 'as_of', 'undated', 'timeline', 'none_found'}, cached per data
    version. Parameters other than the filters are left to the caller (a page refuses the ones
    it does not take). Raises InvalidQuery for a value a filter refuses."""
    filters = _filters_only(query)
    key = data_version.cache_key("counts", f"{level}:{filter_query(filters)}")
    payload: dict[str, Any] | None = cache.get(key)
    if payload is not None:
        return payload
    filterset = filter_partnerships(filters, partnership_list_public())
    partnerships = filterset.qs
    counts = region_counts(partnerships, level)
    as_of = filterset.form.cleaned_data.get("as_of")
    if as_of:
        # An as-of view keeps the colour bands of the whole record under the same filters,
        # so that one colour means the same count on every date of the slider.
        everything = filters.copy()
        everything.pop("as_of", None)
        overall = counts_payload(everything, level)
        breaks, timeline, undated = overall["breaks"], overall["timeline"], overall["undated"]
    else:
        breaks = class_breaks(list(counts.values()))
        timeline = _timeline(partnerships, map_options()["steps"])
        undated = partnerships.filter(start_date__isnull=True).count()
    payload = {
        "level": str(level),
        "counts": counts,
        "breaks": breaks,
        "colours": band_colours(breaks),
        "agencies": Agency.objects.filter(pk__in=partnerships.values("agency_id"))
        .distinct()
        .count(),
        "regions": sum(1 for n in counts.values() if n),
        "as_of": as_of.isoformat() if as_of else "",
        # Partnerships with no known start: an as-of view cannot place them, and says so.
        "undated": undated,
        "timeline": timeline,
        # Regions where a public research check found nothing (survmap.research): the
        # legend's "looked, none found", apart from "no record".
        "none_found": none_found_for_query(filters, level),
    }
    cache.set(key, payload, COUNTS_CACHE_SECONDS)
    return payload
