"""Run the benchmark cases in bench/cases/ against a fresh database and print one JSON object per
line for each figure: {"name", "value", "unit", "rows"}.

    python -m bench.run            # full: Atlas import, 10,000 and 100,000 generated partnerships
    python -m bench.run --quick    # short version for CI: small sizes, same code paths
    python -m bench.run --only map # cases whose module name contains "map"

A fresh SQLite file in a temporary folder is used unless DATABASE_URL is set; with DATABASE_URL
(PostgreSQL), the benchmark creates and drops its own database beside the one named.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# The copy shipped in fixtures/atlas/ (xz), or the shared plain one.
SHIPPED_ATLAS = REPO / "fixtures" / "atlas" / "Atlas_of_Surveillance-20201007.csv.xz"
DEFAULT_ATLAS = (
    SHIPPED_ATLAS
    if SHIPPED_ATLAS.exists()
    else REPO.parent / "shared" / "data" / "atlas" / "Atlas_of_Surveillance-20201007.csv"
)


@dataclass
class Context:
    quick: bool
    atlas_path: Path
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Generated data sizes: the issue targets are read at 10,000 and 100,000."""
        return (500, 2_000) if self.quick else (10_000, 100_000)

    def emit(self, name: str, value: float, unit: str, rows: int | None = None) -> None:
        record = {"name": name, "value": round(value, 3), "unit": unit, "rows": rows}
        self.results.append(record)
        print(json.dumps(record), flush=True)

    @contextmanager
    def timer(self, name: str, rows: int | None = None) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.emit(name, (time.perf_counter() - start) * 1000, "ms", rows)


def _prepare_database(tmp: Path) -> Callable[[], None]:
    """Point Django at a fresh database; return what drops it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return lambda: None
    import psycopg

    base, _, name = url.rpartition("/")
    bench_name = f"{name or 'survmap'}_bench_{os.getpid()}"
    admin = f"{base}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{bench_name}"')
    os.environ["DATABASE_URL"] = f"{base}/{bench_name}"

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')

    return drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--only", default="", help="run cases whose module name contains this")
    parser.add_argument("--atlas", type=Path, default=DEFAULT_ATLAS, help="Atlas CSV export")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survmap.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    # Figures measure the server's own work; the load test (bench/loadtest.py) measures the cache.
    os.environ.setdefault("SURVMAP_PAGE_CACHE_SECONDS", "0")
    # One client asking for every expensive answer on purpose: no allowance per client.
    os.environ.setdefault("SURVMAP_COSTLY_ALLOWANCE", "0")
    # The bench process rebuilds the search index in place, so that a case's timings do not
    # share the machine with a rebuild in a thread.
    os.environ.setdefault("SURVMAP_SEARCH_INDEX_IN_BACKGROUND", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    # Pages are served through the static finders here; collectstatic has not run.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    with tempfile.TemporaryDirectory(prefix="survmap-bench-") as tmp:
        drop = _prepare_database(Path(tmp))
        try:
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0, interactive=False)
            from survmap.common.startup import warm_up

            # As the WSGI entry point prepares a serving process.
            warm_up()
            context = Context(quick=args.quick, atlas_path=args.atlas)
            import bench.cases as cases

            names = sorted(m.name for m in pkgutil.iter_modules(cases.__path__))
            for name in names:
                if args.only and args.only not in name:
                    continue
                module = importlib.import_module(f"bench.cases.{name}")
                module.run(context)
        finally:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
