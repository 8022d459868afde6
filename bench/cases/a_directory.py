"""The FBI's agency directory (18,702 agencies) into the empty benchmark database, then the same
file again: the base layer `load_starter_data` loads first, so it runs first (`a_d...`), and the
Atlas import after it (`a_import`) matches its agencies against the directory, as on a fresh
install.

Target (issue 23): `make run` from nothing to serving in at most 2 minutes with the directory
loaded; the directory's share of that: at most 30 s for the whole list, a re-import (nothing
changes) at most 15 s, on the 2-core CI machine.
"""

from __future__ import annotations

from typing import Any

from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.shipped import SHIPPED_DIRECTORY

QUICK_ROWS = 2_000


def run(context: Any) -> None:
    rows = read_directory(SHIPPED_DIRECTORY)
    # --quick (CI): the first rows only, same code path; the targets are read on the full run.
    rows = rows[: QUICK_ROWS if context.quick else None]
    with context.timer("import.directory.first", rows=len(rows)):
        first = DirectoryImporter(rows).run()
    with context.timer("import.directory.again", rows=len(rows)):
        again = DirectoryImporter(rows).run()
    # Every row but the few the FBI's list gets wrong is an agency, and the second run changes
    # nothing: a benchmark of an import that did nothing would be a fast lie.
    assert first.created >= len(rows) - 5, first.summary_lines()[0]
    assert again.unchanged == first.created, again.summary_lines()[0]
