"""survmap's own CSV format: one row per partnership. The CSV export writes it and `import_csv`
reads it, so an export read back into an empty database gives the same records.

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

import re
from collections.abc import Mapping

from survmap.common.dates import stored_isoformat
from survmap.records.models import Partnership
from survmap.records.rows import PartnershipRow

COLUMNS: tuple[str, ...] = (
    "partnership_id",
    "agency_id",
    "agency",
    "agency_kind",
    "city",
    "state",
    "county_fips",
    "counties",
    "latitude",
    "longitude",
    "ori",
    "technology",
    "technology_slug",
    "technology_category",
    "vendor",
    "vendor_slug",
    "other_vendors",
    "product",
    "status",
    "status_as_of",
    "start_date",
    "end_date",
    "summary",
    "source_urls",
    "source_titles",
    "source_publishers",
    "source_dates",
    "source_archive_urls",
    "atlas_id",
    "attribution",
    "updated_at",
)

COLUMN_HELP: Mapping[str, str] = {
    "partnership_id": "survmap's stable id of the partnership.",
    "agency_id": "survmap's stable id of the agency.",
    "agency": "Agency name.",
    "agency_kind": "police, sheriff, state_police, federal, university, school or other.",
    "city": "City or town the agency is based in.",
    "state": "USPS code of the state or territory.",
    "county_fips": "Five-digit census FIPS codes of the counties served, separated by ';'.",
    "counties": "Names of those counties, separated by '; '.",
    "latitude": "Agency latitude (WGS84), if known.",
    "longitude": "Agency longitude (WGS84), if known.",
    "ori": "FBI Originating Agency Identifier, if known.",
    "technology": "Technology name.",
    "technology_slug": "Technology identifier, as used in filters.",
    "technology_category": "Technology category.",
    "vendor": "Vendor name, if known.",
    "vendor_slug": "Vendor identifier, as used in filters.",
    "other_vendors": "Further vendors the sources name for the partnership, one per line.",
    "product": "Product or programme name.",
    "status": (
        "proposed, pilot, active, suspended, ended, banned, rejected (voted down or withdrawn "
        "before it began) or not_reported (the sources do not say)."
    ),
    "status_as_of": "When a source last confirmed the status, as a partial ISO date.",
    "start_date": "Start as a partial ISO date: 2020, 2020-03 or 2020-03-05.",
    "end_date": "End as a partial ISO date.",
    "summary": "What the sources say.",
    "source_urls": "Source addresses, one per line.",
    "source_titles": "Source titles, one per line, aligned with source_urls.",
    "source_publishers": "Source publishers, one per line, aligned with source_urls.",
    "source_dates": "Source publication dates (partial ISO), one per line.",
    "source_archive_urls": "Archived copies of the sources, one per line.",
    "atlas_id": "Row id in the EFF Atlas of Surveillance, for records imported from it.",
    "attribution": "Credit owed for the record (e.g. EFF's CC BY 4.0).",
    "updated_at": "When survmap last changed the record (UTC, ISO 8601).",
}

# Columns added after the first exports: an older export, without them, still imports.
LATER_COLUMNS: tuple[str, ...] = ("other_vendors", "status_as_of")

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


LINE = "\n"
COUNTY_SEPARATOR = ";"
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


def partnership_row(partnership: Partnership | PartnershipRow) -> dict[str, str]:
    """The CSV row of one partnership, before neutralisation. Expects agency, its state and
    counties, technology, vendor and sources to be fetched already (see selectors)."""
    return dict(zip(COLUMNS, partnership_cells(partnership), strict=True))


def partnership_cells(partnership: Partnership | PartnershipRow) -> list[str]:
    """The cells of `partnership_row` in COLUMNS order (what the exports write, 100,000 rows at
    a time: no dictionary on the way)."""
    agency = partnership.agency
    counties = list(agency.counties.all())
    if len(counties) > 1:
        counties.sort(key=lambda county: county.fips)
    sources = list(partnership.sources.all())
    technology = partnership.technology
    vendor = partnership.vendor
    updated_at = partnership.updated_at
    return [
        str(partnership.pk),
        str(agency.pk),
        agency.name,
        agency.kind,
        agency.city,
        agency.state_id,
        COUNTY_SEPARATOR.join([county.fips for county in counties]),
        "; ".join([county.full_name for county in counties]),
        _number(agency.latitude),
        _number(agency.longitude),
        agency.ori,
        technology.name,
        technology.slug,
        technology.category,
        vendor.name if vendor else "",
        vendor.slug if vendor else "",
        LINE.join([other.name for other in partnership.other_vendors.all()]),
        partnership.product,
        partnership.status,
        stored_isoformat(partnership.status_as_of_date, partnership.status_as_of_precision),
        stored_isoformat(partnership.start_date, partnership.start_precision),
        stored_isoformat(partnership.end_date, partnership.end_precision),
        partnership.summary,
        LINE.join([source.url or "" for source in sources]),
        LINE.join([source.title for source in sources]),
        LINE.join([source.publisher for source in sources]),
        LINE.join([stored_isoformat(s.published_date, s.published_precision) for s in sources]),
        LINE.join([source.archive_url for source in sources]),
        partnership.atlas_id or "",
        partnership.attribution,
        updated_at.isoformat() if updated_at else "",
    ]
