"""The Private Eyes data (Flock portals and who may search whose plate reads): the load and a
re-load, how many portals and links found their agency, /api/v1/sharing/ list pages over all
links, and the page of the agency most widely shared (Pittsboro IN PD, 3,861 links).

Targets (issue 25): the load adds at most 60 s to `make run`; the sharing list p95 at most
50 ms; that agency page at most 300 ms warm (server). Runs after the Atlas import (a_import),
on whatever directory the database holds: the share of organisations resolved to an agency
depends on it.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse

from survmap.common import data_version
from survmap.imports.flock import read_flock
from survmap.imports.flock_write import FlockImporter
from survmap.imports.shipped import SHIPPED_FLOCK
from survmap.platereaders.models import Sharing
from survmap.records.models import Agency

WALK_PAGES = 5
REPEATS = 5


def _ms(client: Client, url: str, params: dict[str, Any] | None = None) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed, response


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(context: Any) -> None:
    files = read_flock(SHIPPED_FLOCK)
    start = time.perf_counter()
    report = FlockImporter(files).run()
    context.emit("flock.load_s", time.perf_counter() - start, "s", report.links_read)
    context.emit("flock.portals_on_agency", report.portals_on_agency, "portals", report.portals)
    context.emit(
        "flock.portals_on_directory", report.portals_on_directory, "portals", report.portals
    )
    context.emit("flock.links_stored", report.links_stored, "links", report.links_read)
    context.emit(
        "flock.organisations_resolved_share",
        100 * report.organisations_resolved / max(report.organisations, 1),
        "%",
        report.organisations,
    )
    start = time.perf_counter()
    again = FlockImporter(files).run()
    context.emit("flock.reload_s", time.perf_counter() - start, "s", again.links_read)
    context.emit("flock.reload_created", again.sharing["created"], "links", again.links_read)
    data_version.bump()

    links = Sharing.objects.count()
    client = Client()
    url = reverse("api:sharing-list")
    widest = (
        Agency.objects.annotate(n=Count("shares_to")).order_by("-n").values_list("pk", flat=True)
    )[0]
    combos: list[dict[str, Any]] = [
        {},
        {"state": "IN"},
        {"agency": widest},
        {"from_agency": widest, "state": "OH"},
        {"technology": "automated-license-plate-readers"},
    ]
    timings = []
    # One client on purpose: the anonymous API throttle would measure itself (as in d_api).
    with override_settings(SURVMAP_API_ANON_RATE="10000000/min"):
        for params in combos * 2:
            elapsed, response = _ms(client, url, params)
            timings.append(elapsed)
            for _ in range(WALK_PAGES):
                following = response.json()["next"]
                if not following:
                    break
                elapsed, response = _ms(client, following)
                timings.append(elapsed)
    context.emit("flock.sharing_api.p50_ms", statistics.median(timings), "ms", links)
    context.emit("flock.sharing_api.p95_ms", _percentile(timings, 0.95), "ms", links)

    page = reverse("web:agency", kwargs={"pk": widest})
    with override_settings(SURVMAP_PAGE_CACHE_SECONDS=0):
        _ms(client, page)  # warm: templates, geometry, counts
        warm = [_ms(client, page)[0] for _ in range(REPEATS)]
    context.emit("flock.widest_agency_page.server_ms_warm", statistics.median(warm), "ms", links)
    context.emit("flock.sharing_map.first_load_kb", _first_load_bytes(client) / 1024, "KB", links)


def _gzipped(body: bytes) -> int:
    return len(gzip.compress(body))


def _first_load_bytes(client: Client) -> int:
    """What a browser fetches to show /sharing/ first, compressed: the page, its stylesheets
    and scripts, and the outlines map.js asks for (target: 300 KB)."""
    response = client.get(reverse("web:sharing_map"), secure=True)
    assert response.status_code == 200
    html = response.content
    total = _gzipped(html)
    for ref in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(ref.decode())
        if path:
            total += _gzipped(Path(path).read_bytes())
    found = re.search(
        rb'<script id="map-config" type="application/json">(.*?)</script>', html, re.S
    )
    config = json.loads(found.group(1)) if found else {}
    for key in ("topojson", "geometry"):
        if not config.get(key):
            continue
        fetched = client.get(config[key], secure=True)
        body = b"".join(fetched.streaming_content) if fetched.streaming else fetched.content
        gzipped = fetched.get("Content-Encoding") == "gzip"
        total += len(body) if gzipped else _gzipped(body)
    return total
