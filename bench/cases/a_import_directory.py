"""The FBI's agency directory (18,702 agencies) into the database the Atlas import left (runs
after a_import and a_import_current, which keep measuring the Atlas on an empty database): the
directory's rows find the Atlas's agencies by name and give them their ORI and credit, the rest
are new; then the same file again, which changes nothing.

Target (issue 23): `make run` from nothing to serving in at most 2 minutes with the directory
loaded (measured on its own, see docs/benchmarks.md); the directory's share of that: at most
30 s for the whole list, a re-import at most 15 s, on the 2-core CI machine.
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
    # Every row is an agency, new or found (the few the matcher leaves to a person aside), and
    # the second run changes nothing: a benchmark of an import that did nothing would be a fast
    # lie.
    written = first.created + first.updated + first.unchanged
    assert written >= len(rows) - 20 and first.created > len(rows) // 2, first.summary_lines()[0]
    assert again.unchanged == written, again.summary_lines()[0]
