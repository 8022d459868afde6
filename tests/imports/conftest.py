"""Real Atlas rows for the import tests, read from the shared export once per session."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pytest

from survmap.imports.readers import AtlasFile, Row, read_atlas

AtlasRows = Callable[..., list[Row]]


@cache
def _atlas(path: Path) -> AtlasFile:
    return read_atlas(path)


@pytest.fixture
def atlas(atlas_csv: Path) -> AtlasFile:
    return _atlas(atlas_csv)


@pytest.fixture
def atlas_rows(atlas: AtlasFile) -> AtlasRows:
    """atlas_rows('AOS0001', 'AOS0002'): those real rows, in file order, with their lines."""

    def pick(*ids: str) -> list[Row]:
        wanted = set(ids)
        rows = [row for row in atlas.rows if row.get("AOSNUMBER") in wanted]
        assert {row.get("AOSNUMBER") for row in rows} == wanted, "a row id is not in the file"
        return rows

    return pick


def atlas_text(header: list[str], rows: Iterable[Row | dict[str, str]], newline: str = "\n") -> str:
    """Rows written back as an Atlas CSV (every field quoted, as the export is)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=header, quoting=csv.QUOTE_ALL, lineterminator=newline, extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row.cells) if isinstance(row, Row) else row)
    return out.getvalue()


def changed(row: Row, **cells: str) -> Row:
    """A real row with some cells replaced (keys with spaces: pass a dict via **{...})."""
    return Row(line=row.line, cells={**row.cells, **cells})
