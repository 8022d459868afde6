"""The map taken elsewhere: the standalone file's build time and size (county and state views),
a share image's time (first and cached), and the timeline's cost on a page.

Targets (issue 16): the county file at most 3 MB; a share image at most 150 KB. None of these
is built by the map, region or technology pages themselves, except the timeline, which is one
aggregate query cached per data version."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import generate_partnerships
from survmap.common import data_version
from survmap.geo.boundaries import Level, simplified
from survmap.geo.topology import geometry_asset
from survmap.maps.share_image import region_image, technology_image
from survmap.maps.standalone import standalone_html, standalone_map
from survmap.records.models import Partnership, Technology
from survmap.web.timeline import timeline


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def run(context: Any) -> None:
    if not Partnership.objects.public().exists():
        generate_partnerships(context.sizes[0])
    data_version.bump()  # bulk writes send no signals
    public = Partnership.objects.public()
    rows = public.count()
    repeats = 1 if context.quick else 3
    for level in (Level.COUNTY, Level.STATE):
        geometry_asset(level)  # the outlines are built once per deployment, not per file
        best = float("inf")
        size = 0
        for _ in range(repeats):
            data_version.bump()  # a new version: the counts are not cached either
            start = time.perf_counter()
            html = standalone_html(standalone_map({}, level=level))
            best = min(best, _ms(start))
            size = len(html.encode())
        context.emit(f"standalone.{level}.build_ms", best, "ms", rows)
        context.emit(f"standalone.{level}.bytes", size, "bytes", rows)

    simplified(Level.COUNTY)
    simplified(Level.STATE)  # loaded once per process, at the first image
    michigan = public.filter(agency__state__fips="26")
    technology = Technology.objects.filter(pk__in=public.values("technology")).first()
    data_version.bump()
    start = time.perf_counter()
    image = region_image("26", "Michigan", michigan)
    context.emit("share_image.state.first_ms", _ms(start), "ms", rows)
    context.emit("share_image.state.bytes", len(image.png), "bytes", rows)
    start = time.perf_counter()
    region_image("26", "Michigan", michigan)
    context.emit("share_image.state.cached_ms", _ms(start), "ms", rows)
    if technology is not None:
        start = time.perf_counter()
        image = technology_image(
            technology.slug, technology.name, public.filter(technology=technology)
        )
        context.emit("share_image.technology.first_ms", _ms(start), "ms", rows)
        context.emit("share_image.technology.bytes", len(image.png), "bytes", rows)

    data_version.current()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        timeline("bench:all", public)
        cold = _ms(start)
    context.emit("timeline.all.cold_ms", cold, "ms", rows)
    context.emit("timeline.all.queries", len(queries), "queries", rows)
    start = time.perf_counter()
    timeline("bench:all", public)
    context.emit("timeline.all.warm_ms", _ms(start), "ms", rows)

    client = Client()
    start = time.perf_counter()
    response = client.get(reverse("web:map_html"), {"level": "county"})
    assert response.status_code == 200
    context.emit("standalone.county.download_ms", _ms(start), "ms", rows)
