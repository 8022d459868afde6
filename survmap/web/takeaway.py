"""The map taken elsewhere: the standalone HTML file (`/map.html`) and share images."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.text import slugify

from survmap.geo.boundaries import Level
from survmap.geo.counts import InvalidFilters, as_query, filter_query
from survmap.geo.standalone import standalone_html, standalone_map


def level_of(request: HttpRequest) -> Level:
    value = request.GET.get("level", Level.COUNTY)
    try:
        return Level(value)
    except ValueError:
        raise InvalidFilters({"level": [f"Choose 'state' or 'county', not '{value}'."]}) from None


def bad_filters(request: HttpRequest, problem: InvalidFilters) -> HttpResponse:
    return render(
        request,
        "web/bad_request.html",
        {"errors": problem.errors, "home": reverse("web:home")},
        status=400,
    )


def live_url(request: HttpRequest, level: Level) -> str:
    """The map page's address for the same view, as written on a file or an embed."""
    filters = filter_query(request.GET)
    query = f"level={level}" + (f"&{filters}" if filters else "")
    return request.build_absolute_uri(reverse("web:home") + "?" + query)


def download_name(request: HttpRequest, level: Level) -> str:
    picked = [v for name in ("technology", "vendor", "state") for v in request.GET.getlist(name)]
    words = slugify(" ".join(["survmap", str(level), *picked]))[:80]
    return f"{words}-{dt.date.today().isoformat()}.html"


def map_html(request: HttpRequest) -> HttpResponse:
    """The map of this view as one self-contained HTML file, downloaded."""
    try:
        level = level_of(request)
        fmap = standalone_map(
            as_query(request.GET), level=level, source_url=live_url(request, level)
        )
    except InvalidFilters as problem:
        return bad_filters(request, problem)
    response = HttpResponse(standalone_html(fmap), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(request, level)}"'
    patch_cache_control(response, public=True, max_age=300)
    return response
