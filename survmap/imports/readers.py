"""Readers for the CSV files survmap imports: rows as dicts by header name, or a clear refusal.

A reader checks the whole file before an importer writes anything, so a file that is not what it
claims (wrong header, not UTF-8, empty, binary: a NUL byte anywhere in it) or too large (more than
SURVMAP_IMPORT_MAX_BYTES once decompressed, more than SURVMAP_IMPORT_MAX_ROWS rows) is refused
with one line and changes nothing; every cell is cleaned of control characters on the way in.
"""

from __future__ import annotations

import csv
import gzip
import io
import lzma
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from survmap.common.text import clean_text_value
from survmap.records import csv_format


class FileRefused(Exception):  # a refusal, not a programming error
    """The file is not one this reader understands; the message is one line for the user."""


@dataclass(frozen=True)
class Row:
    """One record of the file: the line it starts on (1 is the header) and its cells by name."""

    line: int
    cells: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column) or ""


def max_bytes() -> int:
    """The most a file may hold once decompressed (SURVMAP_IMPORT_MAX_BYTES)."""
    return int(getattr(settings, "SURVMAP_IMPORT_MAX_BYTES", 128 * 1024 * 1024))


def max_rows() -> int:
    """The most records a file may hold (SURVMAP_IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "SURVMAP_IMPORT_MAX_ROWS", 250_000))


def read_file(path: Path) -> bytes:
    """A file's bytes, decompressed when its name ends in .gz or .xz (the shipped Atlas copy).

    Never more than `max_bytes()`: a compressed file is decompressed in a stream that stops one
    byte past the cap, so a small file that expands to gigabytes (a "gzip bomb") is refused
    after reading the cap, in the time and memory the cap takes."""
    limit = max_bytes()
    openers: dict[str, Callable[..., Any]] = {".xz": lzma.open, ".gz": gzip.open}
    opener = openers.get(path.suffix)
    try:
        if opener is None:
            if path.stat().st_size > limit:
                raise FileRefused(_too_large(limit, "holds"))
            return path.read_bytes()
        with opener(path, "rb") as handle:
            data = handle.read(limit + 1)
    except (lzma.LZMAError, gzip.BadGzipFile, zlib.error, EOFError) as error:
        raise FileRefused(f"The file is not readable {path.suffix} data ({error}).") from None
    if len(data) > limit:
        raise FileRefused(_too_large(limit, "expands to"))
    return data


def _too_large(limit: int, verb: str) -> str:
    return (
        f"The file {verb} more than {limit:,} bytes (SURVMAP_IMPORT_MAX_BYTES): refused "
        "before anything is written; split it, or raise the limit if it is what you meant."
    )


def decode(data: bytes, *, what: str) -> str:
    """The file's text, without a byte-order mark; refuses empty, binary and non-UTF-8 files."""
    if not data.strip():
        raise FileRefused(f"The file is empty: it is not {what}.")
    # Anywhere in the file, not only near its start: a NUL past the first block would reach
    # names, pages and exports.
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise FileRefused(
            f"The file is binary (a NUL byte at offset {offset}), not a CSV text file: "
            f"it is not {what}."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}): it is not {what}."
        ) from None


def read_rows(
    text: str,
    *,
    required: Sequence[str],
    what: str,
    rename: Callable[[str], str] | None = None,
) -> tuple[list[str], list[Row]]:
    """Parse CSV text whose header must include `required` (in any order, LF or CRLF);
    `rename` maps each header to the column it means. Every cell goes through survmap's one
    text cleaning (survmap.common.text) on the way in."""
    if "\x00" in text:
        raise FileRefused(f"The file holds a NUL character: it is not {what}.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [(rename or str.strip)(name) for name in next(reader)]
    except StopIteration:
        raise FileRefused(f"The file is empty: it is not {what}.") from None
    except csv.Error as error:
        raise FileRefused(f"The file is not readable CSV ({error}): it is not {what}.") from None
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise FileRefused(
            f"Not {what}: several columns mean {', '.join(repr(name) for name in repeated)}."
        )
    missing = [name for name in required if name not in header]
    if missing:
        shown = ", ".join(repr(name) for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise FileRefused(f"Not {what}: the header lacks the column(s) {shown}{more}.")
    rows: list[Row] = []
    line = reader.line_num + 1
    limit = max_rows()
    try:
        for values in reader:
            if any(value.strip() for value in values):
                if len(rows) >= limit:
                    raise FileRefused(
                        f"The file holds more than {limit:,} rows (SURVMAP_IMPORT_MAX_ROWS): "
                        "refused before anything is written; split it."
                    )
                cleaned = [clean_text_value(value, multiline=True) for value in values]
                cells = dict(zip(header, cleaned, strict=False))
                if len(values) != len(header):
                    # Kept, so that the importer reports the row by its line instead of a guess.
                    cells["__fields__"] = str(len(values))
                rows.append(Row(line=line, cells=cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(f"Line {line} is not readable CSV ({error}): it is not {what}.") from None
    return header, rows


ATLAS = "an Atlas of Surveillance CSV export"
# By name, never by position: the 2020 export has 25 columns, the current one 28.
ATLAS_REQUIRED: tuple[str, ...] = (
    "AOSNUMBER",
    "City",
    "County",
    "State",
    "Agency",
    "Type of LEA",
    "Summary",
    "Type of Juris",
    "Technology",
    "Vendor",
    *(f"Link {n}{part}" for n in (1, 2, 3) for part in ("", " Source", " Date")),
)
ATLAS_CURRENT_COLUMNS = ("NEWAOSNUMBER (ORI9)", "TECH ABV", "Other Links")


@dataclass(frozen=True)
class AtlasFile:
    header: list[str]
    rows: list[Row]

    @property
    def layout(self) -> str:
        """'current' for the 28-column export, '2020' for the 25-column one."""
        return "current" if all(c in self.header for c in ATLAS_CURRENT_COLUMNS) else "2020"

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def read_atlas(source: bytes | str | Path) -> AtlasFile:
    """Read an Atlas export from bytes, text or a path."""
    if isinstance(source, Path):
        source = read_file(source)
    text = decode(source, what=ATLAS) if isinstance(source, bytes) else source.lstrip("\ufeff")
    header, rows = read_rows(text, required=ATLAS_REQUIRED, what=ATLAS)
    return AtlasFile(header=header, rows=rows)


SURVMAP = "a survmap CSV export"


def read_survmap_csv(source: bytes | str | Path) -> list[Row]:
    """Read survmap's own CSV (csv_format.COLUMNS), or a person's spreadsheet with some of its
    columns under the names people use (csv_format.ALIASES), undoing the formula
    neutralisation. Only csv_format.REQUIRED_COLUMNS must be there."""
    if isinstance(source, Path):
        source = read_file(source)
    text = decode(source, what=SURVMAP) if isinstance(source, bytes) else source.lstrip("\ufeff")
    _, rows = read_rows(
        text, required=csv_format.REQUIRED_COLUMNS, what=SURVMAP, rename=csv_format.column_for
    )
    return [
        Row(
            line=row.line,
            cells={name: csv_format.restore_cell(value) for name, value in row.cells.items()},
        )
        for row in rows
    ]
