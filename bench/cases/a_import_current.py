"""A 15,000-row file in the Atlas's current 28-column layout, into the database the 2020 import
left (runs after a_import: its sources known, the file's agencies and partnerships new).

Target (issue 13): at most 20 s. The file is built from the 2020 rows, as distinct as the real
current export's: each row three times under new row ids (AOS100001...), each copy's agency
named apart ('... (copy 2)'), with the current layout's added columns, cut at 15,000 rows.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import ATLAS_CURRENT_COLUMNS, read_atlas

ROWS = 15_000
QUICK_ROWS = 1_000


def current_layout_text(path: Any, count: int) -> str:
    atlas = read_atlas(path)
    header = list(atlas.header)
    header.insert(header.index("AOSNUMBER") + 1, ATLAS_CURRENT_COLUMNS[0])
    header.insert(header.index("Technology") + 1, ATLAS_CURRENT_COLUMNS[1])
    header.append(ATLAS_CURRENT_COLUMNS[2])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    number = 100_000  # beyond the 2020 ids, so every row is a new partnership
    for copy in range(1, 100):
        for row in atlas.rows:
            if number - 100_000 >= count:
                return out.getvalue()
            number += 1
            cells = {name: row.cells.get(name, "") for name in atlas.header}
            cells["AOSNUMBER"] = f"AOS{number:06d}"
            cells["Agency"] = f"{cells['Agency']} (copy {copy})"
            cells["NEWAOSNUMBER (ORI9)"] = ""
            cells["TECH ABV"] = ""
            cells["Other Links"] = ""
            writer.writerow(cells)
    return out.getvalue()


def run(context: Any) -> None:
    if not context.atlas_path.exists():
        print(f"# a_import_current: skipped, no Atlas export at {context.atlas_path}", flush=True)
        return
    count = QUICK_ROWS if context.quick else ROWS
    atlas = read_atlas(current_layout_text(context.atlas_path, count).encode())
    assert atlas.layout == "current" and len(atlas) == count
    with context.timer("import.atlas.current_layout", rows=count):
        report = AtlasImporter(atlas.rows).run()
    assert report.created + report.updated > 0.99 * count - 20, report.summary_lines()[0]
