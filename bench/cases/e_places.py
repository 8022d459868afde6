"""Place lookups: the gazetteer resolving every distinct place the Atlas names.

Target (issue 13): at least 10,000 lookups a second. Each (state, city) and (state, county)
pair of the 2020 file is looked up once on a fresh gazetteer (no answer is remembered between
them), after the index is loaded.
"""

from __future__ import annotations

import time
from typing import Any

from survmap.imports.places import Gazetteer
from survmap.imports.readers import read_atlas


def run(context: Any) -> None:
    if not context.atlas_path.exists():
        print(f"# e_places: skipped, no Atlas export at {context.atlas_path}", flush=True)
        return
    rows = read_atlas(context.atlas_path).rows
    queries = sorted(
        {(row.get("State").strip(), row.get("City"), "") for row in rows}
        | {(row.get("State").strip(), "", row.get("County")) for row in rows}
    )
    gazetteer = Gazetteer()
    gazetteer.resolve(state="AZ", city="Casa Grande")  # the index and census names, once
    start = time.perf_counter()
    placed = sum(
        gazetteer.resolve(state=state, city=city, county=county).placed
        for state, city, county in queries
    )
    elapsed = time.perf_counter() - start
    context.emit("places.lookups_per_second", len(queries) / elapsed, "1/s", len(queries))
    context.emit("places.placed_share", 100 * placed / len(queries), "%", len(queries))
