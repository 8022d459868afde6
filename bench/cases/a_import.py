"""The whole Atlas export into the empty benchmark database, then the same file again.

Targets (issue 3): the 2020 file into an empty SQLite database under 20 s, a re-import under
10 s, on the 2-core CI machine. Runs first (`a_`), while the database is still empty.
"""

from __future__ import annotations

from typing import Any

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import read_atlas

QUICK_ROWS = 500


def run(context: Any) -> None:
    if not context.atlas_path.exists():
        print(f"# a_import: skipped, no Atlas export at {context.atlas_path}", flush=True)
        return
    atlas = read_atlas(context.atlas_path)
    # --quick (CI): the first rows only, same code path; the targets are read on the full run.
    rows = atlas.rows[: QUICK_ROWS if context.quick else None]
    with context.timer("import.atlas.first", rows=len(rows)):
        first = AtlasImporter(rows).run()
    with context.timer("import.atlas.again", rows=len(rows)):
        again = AtlasImporter(rows).run()
    # A benchmark of an import that did nothing would be a fast lie.
    assert first.created > 0.99 * len(rows) - 20, first.summary_lines()[0]
    assert again.unchanged == first.created, again.summary_lines()[0]
