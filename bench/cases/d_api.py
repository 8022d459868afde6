"""The public API at scale: filtered list pages (first pages and pages deep into the data),
text search, and the whole CSV export's time and peak memory, through django.test.Client."""

from __future__ import annotations

import base64
import gc
import json
import statistics
import time
import tracemalloc
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from bench.generate import generate_partnerships
from survmap.records.models import Partnership, Technology, Vendor

PAGES_PER_WALK = 6
WALKS = 3


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _get(client: Client, url: str, params: dict[str, Any] | None = None) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed, response


def _walks(client: Client, combos: list[dict[str, Any]], walks: int = WALKS) -> list[float]:
    """Each filter's first page, then the next pages by their cursors."""
    url = reverse("api:partnership-list")
    timings = []
    for _ in range(walks):
        for params in combos:
            elapsed, response = _get(client, url, params)
            timings.append(elapsed)
            for _ in range(PAGES_PER_WALK):
                next_url = response.json()["next"]
                if not next_url:
                    break
                elapsed, response = _get(client, next_url)
                timings.append(elapsed)
    return timings


def _deep(client: Client) -> list[float]:
    """Pages that start 90% of the way into the data: a cursor costs the same anywhere."""
    url = reverse("api:partnership-list")
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    timings = []
    for fraction in (0.5, 0.9, 0.99):
        _, response = _get(client, url, {"page_size": 1, "ordering": "id"})
        cursor_url = response.json()["next"]
        # Rebuild the cursor for a row far into the data, as a client that kept paging would.
        payload = json.dumps(["id", [ids[int(len(ids) * fraction)]]], separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        deep_url = cursor_url.split("cursor=")[0] + "cursor=" + cursor
        for _ in range(5):
            elapsed, _response = _get(client, deep_url.replace("page_size=1", "page_size=50"))
            timings.append(elapsed)
    return timings


def _export_bytes(client: Client) -> int:
    response = client.get(reverse("api:export-partnerships-csv"))
    assert response.status_code == 200
    return sum(len(piece) for piece in response.streaming_content)


def run(context: Any) -> None:
    size = context.sizes[-1]
    have = Partnership.objects.public().count()
    if have < size:
        generate_partnerships(size - have, prefix="Api")
    rows = Partnership.objects.public().count()
    client = Client()
    technology = Technology.objects.order_by("pk").values_list("slug", flat=True).first()
    vendor = Vendor.objects.order_by("-pk").values_list("slug", flat=True).first()
    combos: list[dict[str, Any]] = [
        {},
        {"state": "CA"},
        {"technology": technology, "status": "active"},
        {"state": "TX", "agency_kind": "sheriff", "ordering": "-start"},
        {"as_of": "2018-06-01", "county": "06037"},
        {"status": ["ended", "pilot"], "vendor": vendor},
    ]
    with override_settings(SURVMAP_API_ANON_RATE="10000000/min"):
        _walks(client, combos, walks=1)  # the first request of each filter counts its total
        timings = _walks(client, combos)
        context.emit("api.partnerships.list.p50", statistics.median(timings), "ms", rows)
        context.emit("api.partnerships.list.p95", _percentile(timings, 0.95), "ms", rows)
        deep = _deep(client)
        context.emit("api.partnerships.list.deep.p95", _percentile(deep, 0.95), "ms", rows)
        # Sorting by a column of another table (agency name, state, technology name) is the
        # slow case: reported apart.
        related = [
            {"ordering": "agency"},
            {"ordering": "-state"},
            {"status": ["ended", "pilot"], "ordering": "technology"},
        ]
        by_related = _walks(client, related, walks=1)
        context.emit(
            "api.partnerships.list.sorted_by_related.p95",
            _percentile(by_related, 0.95),
            "ms",
            rows,
        )

        search = []
        for word in ("Town 12", "sheriff", "Synthetic 4", "Daily", "Api 77"):
            elapsed, _ = _get(client, reverse("api:partnership-list"), {"q": word})
            search.append(elapsed)
        context.emit("api.partnerships.search.p50", statistics.median(search), "ms", rows)
        context.emit("api.partnerships.search.max", max(search), "ms", rows)

        gc.collect()
        start = time.perf_counter()
        length = _export_bytes(client)
        context.emit("api.export.csv.seconds", time.perf_counter() - start, "s", rows)
        context.emit("api.export.csv.mb", length / 1e6, "MB", rows)

        # Traced apart: tracemalloc slows Python several times over.
        gc.collect()
        tracemalloc.start()
        baseline, _ = tracemalloc.get_traced_memory()
        _export_bytes(client)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        context.emit("api.export.csv.peak_mb", (peak - baseline) / 1e6, "MB", rows)
