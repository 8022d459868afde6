"""The public API at scale: filtered list pages (first and deep), text search, and the whole CSV
export's time and peak memory, through django.test.Client like a real request."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from bench.generate import generate_partnerships
from survmap.records.models import Partnership, Technology

PAGES_PER_WALK = 8
WALKS = 3


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed_get(client: Client, url: str, params: dict[str, Any] | None = None) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed, response


def _list_latencies(client: Client, combos: list[dict[str, Any]]) -> list[float]:
    url = reverse("api:partnership-list")
    timings = []
    for _ in range(WALKS):
        for params in combos:
            elapsed, response = _timed_get(client, url, params)
            timings.append(elapsed)
            for _ in range(PAGES_PER_WALK):
                next_url = response.json()["next"]
                if not next_url:
                    break
                elapsed, response = _timed_get(client, next_url)
                timings.append(elapsed)
    return timings


def _deep_latencies(client: Client, total: int) -> list[float]:
    """Pages that start near the end of the data: a cursor costs the same anywhere."""
    url = reverse("api:partnership-list")
    last = Partnership.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    timings = []
    for ordering in ("id", "-start", "agency"):
        _, response = _timed_get(client, url, {"ordering": ordering, "page_size": 50})
        for _ in range(PAGES_PER_WALK):
            next_url = response.json()["next"]
            if not next_url:
                break
            elapsed, response = _timed_get(client, next_url)
            timings.append(elapsed)
    for offset in range(10):
        elapsed, _ = _timed_get(client, url, {"ordering": "-id", "page_size": 50})
        timings.append(elapsed)
        del offset
    del last, total
    return timings


def _export(client: Client) -> tuple[float, int]:
    response = client.get(reverse("api:export-partnerships-csv"))
    size = 0
    for piece in response.streaming_content:
        size += len(piece)
    return 0.0, size


def run(context: Any) -> None:
    size = context.sizes[-1]
    have = Partnership.objects.public().count()
    if have < size:
        generate_partnerships(size - have, prefix="Api")
    rows = Partnership.objects.public().count()
    client = Client()
    technology = Technology.objects.order_by("pk").values_list("slug", flat=True).first()
    combos: list[dict[str, Any]] = [
        {},
        {"state": "CA"},
        {"technology": technology, "status": "active"},
        {"state": "TX", "agency_kind": "sheriff", "ordering": "-start"},
        {"as_of": "2018-06-01", "ordering": "agency"},
    ]
    with override_settings(SURVMAP_API_ANON_RATE="10000000/min"):
        _list_latencies(client, combos[:1])  # warm imports and connections
        timings = _list_latencies(client, combos)
        context.emit("api.partnerships.list.p50", statistics.median(timings), "ms", rows)
        context.emit("api.partnerships.list.p95", _percentile(timings, 0.95), "ms", rows)
        deep = _deep_latencies(client, rows)
        context.emit("api.partnerships.list.deep.p95", _percentile(deep, 0.95), "ms", rows)

        search = []
        for word in ("Town 12", "sheriff", "Synthetic 4", "Daily", "Api 77"):
            elapsed, _ = _timed_get(client, reverse("api:partnership-list"), {"q": word})
            search.append(elapsed)
        context.emit("api.partnerships.search.p50", statistics.median(search), "ms", rows)
        context.emit("api.partnerships.search.max", max(search), "ms", rows)

        gc.collect()
        start = time.perf_counter()
        _, length = _export(client)
        context.emit("api.export.csv.seconds", time.perf_counter() - start, "s", rows)
        context.emit("api.export.csv.mb", length / 1e6, "MB", rows)

        gc.collect()
        tracemalloc.start()
        baseline, _ = tracemalloc.get_traced_memory()
        _export(client)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        context.emit("api.export.csv.peak_mb", (peak - baseline) / 1e6, "MB", rows)
