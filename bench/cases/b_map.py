"""The public map: bytes a reader downloads on first load, and the server's warm answer time.

Targets (issues 4 and 14): the county view's first load (HTML, JS, CSS, outlines, counts; gzip
as transferred, tiles excluded) at most 300 KB; the page's server time under 100 ms once warm.
bench/cases/b_map_browser.py measures the same page in Chromium."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from bench.generate import generate_partnerships
from survmap.common import data_version
from survmap.records.models import Partnership

WARM_REQUESTS = 30
ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(/[^"]+\.(?:js|css))"')


def _static_gzip_bytes(url: str) -> int:
    """What whitenoise sends for a static file: its gzip (level 9), as collectstatic makes it."""
    path = finders.find(url.removeprefix("/" + settings.STATIC_URL.strip("/") + "/"))
    if path is None:
        raise RuntimeError(f"static file not found: {url}")
    with open(path, "rb") as handle:
        return len(gzip.compress(handle.read(), compresslevel=9))


def _first_load(client: Client, level: str) -> tuple[int, dict[str, Any]]:
    response = client.get(reverse("web:home"), {"level": level}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, response.status_code
    body = response.content
    html = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    text = html.decode()
    parts = {"html": len(body)}
    for url in sorted(set(ASSET.findall(text))):
        parts[url] = _static_gzip_bytes(url)
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', text, re.S)[1]  # type: ignore[index]
    )
    # The outlines' worker and the TopoJSON decoder it imports are named in the config.
    for url in (config.get("worker"), config.get("topojson")):
        if url:
            parts[url] = _static_gzip_bytes(url)
    geometry = client.get(config["geometry"], HTTP_ACCEPT_ENCODING="gzip")
    assert geometry.status_code == 200
    parts["geometry"] = len(geometry.content)
    return sum(parts.values()), parts


def _p50_ms(client: Client, url: str, params: dict[str, str]) -> float:
    times = []
    for _ in range(WARM_REQUESTS):
        start = time.perf_counter()
        response = client.get(url, params, HTTP_ACCEPT_ENCODING="gzip")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def run(context: Any) -> None:
    if not Partnership.objects.public().exists():
        generate_partnerships(context.sizes[0])
    data_version.bump()  # bulk writes send no signals
    rows = Partnership.objects.public().count()
    client = Client()
    for level in ("county", "state"):
        start = time.perf_counter()
        client.get(reverse("web:home"), {"level": level})
        context.emit(
            f"map.{level}.server_ms_cold", (time.perf_counter() - start) * 1000, "ms", rows
        )
        total, parts = _first_load(client, level)
        context.emit(f"map.{level}.first_load_bytes", total, "bytes", rows)
        context.emit(f"map.{level}.geometry_bytes", parts["geometry"], "bytes", rows)
        context.emit(f"map.{level}.html_bytes", parts["html"], "bytes", rows)
        page = _p50_ms(client, reverse("web:home"), {"level": level})
        context.emit(f"map.{level}.server_ms_warm", page, "ms", rows)
        counts = _p50_ms(client, reverse("web:map_counts"), {"level": level, "status": "active"})
        context.emit(f"map.{level}.counts_ms_warm", counts, "ms", rows)
