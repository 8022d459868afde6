"""The public pages: the map (home), the table of what the map shows, region, agency and
technology pages, and the small JSON endpoints the map's script reads."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Func, IntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import json_script

from survmap.common import allowance, data_version
from survmap.geo.adjacency import county_neighbours, state_neighbours
from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.geo.topology import geometry_asset
from survmap.maps.choropleth import (
    NONE_COLOUR,
    legend_bands,
    level_for_fips,
    region_names,
)
from survmap.maps.counts import (
    COUNTS_CACHE_SECONDS,
    FILTER_PARAMS,
    counts_payload,
    filter_query,
    map_options,
)
from survmap.maps.regions import region_counts
from survmap.maps.standalone import filter_lines
from survmap.maps.svgmap import state_sketch
from survmap.records.filters import (
    FILTER_NAMES,
    InvalidQuery,
    PartnershipFilterSet,
    filter_partnerships,
    unknown_parameters,
)
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    Technology,
)
from survmap.records.selectors import partnership_list_public
from survmap.records.sorting import BY_PLACE, PARTNERSHIP_SORT_KEYS
from survmap.research.legend import LOOKED_COLOUR, with_research
from survmap.research.models import ResearchCheck
from survmap.web import paging
from survmap.web.decisions import DECISION_STATUSES, decisions_for, reported_counts
from survmap.web.search import search

PAGE_SIZE = 100
# Region and technology pages lead with their counts (aggregates, kept per data version) and
# list this many partnerships a page, as the table does: the rest are a page away, and in the
# downloads.
LIST_ROWS = 25
DEFAULT_LEVEL = Level.COUNTY
NOSCRIPT_ROWS = 100
SORTABLE_COLUMNS = ("agency", "state", "technology", "vendor", "status", "start", "end")
# What each page takes besides the filters; anything else is a 400 naming it (a misspelt
# filter would otherwise show the whole map as if it were the answer).
MAP_PARAMS = ("level", "focus")
# `page` is taken and ignored: the lists were paged by number before they were paged by keyset,
# and an old link should still open the list (at its first page).
PAGED_PARAMS = ("page", paging.CURSOR_PARAM)

# A query parameter the site cannot use; the reader gets a 400 naming it.
BadQuery = InvalidQuery


def _filterset(
    request: HttpRequest, queryset: QuerySet | None = None, *, also: tuple[str, ...] = ()
) -> PartnershipFilterSet:
    return _filterset_for(request.GET, queryset, also=also)


def _without_blanks(query: QueryDict) -> QueryDict:
    """The query without empty values: the map's plain form (no JavaScript) sends `status=`
    for "All" and `vendor=` for "Any vendor", which mean no filter, not a bad choice."""
    cleaned = QueryDict(mutable=True)
    for name, values in query.lists():
        kept = [value for value in values if value != ""]
        if kept:
            cleaned.setlist(name, kept)
    return cleaned


def _filterset_for(
    query: QueryDict, queryset: QuerySet | None = None, *, also: tuple[str, ...] = ()
) -> PartnershipFilterSet:
    """The one validate-or-refuse step (records.filters.filter_partnerships) on the query
    without its blank choices."""
    return filter_partnerships(
        _without_blanks(query),
        partnership_list_public() if queryset is None else queryset,
        also=also,
    )


def map_level(request: HttpRequest) -> Level:
    value = request.GET.get("level", DEFAULT_LEVEL)
    try:
        return Level(value)
    except ValueError:
        raise BadQuery({"level": [f"Choose 'state' or 'county', not '{value}'."]}) from None


def _download_query(query: QueryDict, **fixed: str) -> str:
    """The filters of the view on a page as the exports' query string: the reader's filters,
    with the page's own place, agency or technology in place of any the reader gave for it."""
    pairs = [
        (name, value)
        for name in FILTER_PARAMS
        if name not in fixed
        for value in query.getlist(name)
        if value
    ]
    pairs += list(fixed.items())
    return urlencode(sorted(pairs))


def bad_request(request: HttpRequest, problem: BadQuery) -> HttpResponse:
    """The 400 page naming each parameter the page cannot use (the map's pages, the embed
    and the standalone file alike)."""
    return render(
        request,
        "web/bad_request.html",
        {"errors": problem.errors, "home": reverse("web:home")},
        status=400,
    )


def map_counts_payload(request: HttpRequest, level: Level) -> dict[str, Any]:
    """Agencies per region for the request's filters, cached per data version."""
    # Unknown names are refused before the cache: the key holds only the filters.
    unknown = unknown_parameters(request.GET, FILTER_NAMES | set(MAP_PARAMS))
    if unknown:
        raise BadQuery(unknown)
    return counts_payload(request.GET, level)


# The map's jump links: each one a region page without JavaScript, a zoom with it.
JUMPS = (
    ("02", "Alaska"),
    ("15", "Hawaii"),
    ("72", "Puerto Rico"),
    ("78", "Virgin Islands"),
    ("66", "Guam"),
    ("69", "N. Mariana Islands"),
    ("60", "American Samoa"),
)


def _with(query: QueryDict, **values: str) -> str:
    """The query string with some parameters replaced (an empty value drops the parameter)."""
    copy = query.copy()
    for name, value in values.items():
        copy.pop(name, None)
        if value:
            copy[name] = value
    return copy.urlencode()


def map_config(level: Level, options: dict[str, Any]) -> dict[str, Any]:
    """What static/js/map.js reads (json_script 'map-config'): the map page's and the embed's."""
    asset = geometry_asset(level)
    return {
        "level": str(level),
        "geometry": reverse(
            "web:map_geometry", kwargs={"level": str(level), "digest": asset.digest}
        ),
        # The outlines are fetched and decoded in a worker (static/js/map-worker.js).
        "worker": static("js/map-worker.js"),
        "topojson": static("vendor/topojson-client-3.1.0/topojson-client.min.js"),
        "counts_url": reverse("web:map_counts"),
        # Regions where someone looked and found nothing (survmap.research), for the legend.
        "coverage_url": reverse("research:map_coverage"),
        "search_url": reverse("web:search"),
        "region_url": reverse("web:region", kwargs={"fips": "00"}).replace("00", "{fips}"),
        "table_url": reverse("web:table"),
        "tile_url": settings.SURVMAP_TILE_URL,
        "tile_attribution": settings.SURVMAP_TILE_ATTRIBUTION,
        "today": dt.date.today().isoformat(),
        "earliest": options["earliest"],
        "steps": options["steps"],
        "events": options["events"],
        "none_colour": NONE_COLOUR,
        "looked_colour": LOOKED_COLOUR,
        "list_rows": NOSCRIPT_ROWS,
    }


@allowance.costly(allowance.filtered_page_cost)
def home(request: HttpRequest) -> HttpResponse:
    """The choropleth: agencies per state or county with partnerships matching the filters."""
    try:
        level = map_level(request)
        counts = map_counts_payload(request, level)
    except BadQuery as problem:
        return bad_request(request, problem)
    # The content is the same for every reader of this address on this day: drawn once per
    # data version and kept. The address is the whole key (the host too: the embed code in it
    # is absolute; and the tile server's settings), and nothing of the reader goes in (the
    # base template adds that).
    today = dt.date.today().isoformat()
    address = f"{request.scheme}://{request.get_host()}?{sorted(request.GET.lists())}"
    address += f"|{settings.SURVMAP_TILE_URL}|{settings.SURVMAP_TILE_ATTRIBUTION}"
    content = data_version.kept(
        f"home:{today}:{hashlib.sha256(address.encode()).hexdigest()[:32]}",
        lambda: _home_content(request, level, counts),
    )
    return render(
        request, "web/home.html", {"level": str(level), "counts": counts, "content": content}
    )


def _home_content(request: HttpRequest, level: Level, counts: dict[str, Any]) -> str:
    options = map_options()
    filters = filter_query(request.GET)
    config = map_config(level, options)
    query = request.GET.copy()
    query.pop("page", None)
    as_of = counts["as_of"]
    return render_to_string(
        "web/_home_content.html",
        {
            "level": str(level),
            "counts": counts,
            "config": config,
            "legend": with_research(legend_bands(counts["breaks"])),
            **_home_parts(level, counts, filters),
            "filters": filters,
            "filters_on": sum(
                1 for name in FILTER_PARAMS for value in request.GET.getlist(name) if value
            ),
            "options": options,
            "selected": {name: request.GET.getlist(name) for name in FILTER_PARAMS},
            "as_of": as_of,
            "events": [
                {**event, "query": _with(query, as_of=event["date"], focus="")}
                for event in options["events"]
            ],
            "all_dates_query": _with(query, as_of="", focus=""),
            "kinds": AgencyKind.choices,
            # Every status a record can have: a councillor looks for what was rejected or banned.
            "statuses": [("", "All"), *PartnershipStatus.choices],
            "levels": [(Level.COUNTY, "Counties"), (Level.STATE, "States")],
            "jumps": JUMPS,
            "lower48_query": _with(query, focus=""),
            "focus": request.GET.get("focus", ""),
        },
        request=request,
    )


def _home_parts(level: Level, counts: dict[str, Any], filters: str) -> dict[str, str]:
    """The map page's list of regions with the most agencies and its counts for the script, as
    HTML drawn once per data version, level and filters (the caller keeps it): public data only,
    the same for every reader."""
    names = region_names(level)
    top = sorted(counts["counts"].items(), key=lambda item: (-item[1], names.get(item[0], "")))
    regions = render_to_string(
        "web/_home_regions.html",
        {
            "level": str(level),
            "filters": filters,
            "top_regions": [(fips, names.get(fips, fips), n) for fips, n in top[:NOSCRIPT_ROWS]],
            "more_regions": max(0, len(top) - NOSCRIPT_ROWS),
        },
    )
    return {"regions_html": regions, "counts_json": json_script(counts, "map-counts")}


def map_counts(request: HttpRequest) -> HttpResponse:
    try:
        payload = map_counts_payload(request, map_level(request))
    except BadQuery as problem:
        return JsonResponse({"errors": problem.errors}, status=400)
    response = JsonResponse(payload)
    patch_cache_control(response, public=True, max_age=60)
    return response


def map_geometry(request: HttpRequest, level: str, digest: str) -> HttpResponse:
    """TopoJSON outlines, immutable under their content hash, gzipped ahead of time."""
    try:
        asset = geometry_asset(Level(level))
    except ValueError:
        raise Http404("No such map level.") from None
    if digest != asset.digest:
        raise Http404("Outdated map outlines; reload the page.")
    accepted = {
        part.split(";")[0].strip().lower()
        for part in request.headers.get("Accept-Encoding", "").split(",")
    }
    encoding, body = (
        ("br", asset.brotli)
        if "br" in accepted
        else ("gzip", asset.gzipped)
        if "gzip" in accepted
        else ("", asset.body)
    )
    response = HttpResponse(body, content_type="application/json")
    if encoding:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, public=True, max_age=365 * 24 * 60 * 60, immutable=True)
    return response


@allowance.costly(allowance.filtered_page_cost)
def table(request: HttpRequest) -> HttpResponse:
    """Exactly what the map counts, as a sortable, paginated table: the map without JavaScript."""
    try:
        filterset = _filterset(request, also=PAGED_PARAMS)
    except BadQuery as problem:
        return bad_request(request, problem)
    # The first of the orderings the FilterSet accepted (the table's links send one).
    ordering = request.GET.get("ordering", "").split(",")[0].strip()
    name = ordering.lstrip("-")
    key = PARTNERSHIP_SORT_KEYS[name] if name else BY_PLACE
    count = _count(f"table|{filter_query(request.GET)}", filterset.qs)
    try:
        list_page = paging.list_page(
            filterset.qs,
            key=key,
            ordering=ordering or PLACE_ORDER,
            count=count,
            query=request.GET,
            size=LIST_ROWS,
        )
    except BadQuery as problem:
        return bad_request(request, problem)
    base = request.GET.copy()
    for param in ("ordering", *PAGED_PARAMS):
        base.pop(param, None)
    columns = []
    for column in SORTABLE_COLUMNS:
        descending = ordering == column
        sort = base.copy()
        sort["ordering"] = f"-{column}" if descending else column
        state = (
            "ascending" if ordering == column else "descending" if ordering == f"-{column}" else ""
        )
        label = {"start": "start date", "end": "end date"}.get(column, column)
        columns.append({"name": label, "query": sort.urlencode(), "sort": state})
    map_query = request.GET.copy()
    for param in ("ordering", *PAGED_PARAMS):
        map_query.pop(param, None)
    return render(
        request,
        "web/table.html",
        {
            "filterset": filterset,
            "list_page": list_page,
            "count": count,
            "rows_html": rows_html(list_page.ids),
            "columns": columns,
            "map_query": map_query.urlencode(),
            "download_query": _download_query(request.GET),
            "form_html": data_version.kept(
                f"table-form:{filter_query(request.GET)}",
                lambda: render_to_string(
                    "web/_table_form.html", {"form": _table_form(request.GET)}
                ),
            ),
        },
    )


# The filters the table's form shows; the others in the address (county, dates, agency...)
# ride along as hidden fields so that filtering again keeps them.
TABLE_FORM_FILTERS = ("q", "technology", "vendor", "status", "state", "agency_kind", "as_of")


def _states_with_records() -> list[tuple[str, str]]:
    key = f"survmap:table-states:{data_version.current().token}"
    states: list[tuple[str, str]] | None = cache.get(key)
    if states is None:
        states = list(
            State.objects.filter(code__in=Agency.objects.public().values("state_id"))
            .order_by("name")
            .values_list("code", "name")
        )
        cache.set(key, states, COUNTS_CACHE_SECONDS)
    return states


def _table_form(query: QueryDict) -> dict[str, Any]:
    """The table's filter form: checkboxes for what can be several, each labelled."""
    options = map_options()

    def boxes(name: str, choices: Any) -> list[tuple[str, str, bool]]:
        chosen = set(query.getlist(name))
        return [(str(value), str(label), str(value) in chosen) for value, label in choices]

    vendors = query.getlist("vendor")
    return {
        "q": query.get("q", ""),
        "as_of": query.get("as_of", ""),
        "technologies": boxes("technology", options["technologies"]),
        "statuses": boxes("status", PartnershipStatus.choices),
        "states": boxes("state", _states_with_records()),
        "kinds": boxes("agency_kind", AgencyKind.choices),
        "vendors": options["vendors"],
        "vendor": vendors[0] if vendors else "",
        "states_chosen": len(query.getlist("state")),
        "chosen": sum(1 for name in TABLE_FORM_FILTERS for value in query.getlist(name) if value),
        "hidden": [
            (name, value)
            for name in FILTER_PARAMS
            if name not in TABLE_FORM_FILTERS
            for value in query.getlist(name)
        ]
        + [("vendor", value) for value in vendors[1:]],
    }


def search_json(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    return JsonResponse({"q": query, "results": [entry.as_json() for entry in search(query)]})


def _shown(partnerships: QuerySet) -> QuerySet:
    """Public partnerships with what a page shows beside their fields: the public policy
    decisions that changed them."""
    return partnerships.prefetch_related(
        Prefetch(
            "policy_events",
            queryset=PolicyEvent.objects.public().order_by("date", "pk"),
        )
    )


def _policy_events(query: Q) -> QuerySet:
    return (
        PolicyEvent.objects.public()
        .filter(query)
        .distinct()
        .select_related("state", "county", "technology", "vendor")
        .prefetch_related("sources")
        .order_by("-date", "title")
    )


@allowance.costly(allowance.filtered_page_cost)
def region(request: HttpRequest, fips: str) -> HttpResponse:
    """A state or a county: every public partnership of its agencies, and what touched them.
    What the page leads with (counts, the sketch, the chart, the agencies, the neighbours, the
    research) is drawn once per data version and set of filters (`_region_parts`); the list is
    one keyset page of the partnerships, by agency name."""
    level = level_for_fips(fips)
    if level is None:
        return render(request, "web/not_found.html", status=404)
    if level == Level.STATE:
        state = get_object_or_404(State, fips=fips)
        county = None
        base = partnership_list_public().filter(agency__state=state)
    else:
        county = get_object_or_404(County.objects.select_related("state"), fips=fips)
        state = county.state
        base = partnership_list_public().filter(agency__counties=county)
    try:
        filterset = _filterset(request, base, also=PAGED_PARAMS)
        filters = filter_query(request.GET)
        parts = data_version.kept(
            f"region:{fips}|{filters}",
            lambda: _region_parts(request, state, county, base, filterset.qs if filters else base),
        )
        list_page = paging.list_page(
            filterset.qs,
            key=PARTNERSHIP_SORT_KEYS[REGION_ORDER],
            ordering=REGION_ORDER,
            count=parts["count"],
            query=request.GET,
            size=LIST_ROWS,
        )
    except BadQuery as problem:
        return bad_request(request, problem)
    return render(
        request,
        "web/region.html",
        {
            **parts,
            "state": state,
            "county": county,
            "list_page": list_page,
            "rows_html": rows_html(list_page.ids),
            "download_query": _download_query(
                request.GET, **({"county": county.fips} if county else {"state": state.code})
            ),
        },
    )


def rows_html(ids: list[int], *, show_agency: bool = True) -> str:
    """The whole records of these partnerships, in this order, as the rows of a partnership
    table (web/_partnership_rows.html): drawn once per data version for each page of rows and
    kept, so that a list costs a query of its ids; public records only, the same for every
    reader."""

    def draw() -> str:
        by_id = _shown(partnership_list_public()).in_bulk(ids)
        return render_to_string(
            "web/_partnership_rows.html",
            {"partnerships": [by_id[pk] for pk in ids if pk in by_id], "show_agency": show_agency},
        )

    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    return data_version.kept(f"rows:{int(show_agency)}:{digest}", draw)


# A region page lists its partnerships by agency name (an index walk: records.sorting).
REGION_ORDER = "agency"


def _region_parts(
    request: HttpRequest,
    state: State,
    county: County | None,
    base: QuerySet,
    shown: QuerySet,
) -> dict[str, Any]:
    """What a region page shows besides its list, as HTML drawn once per data version and set
    of filters (the caller keeps it): public data only, the same for every reader."""
    fips = county.fips if county else state.fips
    filters = filter_query(request.GET)
    place = Q(county=county) | Q(state=state, county__isnull=True) if county else Q(state=state)
    counted = _aggregates(f"region:{fips}|{filters}", shown)
    county_counts = counted["counties"]
    sketch = state_sketch(state.fips)
    shapes: list[dict[str, Any]] = []
    if sketch is not None:
        for shape in sketch.shapes:
            n = county_counts.get(shape.fips, 0)
            shapes.append(
                {
                    "fips": shape.fips,
                    "name": shape.name,
                    "path": shape.path,
                    "count": n,
                    "current": county is not None and shape.fips == county.fips,
                }
            )
    counties_with_records = sorted(
        (s for s in shapes if s["count"]), key=lambda s: (-int(s["count"]), str(s["name"]))
    )
    name = f"{county.full_name}, {state.name}" if county else state.name
    context = {
        "name": name,
        "state": state,
        "county": county,
        "count": counted["partnerships"],
        "policy_events": _policy_events(Q(partnerships__in=base.values("pk")) | place),
        "sketch": sketch,
        "shapes": shapes,
        "counties_with_records": counties_with_records if county is None else [],
        "agency_count": counted["agencies"],
        "statuses": counted["statuses"],
        "shown": shown,
        "filter_lines": filter_lines(request.GET) if filters else [],
        "unfiltered_url": reverse("web:region", args=[fips]),
        "technologies": counted["technologies"],
        "map_url": reverse("web:home")
        + "?"
        + urlencode({"level": "county" if county else "state", "focus": fips}),
        "sparse": counted["partnerships"] < SPARSE_BELOW,
        "statewide": _statewide_agencies(state, county) if county else [],
        "neighbours": (
            _neighbour_county_counts(request, county)
            if county
            else _neighbour_counts(request, state)
        ),
        "filters": filters,
        "tip_url": reverse("submissions:submit")
        + "?"
        + urlencode({"agency_state": state.code, "place": name}),
        "glance": _glance(
            request.GET, counted, **({"county": county.fips} if county else {"state": state.code})
        ),
    }
    return {
        "name": name,
        "count": counted["partnerships"],
        "agency_count": counted["agencies"],
        "top": render_to_string("web/_region_top.html", context),
        "bottom": render_to_string("web/_region_bottom.html", context),
    }


def _aggregates(scope: str, partnerships: QuerySet) -> dict[str, Any]:
    """What a region page leads with, from aggregate queries over its partnerships, kept per
    data version (as the map's counts are): how many partnerships and agencies, agencies per
    technology, agencies per county. Recomputed by the first reader after a change, in a few
    GROUP BY queries whatever the number of partnerships' rows the page would list."""
    key = data_version.cache_key("aggregates:v2", scope)
    counted: dict[str, Any] | None = cache.get(key)
    if counted is None:
        counted = {
            "partnerships": partnerships.order_by().count(),
            "agencies": partnerships.order_by().values("agency").distinct().count(),
            "technologies": [
                {"technology__name": name, "n": n}
                for name, n in partnerships.order_by()
                .values("technology__name")
                .annotate(n=Count("agency", distinct=True))
                .order_by("-n", "technology__name")
                .values_list("technology__name", "n")
            ],
            "counties": region_counts(partnerships, Level.COUNTY),
            **status_and_year_counts(partnerships),
        }
        cache.set(key, counted, COUNTS_CACHE_SECONDS)
    return counted


def status_and_year_counts(partnerships: QuerySet) -> dict[str, Any]:
    """Partnerships per status (in the order of the statuses' choices) and per year they
    began (oldest first; `undated`: those with no known start), in two GROUP BY queries."""
    plain = partnerships.order_by()
    by_status = dict(plain.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_year = dict(
        plain.values(year=ExtractYear("start_date"))
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    undated = by_year.pop(None, 0)
    return {
        "statuses": [
            {"status": value, "label": label, "n": by_status[value]}
            for value, label in PartnershipStatus.choices
            if by_status.get(value)
        ],
        "years": [{"year": year, "n": n} for year, n in sorted(by_year.items())],
        "undated": undated,
    }


def _glance(query: QueryDict, counted: dict[str, Any], **place: str) -> dict[str, Any]:
    """The counts by status and by year a partnership began, each a link to those rows in the
    table (the page's filters and place kept)."""
    table = reverse("web:table")
    return {
        "statuses": [
            {**row, "url": f"{table}?{_download_query(query, **place, status=row['status'])}"}
            for row in counted["statuses"]
        ],
        "years": [
            {
                **row,
                "url": table
                + "?"
                + _download_query(
                    query,
                    **place,
                    start_after=f"{row['year']:04}-01-01",
                    start_before=f"{row['year']:04}-12-31",
                ),
            }
            for row in counted["years"]
        ],
        "undated": counted["undated"],
    }


def _count(scope: str, partnerships: QuerySet) -> int:
    """How many partnerships a filtered view holds, kept per data version."""
    key = data_version.cache_key("aggregates:count", scope)
    count: int | None = cache.get(key)
    if count is None:
        count = partnerships.order_by().count()
        cache.set(key, count, COUNTS_CACHE_SECONDS)
    return count


def _page(partnerships: QuerySet, count: int, number: str | None) -> Any:
    """A page of LIST_ROWS partnerships, the total taken from the aggregates (the paginator
    would count them again)."""
    paginator = Paginator(partnerships, LIST_ROWS)
    paginator.__dict__["count"] = count  # its cached_property, already known
    return paginator.get_page(number)


# Fewer partnerships than this on a region page and it says what an absent record means.
SPARSE_BELOW = 5


def _statewide_agencies(state: State, county: County) -> list[dict[str, Any]]:
    """Agencies whose reach covers the county without being placed in it: the state police
    and agencies of the state that serve no particular county."""
    partnerships = (
        Partnership.objects.public()
        .filter(agency__state=state)
        .filter(Q(agency__kind=AgencyKind.STATE_POLICE) | Q(agency__counties__isnull=True))
        .exclude(agency__counties=county)
        .values("agency_id", "agency__name", "technology__name")
        .order_by("agency__name", "technology__name")
        .distinct()
    )
    agencies: dict[int, dict[str, Any]] = {}
    for row in partnerships:
        entry = agencies.setdefault(
            row["agency_id"],
            {
                "name": row["agency__name"],
                "url": reverse("web:agency", args=[row["agency_id"]]),
                "technologies": [],
            },
        )
        if row["technology__name"] not in entry["technologies"]:
            entry["technologies"].append(row["technology__name"])
    return list(agencies.values())


def _neighbour_counts(request: HttpRequest, state: State) -> list[dict[str, Any]]:
    """The states sharing a border with this one, each with its agencies matching the
    reader's filters."""
    neighbours = state_neighbours().get(state.fips, [])
    if not neighbours:
        return []
    # The region page's own parameters (`page`) are allowed here too: this is the same request,
    # already validated by the page, and a page number is no filter of the neighbours.
    counts = dict(
        _filterset(request, also=PAGED_PARAMS)
        .qs.filter(agency__state__fips__in=neighbours)
        .order_by()
        .values("agency__state__fips")
        .annotate(n=Count("agency", distinct=True))
        .values_list("agency__state__fips", "n")
    )
    return [
        {"fips": s.fips, "name": s.name, "count": counts.get(s.fips, 0)}
        for s in State.objects.filter(fips__in=neighbours).order_by("name")
    ]


def _neighbour_county_counts(request: HttpRequest, county: County) -> list[dict[str, Any]]:
    """The counties sharing a border with this one (across state lines too), each with its
    agencies matching the reader's filters."""
    neighbours = county_neighbours().get(county.fips, [])
    if not neighbours:
        return []
    # As for the states: the page's own `page` is no filter of the neighbours.
    counts = dict(
        _filterset(request, also=PAGED_PARAMS)
        .qs.filter(agency__counties__fips__in=neighbours)
        .order_by()
        .values("agency__counties__fips")
        .annotate(n=Count("agency", distinct=True))
        .values_list("agency__counties__fips", "n")
    )
    return [
        {
            "fips": c.fips,
            "name": c.full_name if c.state_id == county.state_id else str(c),
            "count": counts.get(c.fips, 0),
        }
        for c in County.objects.filter(fips__in=neighbours).order_by("state_id", "name")
    ]


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.select_related("state"), pk=pk)
    partnerships = list(_shown(partnership_list_public().filter(agency=agency)))
    if (
        not partnerships
        and not Agency.objects.listed().filter(pk=agency.pk).exists()
        and not ResearchCheck.objects.public().filter(agency=agency).exists()
    ):
        # An agency is public through a sourced partnership, the directory of US agencies or
        # a published research check; one that only a pending tip named is not.
        return render(request, "web/not_found.html", status=404)
    events = _policy_events(
        Q(partnerships__in=partnerships)
        | Q(
            technology__in=[p.technology_id for p in partnerships],
            vendor__isnull=False,
            vendor__in=[p.vendor_id for p in partnerships if p.vendor_id],
        )
    )
    counties = list(agency.counties.all())
    served = {county.fips for county in counties}
    sketch = state_sketch(agency.state.fips)
    shapes = [
        {"fips": s.fips, "name": s.name, "path": s.path, "current": s.fips in served}
        for s in (sketch.shapes if sketch else ())
    ]
    return render(
        request,
        "web/agency.html",
        {
            "agency": agency,
            "counties": counties,
            "partnerships": partnerships,
            "policy_events": events,
            "sketch": sketch,
            "shapes": shapes,
            "download_query": urlencode({"agency": agency.pk}),
            "tip_url": reverse("submissions:submit") + "?" + urlencode({"agency": agency.pk}),
        },
    )


def _technology_aggregates(technology: Technology, partnerships: QuerySet) -> dict[str, Any]:
    """A technology page's counts (partnerships; agencies per state and per vendor), from
    aggregate queries kept per data version, as a region page's (`_aggregates`)."""
    key = f"survmap:aggregates:v2:{data_version.current().token}:technology:{technology.pk}"
    counted: dict[str, Any] | None = cache.get(key)
    if counted is None:
        plain = partnerships.order_by()
        counted = {
            "partnerships": plain.count(),
            "states": list(
                plain.values("agency__state__fips", "agency__state__name")
                .annotate(n=Count("agency", distinct=True))
                .order_by("-n", "agency__state__name")
            ),
            "vendors": list(
                plain.filter(vendor__isnull=False)
                .values("vendor__slug", "vendor__name")
                .annotate(n=Count("agency", distinct=True))
                .order_by("-n", "vendor__name")[:20]
            ),
            **status_and_year_counts(plain),
        }
        cache.set(key, counted, COUNTS_CACHE_SECONDS)
    return counted


# A technology page lists this many decisions; the table link shows them all.
DECISIONS_SHOWN = 25


@allowance.costly(allowance.filtered_page_cost)
def technology_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A technology: its counts, chart, decisions and vendors, drawn once per data version
    (`_technology_parts`), and one keyset page of its partnerships, by state and agency."""
    technology = get_object_or_404(Technology, slug=slug)
    partnerships = partnership_list_public().filter(technology=technology)
    try:
        parts = data_version.kept(
            f"technology:{technology.pk}", lambda: _technology_parts(technology, partnerships)
        )
        list_page = paging.list_page(
            _technology_in_order(technology, parts["count"]),
            key=BY_PLACE,
            ordering=PLACE_ORDER,
            count=parts["count"],
            query=request.GET,
            size=LIST_ROWS,
        )
    except BadQuery as problem:
        return bad_request(request, problem)
    return render(
        request,
        "web/technology.html",
        {
            **parts,
            "technology": technology,
            "list_page": list_page,
            "rows_html": rows_html(list_page.ids),
            "download_query": urlencode({"technology": technology.slug}),
        },
    )


# A technology with at least this many partnerships is listed by walking the agencies in order
# (a page is found after a few hundred rows); one with fewer, by sorting its rows.
WALK_FROM = 1000


def _technology_in_order(technology: Technology, count: int) -> QuerySet:
    """The technology's public partnerships, for a keyset page in state and agency order. With
    an index on the technology, SQLite reads all of a common technology's rows (7,000 of
    100,000) and sorts them for every page; written as `+technology_id`, the condition cannot
    use that index, and the database walks the agencies' (state, name, id) index instead and
    stops after one page. A rare technology keeps the index: its few rows sort at once."""
    public = partnership_list_public()
    if count < WALK_FROM:
        return public.filter(technology=technology)
    unindexed = Func(F("technology_id"), template="+%(expressions)s", output_field=IntegerField())
    return public.annotate(_technology=unindexed).filter(_technology=technology.pk)


# The order of the table and technology pages when the reader picks none (records.sorting).
PLACE_ORDER = "place"


def _technology_parts(technology: Technology, partnerships: QuerySet) -> dict[str, Any]:
    """What a technology page shows besides its list, as HTML drawn once per data version
    (the caller keeps it): public data only, the same for every reader."""
    counted = _technology_aggregates(technology, partnerships)
    decisions = decisions_for(technology)
    context = {
        "technology": technology,
        "decisions": decisions[:DECISIONS_SHOWN],
        "decisions_count": decisions.count(),
        "decisions_query": urlencode(
            {"technology": technology.slug, "status": list(DECISION_STATUSES)}, doseq=True
        ),
        "reported_counts": reported_counts(technology),
        "policy_events": _policy_events(
            Q(technology=technology) | Q(partnerships__in=partnerships.values("pk"))
        ),
        "states": counted["states"],
        "vendors": counted["vendors"],
        "map_query": urlencode({"technology": technology.slug}),
        "glance": _glance(QueryDict(), counted, technology=technology.slug),
    }
    return {
        "count": counted["partnerships"],
        "top": render_to_string("web/_technology_top.html", context),
    }


def policy_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision: what was decided, by whom, when, on what sources, and the partnerships it
    changed."""
    event = get_object_or_404(
        PolicyEvent.objects.public().select_related("state", "county", "technology", "vendor"),
        pk=pk,
    )
    partnerships = _shown(partnership_list_public().filter(policy_events=event)).order_by(
        "agency__state_id", "agency__name", "pk"
    )
    page_obj = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    sources = event.sources.order_by("published_date", "pk")
    return render(
        request,
        "web/policy_event.html",
        {"event": event, "sources": sources, "page_obj": page_obj, "query": ""},
    )
