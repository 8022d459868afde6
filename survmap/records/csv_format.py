"""survmap's own CSV format: one row per partnership. The CSV export writes it and `import_csv`
reads it, so an export read back into an empty database gives the same records. Its columns,
their meaning and their cells are the column table's (`records/columns.py`), read by name.

Cells that hold several values (a partnership's sources, its other vendors) keep one value per
line, aligned across the `source_*` columns; county FIPS codes are separated by ';'. Dates are
partial ISO dates: '2020', '2020-03' or '2020-03-05', their length saying their precision.

Cells a spreadsheet would run as a formula are neutralised (OWASP's advice on CSV injection):
a cell that starts with = + - @ tab or carriage return, or with any of = + - @ after leading
whitespace (spaces, a no-break space, a newline, zero-width characters: spreadsheets skip them),
gets a leading apostrophe, except a plain number such as a negative longitude. `restore_cell`
undoes exactly that.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any

from survmap.common.dates import stored_isoformat
from survmap.records.columns import COLUMNS_BY_NAME, PARTNERSHIP_COLUMNS
from survmap.records.columns import COUNTY_SEPARATOR as COUNTY_SEPARATOR
from survmap.records.columns import LINE as LINE
from survmap.records.models import Partnership
from survmap.records.rows import PartnershipRow

COLUMNS: tuple[str, ...] = tuple(c.name for c in PARTNERSHIP_COLUMNS if c.csv is not None)

COLUMN_HELP: Mapping[str, str] = {name: COLUMNS_BY_NAME[name].help for name in COLUMNS}

# What `import_csv` needs to identify a record; every other column is optional, in any order.
REQUIRED_COLUMNS: tuple[str, ...] = ("agency", "state", "technology", "status", "source_urls")

# Headers a person's own spreadsheet uses for our columns (compared as `header_key` gives).
ALIASES: Mapping[str, str] = {
    **{name: name for name in COLUMNS},
    "agency_name": "agency",
    "kind": "agency_kind",
    "agency_type": "agency_kind",
    "type_of_agency": "agency_kind",
    "town": "city",
    "city_or_town": "city",
    "place": "city",
    "county": "counties",
    "county_name": "counties",
    "county_names": "counties",
    "fips": "county_fips",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
    "vendors": "vendor",
    "company": "vendor",
    "start": "start_date",
    "end": "end_date",
    "description": "summary",
    "source": "source_urls",
    "sources": "source_urls",
    "source_url": "source_urls",
    "source_address": "source_urls",
    "source_addresses": "source_urls",
    "source_link": "source_urls",
    "link": "source_urls",
    "url": "source_urls",
    "source_title": "source_titles",
    "title": "source_titles",
    "publisher": "source_publishers",
    "source_publisher": "source_publishers",
    "source_date": "source_dates",
    "date_published": "source_dates",
    "archived_copy": "source_archive_urls",
    "archive": "source_archive_urls",
    "archive_url": "source_archive_urls",
    "archived_url": "source_archive_urls",
    "source_archive_url": "source_archive_urls",
    "last_confirmed": "status_as_of",
}


def header_key(name: str) -> str:
    """'Source address', 'source-address' and 'SOURCE_ADDRESS' alike: 'source_address'."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().casefold()).strip("_")


def column_for(name: str) -> str:
    """Our column that a header names ('County name' -> 'counties'), or the header as given."""
    return ALIASES.get(header_key(name), name.strip())


# Characters a spreadsheet passes over before it decides a cell is a formula.
_INVISIBLE = "\u180e\u200b-\u200f\u2060\ufeff"
# Apostrophes first, so that a neutralised cell is recognised as one (restore_cell).
_FORMULA = re.compile(rf"'*(?:[\t\r]|[\s{_INVISIBLE}]*[=+\-@])")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# The first characters of every cell that can need a look (the exports skip the rest unread).
NEEDS_CHECK = frozenset(
    "=+-@\t\r'\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
    + "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
)


def _formula_like(value: str) -> bool:
    return _FORMULA.match(value) is not None and not _PLAIN_NUMBER.match(value)


def neutralize_cell(value: str) -> str:
    """Make a cell safe to open in a spreadsheet without changing plain numbers."""
    return "'" + value if _formula_like(value) else value


def restore_cell(value: str) -> str:
    """Undo `neutralize_cell`."""
    if value.startswith("'") and _formula_like(value[1:]):
        return value[1:]
    return value


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _compile_cells() -> Callable[[Any], list[str]]:
    """One function that returns every CSV cell of a partnership, in COLUMNS order, from the
    column table's expressions (read by name). Compiled once: the exports call it for every row,
    and the related records and lists several columns read are fetched once a row."""
    cells = ",\n        ".join(f"({COLUMNS_BY_NAME[name].csv})" for name in COLUMNS)
    source = f"""def partnership_cells(p):
    agency = p.agency
    technology = p.technology
    vendor = p.vendor
    counties = list(agency.counties.all())
    if len(counties) > 1:
        counties.sort(key=_fips)
    sources = list(p.sources.all())
    return [
        {cells},
    ]
"""
    names: dict[str, Any] = {
        "iso": stored_isoformat,
        "number": _number,
        "LINE": LINE,
        "COUNTY_SEPARATOR": COUNTY_SEPARATOR,
        "_fips": attrgetter("fips"),
    }
    exec(compile(source, f"<{__name__}: the column table's cells>", "exec"), names)  # noqa: S102
    compiled: Callable[[Any], list[str]] = names["partnership_cells"]
    return compiled


_cells = _compile_cells()


def partnership_row(partnership: Partnership | PartnershipRow) -> dict[str, str]:
    """The CSV row of one partnership, before neutralisation. Expects agency, its state and
    counties, technology, vendor and sources to be fetched already (see selectors)."""
    return dict(zip(COLUMNS, _cells(partnership), strict=True))


def partnership_cells(partnership: Partnership | PartnershipRow) -> list[str]:
    """The cells of `partnership_row` in COLUMNS order (what the exports write, 100,000 rows at
    a time: no dictionary on the way)."""
    return _cells(partnership)


BOM = "\ufeff"
LINES_PER_PIECE = 500


class _Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The one way survmap writes a CSV file: UTF-8 text with a byte-order mark (so Excel reads
    it as UTF-8), every cell neutralised against formula injection, in pieces of a few hundred
    rows (a piece per row would cost a streaming server a write per row)."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    lines: list[str] = []
    for cells in rows:
        # Only a cell that starts with one of NEEDS_CHECK can need neutralising; the rest are
        # kept without the call.
        lines.append(
            writer.writerow(
                [
                    neutralize_cell(cell) if cell and cell[0] in NEEDS_CHECK else cell
                    for cell in cells
                ]
            )
        )
        if len(lines) >= LINES_PER_PIECE:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)
