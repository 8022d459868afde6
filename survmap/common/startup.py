"""What a serving process does once, before its first request."""

import gc

from django.urls import get_resolver


def warm_up() -> None:
    """Import every view (and with them DRF, pandas, geopandas: some 90,000 Python objects),
    then freeze what exists so far out of the garbage collector's view. Otherwise each full
    collection walks all of them, a pause of 60 to 200 ms that lands on whichever request
    happens to trigger it; under gunicorn's preload the frozen objects also stay shared
    between workers instead of being copied when the collector touches them."""
    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and view module
    gc.collect()
    gc.freeze()
