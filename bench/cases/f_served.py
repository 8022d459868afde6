"""The pages as a reader gets them: the production server (gunicorn, DEBUG off, as `make serve`
runs it) on the benchmark's own database, 8 connections at once, requests a second and p95.

Figures (issue 29), each on the partnerships the earlier cases left (100,000 in a full run):

- `served.nocache.*`: pages with the page cache off, as a moderator, anyone signed in and the
  first reader after every edit get them: the largest state page (/regions/48/ when Texas has
  records), the largest technology page, /table/ and the map (/). Targets: 50 a second (p95
  under 300 ms) for the first three, 100 for the map.
- `served.search.*`: the API's text search `?q=` and, on SQLite, Datasette's full-text search
  (FTS5) on a copy of the same file, with the names joined in, as the comparison (p50 ratio).
- `served.searchbox.*`: the search box (`/search/?q=`), and the first search after a data
  change (which must not build an index inside the request).
- `served.cached.*`: /map.html and /regions/48/ from the page cache, with and without gzip
  (target: gzip at least 80% of the plain rate). What is compared is the rate of hits, every
  worker holding the page: gunicorn runs without recycling its workers here (a worker that
  replaces one after `max_requests`, 5,000 requests, or 2-4 s at these rates, starts with an
  empty page cache and computes the page, seconds under this load, inside a window), and each
  round sends both encodings over the same 8 keep-alive connections, one window each (see
  `_measure_cached` for why). `gzip_over_identity` is the median of the rounds' ratios of the
  two rates; it would fall with any per-request cost of gzip (a recompression on each hit).

`SURVMAP_BENCH_SERVED=search,cached` runs only those parts (of nocache, search, searchbox,
cached). The machine is shared: the figures compared (survmap's search and Datasette's, a page
with and without gzip) are measured alternately in one run, and their ratio is reported.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import override_settings

from bench.generate import generate_directory, generate_partnerships
from bench.livecopy import copy_database
from bench.loadtest import REPO, Result, _free_port, load, load_encodings
from survmap.common import data_version
from survmap.records.models import Partnership, Technology
from survmap.web import search as search_module
from survmap.web.search import rebuild_index, search

CONCURRENCY = 8
PARTS = ("nocache", "search", "searchbox", "cached")
# Cached pages: rounds of one window of each encoding, in turn, over the same connections.
CACHED_ROUNDS = 16
SEARCH_WORDS = ("Town 12", "sheriff", "Synthetic 4", "Daily", "Api 77", "police department")
BOX_WORDS = ("warren", "town 12", "fulton county", "synthetic 77 police", "sheriff", "ring")
# Agencies of the directory (bench.generate.generate_directory): a name, a kind, an ORI.
DIRECTORY_WORDS = ("marmar", "township police", "marshal", "TX123", "university of ban")


def _wait(port: int, process: subprocess.Popen, path: str, seconds: float = 900) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=300) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not answer in time")


@contextmanager
def _serve(command: list[str], env: dict[str, str], port: int, ready: str) -> Iterator[None]:
    process = subprocess.Popen(  # noqa: S603 - our own server, on loopback
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(port, process, ready)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _gunicorn(
    page_cache_seconds: int, recycle: bool = True
) -> tuple[list[str], dict[str, str], int]:
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SURVMAP_PAGE_CACHE_SECONDS": str(page_cache_seconds),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        # One load generator on purpose: the anonymous API throttle would measure itself.
        "SURVMAP_API_ANON_RATE": "10000000/min",
        # A worker whose first, uncached page takes longer than gunicorn's 30 s under this load
        # would be killed and restarted with an empty cache, and the cached figures would
        # measure the uncached page (cached /regions/48/ without gzip: 0.5 a second, p50 15 s).
        "GUNICORN_TIMEOUT": "600",
    }
    if not recycle:
        # Each worker's page cache is its own (local memory): a worker recycled after
        # `max_requests` comes back empty and computes the page inside the measurement.
        env["GUNICORN_MAX_REQUESTS"] = "0"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "survmap.wsgi"]
    return command, env, port


def _measure(
    context: Any, name: str, port: int, path: str, seconds: float, rows: int, gzip: bool = True
) -> Result:
    load(port, path, 3 * CONCURRENCY, CONCURRENCY, 120, gzip=gzip)  # each worker's first answer
    result = load(port, path, 100_000, CONCURRENCY, seconds, gzip=gzip)
    summary = result.summary(CONCURRENCY)
    if result.errors:
        print(f"# {name}: {result.errors} errors on {path}: {summary['statuses']}", flush=True)
    context.emit(f"{name}.requests_per_s", float(summary["requests_per_s"]), "1/s", rows)  # type: ignore[arg-type]
    context.emit(f"{name}.p50", float(summary["p50_ms"] or 0), "ms", rows)  # type: ignore[arg-type]
    context.emit(f"{name}.p95", float(summary["p95_ms"] or 0), "ms", rows)  # type: ignore[arg-type]
    return result


def _p50_sequential(port: int, paths: list[str], rounds: int) -> float:
    """Median time of single requests, one at a time (the latency a reader waits)."""
    times = []
    for _ in range(rounds):
        for path in paths:
            start = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
                answer.read()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _p50_alternating(servers: dict[str, tuple[int, list[str]]], rounds: int) -> dict[str, float]:
    """`_p50_sequential` of several servers, query by query in turn (the order reversed every
    other query), so that the machine's load weighs on each alike."""
    times: dict[str, list[float]] = {name: [] for name in servers}
    count = len(next(iter(servers.values()))[1])
    for round_ in range(rounds):
        for index in range(count):
            names = list(servers)[:: 1 if (round_ + index) % 2 == 0 else -1]
            for name in names:
                port, paths = servers[name]
                times[name].append(_p50_sequential(port, [paths[index]], 1))
    return {name: statistics.median(values) for name, values in times.items()}


def _warm_every_worker(port: int, path: str, gzip: bool) -> None:
    """Each gunicorn worker keeps its own page cache (local memory without REDIS_URL), and a
    keep-alive connection stays with the worker that accepted it: bursts of new connections,
    which the workers share, until two bursts in a row have no error and no request slower
    than a second or 50 times the fastest (a hit takes milliseconds, computing the page
    seconds under load; on a quiet machine a page computed in less than a second is no
    matter)."""
    clean = 0
    for _ in range(30):
        result = load(port, path, 3 * CONCURRENCY, CONCURRENCY, 600, gzip=gzip, fresh=True)
        latencies = sorted(result.latencies) or [600.0]
        fine = not result.errors and latencies[-1] < max(1.0, 50 * latencies[0])
        clean = clean + 1 if fine else 0
        if clean == 2:
            return
    print(f"# {path}: a worker still computed the page after 30 bursts", flush=True)


def _measure_cached(
    context: Any, name: str, port: int, path: str, seconds: float, rows: int
) -> None:
    """A cached page with and without gzip, after warming every worker: CACHED_ROUNDS rounds,
    each opening 8 keep-alive connections and sending one encoding for `seconds / 8`, then the
    other over the same connections (the order reversed every other round). Emitted: each
    encoding's median rate, p50, p95 and p99 over the rounds, its slowest request, and the
    median of the rounds' ratios gzip / identity (target at least 0.8).

    Why the same connections: a keep-alive connection stays with the worker that accepted it,
    and where 8 new connections land is chance (all 8 on one worker in some windows, on two or
    three in others; 1,400-1,700 against 2,400-3,800 requests a second for /regions/48/,
    whatever the encoding). Measured in windows of their own, each encoding drew its own
    placement and the ratio measured that. Over the same connections both encodings meet the
    same workers, and the rounds draw new placements. A miss (a worker computing the page)
    shows as a slowest request of seconds; every window's figures are printed."""
    for gzip in (False, True):
        _warm_every_worker(port, path, gzip)
    rounds = load_encodings(port, path, CONCURRENCY, seconds / 8, CACHED_ROUNDS)
    figures: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for round_, results in enumerate(rounds):
        for gzip, result in results.items():
            summary = result.summary(CONCURRENCY)
            figures[gzip].append(summary)
            print(
                f"# {name} round {round_} {'gzip' if gzip else 'identity'}: "
                f"{summary['requests_per_s']}/s, p50 {summary['p50_ms']}, p95 "
                f"{summary['p95_ms']}, p99 {summary['p99_ms']}, max {summary['max_ms']} ms, "
                f"{result.errors} errors {summary['statuses']}",
                flush=True,
            )
    for gzip, summaries in figures.items():
        prefix = f"{name}.{'gzip' if gzip else 'identity'}"
        for figure, unit, key in (
            ("requests_per_s", "1/s", "requests_per_s"),
            ("p50", "ms", "p50_ms"),
            ("p95", "ms", "p95_ms"),
            ("p99", "ms", "p99_ms"),
        ):
            values = [float(summary[key] or 0) for summary in summaries]
            context.emit(f"{prefix}.{figure}", statistics.median(values), unit, rows)
        slowest = max(float(summary["max_ms"] or 0) for summary in summaries)
        context.emit(f"{prefix}.max", slowest, "ms", rows)
    ratios = [
        float(gz["requests_per_s"]) / max(float(plain["requests_per_s"]), 0.001)
        for gz, plain in zip(figures[True], figures[False], strict=True)
    ]
    context.emit(f"{name}.gzip_over_identity", statistics.median(ratios), "ratio", rows)


def _datasette_copy(folder: Path) -> Path | None:
    """A copy of the SQLite file with one table of partnerships and their names, and its FTS5
    index, as a Datasette user would publish it (sqlite-utils enable-fts does the same)."""
    if connection.vendor != "sqlite":
        return None
    copy = folder / "datasette.sqlite3"
    # Through SQLite, never shutil.copyfile: see bench/livecopy.py (the SIGBUS it caused).
    connection.ensure_connection()
    copy_database(connection.connection, copy)
    db = sqlite3.connect(copy)
    db.executescript(
        """
        CREATE TABLE partnership_search AS
          SELECT p.id, a.name AS agency, a.city, s.name AS state, a.state_id AS state_code,
                 t.name AS technology, v.name AS vendor, p.product, p.summary
          FROM records_partnership p
          JOIN records_agency a ON a.id = p.agency_id
          JOIN geo_state s ON s.code = a.state_id
          JOIN records_technology t ON t.id = p.technology_id
          LEFT JOIN records_vendor v ON v.id = p.vendor_id;
        CREATE VIRTUAL TABLE partnership_search_fts USING fts5(
          agency, city, state, state_code, technology, vendor, product, summary,
          content="partnership_search", content_rowid="id");
        INSERT INTO partnership_search_fts(partnership_search_fts) VALUES ('rebuild');
        """
    )
    db.commit()
    db.close()
    return copy


def _search_paths(words: tuple[str, ...], template: str) -> list[str]:
    return [template.format(q=urllib.request.quote(word)) for word in words]


def run(context: Any) -> None:
    size = context.sizes[-1]
    have = Partnership.objects.public().count()
    if have < size:
        generate_partnerships(size - have, prefix="Served")
    rows = Partnership.objects.public().count()
    seconds = 2.0 if context.quick else 12.0
    by_state = dict(
        Partnership.objects.public()
        .values_list("agency__state__fips")
        .annotate(n=Count("pk"))
        .values_list("agency__state__fips", "n")
    )
    state = "48" if "48" in by_state else max(by_state, key=lambda fips: by_state[fips])
    technology = (
        Technology.objects.annotate(n=Count("partnerships"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    pages = {
        "region": f"/regions/{state}/",
        "technology": f"/technologies/{technology}/",
        "table": "/table/",
        "map": "/",
    }
    api_search = _search_paths(SEARCH_WORDS, "/api/v1/partnerships/?q={q}")
    box = _search_paths(BOX_WORDS, "/search/?q={q}")

    parts = os.environ.get("SURVMAP_BENCH_SERVED", ",".join(PARTS)).split(",")
    if "searchbox" in parts:
        _search_box_in_process(context)
    command, env, port = _gunicorn(page_cache_seconds=0)
    with _serve(command, env, port, "/api/v1/"):
        if "nocache" in parts:
            for name, path in pages.items():
                _measure(context, f"served.nocache.{name}", port, path, seconds, rows)
        if "search" in parts:
            _search(context, port, api_search, seconds, rows)
        if "searchbox" in parts:
            _measure(context, "served.searchbox", port, box[1], seconds, rows)
            context.emit("served.searchbox.alone_p50", _p50_sequential(port, box, 5), "ms", rows)

    if "cached" in parts:
        command, env, port = _gunicorn(page_cache_seconds=600, recycle=False)
        with _serve(command, env, port, "/map.html"):
            for name, path in (("map_html", "/map.html"), ("region", pages["region"])):
                _measure_cached(context, f"served.cached.{name}", port, path, seconds, rows)


def _search(context: Any, port: int, api_search: list[str], seconds: float, rows: int) -> None:
    """The API's `?q=` and, on SQLite, Datasette's FTS5 search with the same words on a copy of
    the same file, both serving at once and asked in turn."""
    with tempfile.TemporaryDirectory(prefix="survmap-datasette-") as folder:
        copy = _datasette_copy(Path(folder))
        if copy is None:
            print("# served.search.datasette: skipped (Datasette reads SQLite only)", flush=True)
            _p50_sequential(port, api_search, 1)
            alone = _p50_sequential(port, api_search, 3)
            context.emit("served.search.api.alone_p50", alone, "ms", rows)
            _measure(context, "served.search.api", port, api_search[0], seconds, rows)
            return
        ds_port = _free_port()
        ds = [sys.executable, "-m", "datasette", "serve", str(copy), "--host", "127.0.0.1"]
        ds += ["--port", str(ds_port), "--setting", "sql_time_limit_ms", "20000"]
        table = f"/{copy.stem}/partnership_search.json"
        ds_paths = _search_paths(SEARCH_WORDS, table + "?_search={q}&_size=50")
        with _serve(ds, dict(os.environ), ds_port, table + "?_size=1"):
            servers = {"api": (port, api_search), "datasette": (ds_port, ds_paths)}
            _p50_alternating(servers, 1)  # each server's first answers
            p50 = _p50_alternating(servers, 3)
            context.emit("served.search.api.alone_p50", p50["api"], "ms", rows)
            context.emit("served.search.datasette.alone_p50", p50["datasette"], "ms", rows)
            context.emit(
                "served.search.api_over_datasette.p50",
                p50["api"] / max(p50["datasette"], 0.001),
                "ratio",
                rows,
            )
            _measure(context, "served.search.api", port, api_search[0], seconds, rows)
            _measure(context, "served.search.datasette", ds_port, ds_paths[0], seconds, rows)


def _search_box_in_process(context: Any) -> None:
    """The search box's server time (no HTTP), the index build and the first search after a
    data change, with the directory of US agencies added (18,702 agencies with an ORI and no
    partnership, as load_starter_data loads them; 2,000 in the quick run) beside the agencies
    the earlier cases left: rolled back afterwards, so the pages' figures keep their data."""
    with transaction.atomic():
        agencies = generate_directory(2_000 if context.quick else 18_702)
        data_version.bump()
        rebuild_index()  # as a serving process does when it starts (survmap.wsgi)
        data_version.bump()
        # As a served process answers it: from the previous index, a thread building the next.
        background = override_settings(SURVMAP_SEARCH_INDEX_IN_BACKGROUND=True)
        with background, context.timer("searchbox.first_after_change", rows=agencies):
            search("warren")
        while search_module._building:
            time.sleep(0.1)
        # What the first search after a change no longer waits for: the build, outside requests.
        with context.timer("searchbox.build", rows=agencies):
            rebuild_index()
        times = []
        for _ in range(10):
            for word in (*BOX_WORDS, *DIRECTORY_WORDS):
                start = time.perf_counter()
                search(word)
                times.append((time.perf_counter() - start) * 1000)
        transaction.set_rollback(True)
    data_version.bump()
    rebuild_index()
    times.sort()
    context.emit("searchbox.server.p50", statistics.median(times), "ms", agencies)
    context.emit("searchbox.server.p95", times[int(0.95 * (len(times) - 1))], "ms", agencies)
