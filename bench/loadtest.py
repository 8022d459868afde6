"""Load test: the production server (gunicorn, DEBUG off) on 127.0.0.1, driven under concurrency;
one JSON object per URL line: requests/s, latency percentiles, errors.

    python -m bench.loadtest                       # defaults below, about a minute in all
    python -m bench.loadtest --url / --url /regions/26/ --concurrency 64 --requests 5000
    make loadtest LOADTEST_ARGS="--quick"

It prepares its own database (a SQLite file in a temporary folder, or, with DATABASE_URL
pointing at PostgreSQL, a new database beside the one named, dropped afterwards) with the
starter records and generated partnerships, runs collectstatic, starts gunicorn with
gunicorn.conf.py on a free port, and stops it when done. Each URL gets a bounded number of
requests and a bounded time, whichever ends first. `{agency}` and `{technology}` in a URL are
filled with a public agency's id and a technology's slug.

The client is asyncio over raw HTTP/1.1 keep-alive sockets: cheap enough per request that, on a
2-core machine, the server rather than the client is what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The map page, a state page, an agency and a technology page, and an API list (--url for others).
DEFAULT_URLS = (
    "/",
    "/regions/26/",
    "/agencies/{agency}/",
    "/technologies/{technology}/",
    "/api/v1/partnerships/?status=active",
)


@dataclass
class Result:
    url: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    body_bytes: int = 0
    elapsed: float = 0.0

    def summary(self, concurrency: int) -> dict[str, object]:
        ordered = sorted(self.latencies)

        def percentile(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

        done = len(ordered)
        return {
            "name": "loadtest",
            "url": self.url,
            "requests": done,
            "errors": self.errors,
            "requests_per_s": round(done / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99),
            "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
            "mean_body_bytes": round(self.body_bytes / done) if done else 0,
            "concurrency": concurrency,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one response; return (status, body bytes, whether the connection stays open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = 0
    if "content-length" in headers:
        body = len(await reader.readexactly(int(headers["content-length"])))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += len(await reader.readexactly(size + 2)) - 2
            if size == 0:
                break
    else:
        return status, len(await reader.read()), False
    return status, body, headers.get("connection", "").lower() != "close"


def _request(port: int, path: str, gzip: bool, fresh: bool = False) -> bytes:
    encoding = "Accept-Encoding: gzip\r\n" if gzip else ""
    # A new connection for each request: gunicorn's workers each accept some, where a
    # keep-alive connection stays with the worker that took it.
    encoding += "Connection: close\r\n" if fresh else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{encoding}"
        "User-Agent: survmap-loadtest\r\n\r\n"
    ).encode()


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter] | None


async def _window(
    port: int,
    request: bytes,
    connections: list[Connection],
    seconds: float,
    result: Result,
    total: int,
) -> None:
    """One request at a time on each of `connections` (opened when None, reopened after an
    error or a close), until `total` are sent or `seconds` have passed; the connections left
    open stay in the list for the next window."""
    remaining = total
    deadline = time.perf_counter() + seconds

    async def worker(slot: int) -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            start = time.perf_counter()
            try:
                if connections[slot] is None:
                    connections[slot] = await asyncio.open_connection("127.0.0.1", port)
                reader, writer = connections[slot]  # type: ignore[misc]
                writer.write(request)
                status, size, keep = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                _close(connections, slot)
                continue
            result.latencies.append(time.perf_counter() - start)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.body_bytes += size
            if status != 200:
                result.errors += 1
            if not keep:
                _close(connections, slot)

    started = time.perf_counter()
    await asyncio.gather(*(worker(slot) for slot in range(len(connections))))
    result.elapsed = time.perf_counter() - started


def _close(connections: list[Connection], slot: int) -> None:
    connection = connections[slot]
    if connection is not None:
        connection[1].close()
    connections[slot] = None


async def _drive(
    port: int,
    path: str,
    total: int,
    concurrency: int,
    seconds: float,
    result: Result,
    gzip: bool = True,
    fresh: bool = False,
) -> None:
    connections: list[Connection] = [None] * concurrency
    await _window(port, _request(port, path, gzip, fresh), connections, seconds, result, total)
    for slot in range(concurrency):
        _close(connections, slot)


def load(
    port: int,
    path: str,
    total: int,
    concurrency: int,
    seconds: float,
    gzip: bool = True,
    fresh: bool = False,
) -> Result:
    """Send GETs of `path` over `concurrency` connections (asking for gzip unless told not to)
    until `total` are sent or `seconds` have passed; `fresh`: a new connection each time."""
    result = Result(url=path)
    asyncio.run(_drive(port, path, total, concurrency, seconds, result, gzip, fresh))
    return result


def load_encodings(
    port: int, path: str, concurrency: int, seconds: float, rounds: int
) -> list[dict[bool, Result]]:
    """`path` without and with gzip over the same connections: each round opens `concurrency`
    keep-alive connections and sends one encoding, then the other (in turn first), `seconds`
    each, over those same connections, so that both meet the same workers (a keep-alive
    connection stays with the gunicorn worker that accepted it, and which workers a round's
    connections land on moves its rate by half). One {gzip: Result} per round."""
    requests = {gzip: _request(port, path, gzip) for gzip in (False, True)}

    async def drive() -> list[dict[bool, Result]]:
        figures = []
        for round_ in range(rounds):
            connections: list[Connection] = [None] * concurrency
            results = {}
            for gzip in (False, True)[:: 1 if round_ % 2 == 0 else -1]:
                results[gzip] = Result(url=path)
                await _window(port, requests[gzip], connections, seconds, results[gzip], 10**9)
            for slot in range(concurrency):
                _close(connections, slot)
            figures.append(results)
        return figures

    return asyncio.run(drive())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(env: dict[str, str], partnerships: int) -> dict[str, str]:
    """Migrate, load the starter records and generated partnerships, collect static files;
    return the values for URL placeholders."""
    python = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*python, *args], cwd=REPO, env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*python, "load_starter_data", "--no-atlas", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    script = (
        "import django, json; django.setup(); "
        "from bench.generate import generate_partnerships; "
        f"generate_partnerships({partnerships}); "
        "from survmap.records.selectors import partnership_list_public; "
        "p = partnership_list_public().order_by('pk').first(); "
        "print(json.dumps({'agency': str(p.agency_id), 'technology': p.technology.slug}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=REPO, env=env, check=True, capture_output=True
    )
    return dict(json.loads(out.stdout))


def _wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="path to load (repeatable)")
    parser.add_argument("--requests", type=int, default=20_000, help="requests per URL, at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="time per URL, at most")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections")
    parser.add_argument("--partnerships", type=int, default=10_000, help="generated records")
    parser.add_argument("--workers", default="3", help="gunicorn workers")
    parser.add_argument("--threads", default="2", help="gunicorn threads per worker")
    parser.add_argument("--quick", action="store_true", help="a few seconds, small data")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="turn the anonymous page cache off, to measure the views themselves",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.seconds, args.partnerships = 500, 5.0, 500
    urls = args.url or list(DEFAULT_URLS)

    with tempfile.TemporaryDirectory(prefix="survmap-loadtest-") as tmp:
        sys.path.insert(0, str(REPO))
        from bench.run import _prepare_database

        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survmap.settings")
        drop = _prepare_database(Path(tmp))
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "survmap.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_MANIFEST": "1",
            # Plain HTTP on loopback: no redirect to https, no secure-only cookies.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            # Every request comes from 127.0.0.1: no allowance per client for expensive answers.
            "SURVMAP_COSTLY_ALLOWANCE": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": args.workers,
            "GUNICORN_THREADS": args.threads,
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        if args.no_page_cache:
            env["SURVMAP_PAGE_CACHE_SECONDS"] = "0"
        server = None
        try:
            values = _prepare(env, args.partnerships)
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "survmap.wsgi"],
                cwd=REPO,
                env=env,
            )
            _wait_until_serving(port, server)
            for template in urls:
                path = template.format(**values)
                load(port, path, min(200, args.requests), args.concurrency, 10)  # warm up
                result = load(port, path, args.requests, args.concurrency, args.seconds)
                print(json.dumps(result.summary(args.concurrency)), flush=True)
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
