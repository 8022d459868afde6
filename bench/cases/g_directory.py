"""Directory agencies (issue 23): region pages and the coverage counts with some 19,000
agencies, most of them from the directory of US agencies (an ORI, no partnership).

Target: a region's counts warm at most 100 ms of server time. The coverage route caches its
answer per data version, so its figures are given cold (the cache emptied before each request:
what the counting costs) and warm."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bench.generate import generate_partnerships
from survmap.common import data_version
from survmap.geo.models import County
from survmap.records.models import Agency, AgencyKind
from survmap.records.normalize import agency_name_key, normalize_name

REQUESTS = 15
BATCH = 2_000


def _directory(count: int, *, seed: int = 23) -> None:
    """`count` agencies as the directory gives them: an ORI, a county, no partnership."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    counties = list(County.objects.values_list("fips", "state_id"))
    start = (Agency.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    agencies, placed = [], []
    for i in range(count):
        fips, state = rng.choice(counties)
        name = f"Directory {start + i} Police Department"
        agencies.append(
            Agency(
                name=name,
                normalized_name=normalize_name(name),
                name_key=agency_name_key(name),
                kind=rng.choice([AgencyKind.POLICE, AgencyKind.SHERIFF]),
                state_id=state,
                ori=f"{state}{(start + i) % 100_000:05d}00",
                attribution="FBI Crime Data Explorer",
            )
        )
        placed.append(fips)
    Agency.objects.bulk_create(agencies, batch_size=BATCH)
    created = Agency.objects.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True)
    through = Agency.counties.through
    through.objects.bulk_create(
        [through(agency_id=pk, county_id=f) for pk, f in zip(created, placed, strict=True)],
        batch_size=BATCH,
    )
    data_version.bump()


def _median_ms(client: Client, url: str, params: dict[str, str], *, cold: bool = False) -> float:
    times = []
    for _ in range(REQUESTS):
        if cold:
            cache.clear()
        begin = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code in (200, 400), response.status_code
    return statistics.median(times)


def run(context: Any) -> None:
    with_partnerships, directory = (300, 2_000) if context.quick else (4_000, 14_700)
    if Agency.objects.count() < with_partnerships:
        generate_partnerships(with_partnerships * 3 // 2, agencies=with_partnerships)
    if not Agency.objects.exclude(ori="").exists():
        _directory(directory)
    rows = Agency.objects.count()
    client = Client()
    texas = reverse("web:region", args=["48"])
    harris = reverse("web:region", args=["48201"])
    coverage = reverse("api:coverage")
    for name, url, params in (
        ("region.state", texas, {}),
        ("region.county", harris, {}),
    ):
        client.get(url, params)
        warm = _median_ms(client, url, params)
        context.emit(f"directory.{name}.server_ms_warm", warm, "ms", rows)
    for name, params in (
        ("coverage.technology", {}),
        ("coverage.county", {"level": "county"}),
        ("coverage.state", {"level": "state"}),
    ):
        context.emit(
            f"directory.{name}.server_ms_cold",
            _median_ms(client, coverage, params, cold=True),
            "ms",
            rows,
        )
        context.emit(
            f"directory.{name}.server_ms_warm", _median_ms(client, coverage, params), "ms", rows
        )
