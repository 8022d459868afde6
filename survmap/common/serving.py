"""How many processes serve the site: gunicorn.conf.py starts that many, and the system checks
warn when something counted per process (rate limits in a local-memory cache) would be counted
apart in each of them."""

from __future__ import annotations

import multiprocessing
import os


def gunicorn_workers() -> int:
    """GUNICORN_WORKERS, or gunicorn's usual 2 x cores + 1."""
    default = multiprocessing.cpu_count() * 2 + 1
    try:
        return int(os.environ.get("GUNICORN_WORKERS", "") or default)
    except ValueError:
        return default
