"""How many of the 2020 Atlas's agencies get their ORI from the FBI's directory, loaded as
`load_starter_data` loads them (the directory first, then the Atlas): `atlas.ori_share`, the
share of the agencies the Atlas's rows name that have an ORI. Runs first (`a_a...`) in one
transaction that is rolled back, so the cases after it still start from an empty database.

Target (issue 23): at least 90%, none wrong (the hand-checked sample in
tests/data/atlas-ori-sample.csv, tests/imports/test_atlas_ori.py). --quick (CI): New Jersey's
rows only, same code path.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from survmap.imports.atlas import AtlasImporter
from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.readers import read_atlas
from survmap.imports.shipped import SHIPPED_DIRECTORY
from survmap.records.models import Agency

QUICK_STATE = "NJ"


class _RolledBack(Exception):
    pass


def run(context: Any) -> None:
    if not context.atlas_path.exists():
        print(f"# a_atlas_ori: skipped, no Atlas export at {context.atlas_path}", flush=True)
        return
    atlas_rows = read_atlas(context.atlas_path).rows
    directory_rows = read_directory(SHIPPED_DIRECTORY)
    if context.quick:
        atlas_rows = [
            row
            for row in atlas_rows
            if (row.get("State") or "").strip().upper() in (QUICK_STATE, "NEW JERSEY")
        ]
        directory_rows = [row for row in directory_rows if row.get("state_abbr") == QUICK_STATE]
    try:
        with transaction.atomic():
            with context.timer("atlas.ori.load", rows=len(directory_rows) + len(atlas_rows)):
                DirectoryImporter(directory_rows).run()
                AtlasImporter(atlas_rows).run()
            named = Agency.objects.filter(partnerships__atlas_id__startswith="AOS").distinct()
            total = named.count()
            with_ori = named.exclude(ori="").count()
            # A benchmark of an import that did nothing would be a fast lie.
            assert total > 0.5 * len({row.get("Agency") for row in atlas_rows}), total
            context.emit("atlas.ori_share", 100 * with_ori / total, "%", total)
            context.emit("atlas.ori_matched", with_ori, "agencies", total)
            raise _RolledBack
    except _RolledBack:
        pass
