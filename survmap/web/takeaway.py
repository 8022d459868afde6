"""The map taken elsewhere: the standalone HTML file (`/map.html`), share images (og:image)
and the embeddable map."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.text import slugify

from survmap.common import allowance, data_version
from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.maps.choropleth import legend_bands, level_for_fips
from survmap.maps.counts import as_query, filter_query, map_options
from survmap.maps.share_image import ShareImage, region_image, technology_image
from survmap.maps.standalone import filter_lines, map_title, standalone_html, standalone_map
from survmap.records.filters import InvalidQuery
from survmap.records.models import Partnership, Technology
from survmap.web import views


def live_url(request: HttpRequest, level: Level) -> str:
    """The map page's address for the same view, as written on a file or an embed."""
    filters = filter_query(request.GET)
    query = f"level={level}" + (f"&{filters}" if filters else "")
    return request.build_absolute_uri(reverse("web:home") + "?" + query)


def download_name(request: HttpRequest, level: Level) -> str:
    picked = [v for name in ("technology", "vendor", "state") for v in request.GET.getlist(name)]
    words = slugify(" ".join(["survmap", str(level), *picked]))[:80]
    return f"{words}-{dt.date.today().isoformat()}.html"


@allowance.costly(allowance.map_file_cost)
def map_html(request: HttpRequest) -> HttpResponse:
    """The map of this view as one self-contained HTML file, downloaded."""
    try:
        level = views.map_level(request)
        fmap = standalone_map(
            as_query(request.GET), level=level, source_url=live_url(request, level)
        )
    except InvalidQuery as problem:
        return views.bad_request(request, problem)
    response = HttpResponse(standalone_html(fmap), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(request, level)}"'
    patch_cache_control(response, public=True, max_age=300)
    return response


SHARE_MAX_AGE = 60 * 60


def _png(image: ShareImage) -> HttpResponse:
    response = HttpResponse(image.png, content_type="image/png")
    patch_cache_control(response, public=True, max_age=SHARE_MAX_AGE)
    return response


@allowance.costly(allowance.SHARE_IMAGE)
def region_share_image(request: HttpRequest, fips: str) -> HttpResponse:
    """The og:image of a state's or a county's page: its counties, coloured by agencies."""
    level = level_for_fips(fips)
    if level == Level.STATE:
        state = get_object_or_404(State, fips=fips)
        name = state.name
    elif level == Level.COUNTY:
        county = get_object_or_404(County.objects.select_related("state"), fips=fips)
        state = county.state
        name = f"{county.full_name}, {state.name}"
    else:
        raise Http404("No such region.")
    partnerships = Partnership.objects.public().filter(agency__state=state)
    return _png(region_image(fips, name, partnerships))


@allowance.costly(allowance.SHARE_IMAGE)
def technology_share_image(request: HttpRequest, slug: str) -> HttpResponse:
    """The og:image of a technology's page: agencies per state."""
    technology = get_object_or_404(Technology, slug=slug)
    partnerships = Partnership.objects.public().filter(technology=technology)
    return _png(technology_image(technology.slug, technology.name, partnerships))


def allow_framing(response: HttpResponse) -> HttpResponse:
    """Let the sites in SURVMAP_EMBED_FRAME_ANCESTORS frame this response, and no other page."""
    response.xframe_options_exempt = True
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": list(settings.SURVMAP_EMBED_FRAME_ANCESTORS)
    }
    return response


@allowance.costly(allowance.EMBED)
def embed(request: HttpRequest) -> HttpResponse:
    """The interactive map of a view without the site around it, for other sites' iframes: the
    map page's own script and config, with region links opening on survmap."""
    try:
        level = views.map_level(request)
        counts = views.map_counts_payload(request, level)
        title = map_title(request.GET, level)
    except InvalidQuery as problem:
        return allow_framing(views.bad_request(request, problem))
    config = {
        **views.map_config(level, map_options()),
        "embed": True,
        "region_url": request.build_absolute_uri(
            reverse("web:region", kwargs={"fips": "00"})
        ).replace("/00/", "/{fips}/"),
    }
    response = render(
        request,
        "web/embed.html",
        {
            "title": title,
            "level": str(level),
            "counts": counts,
            "config": config,
            "legend": legend_bands(counts["breaks"]),
            "live_url": live_url(request, level),
            "filters": filter_lines(request.GET),
            "version": data_version.current().token,
            "licence": settings.SURVMAP_DATA_LICENSE,
            "licence_url": settings.SURVMAP_DATA_LICENSE_URL,
        },
    )
    return allow_framing(response)
