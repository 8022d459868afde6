"""A partnership's public columns, declared once: what each is called, what it means, its CSV
heading and cell, the API keys it gives and the partnership fields it is made of.

Everything that lists a partnership's public values reads this table by name: the CSV export and
import (`csv_format`), the data dictionary of a release, the light rows of the API and the exports
(`rows`, which fetch the `stored` fields) and the fast serializer's plain fields
(`api.serializers`). A new public field of Partnership is one row here (plus the model, the plan,
the parsers that supply it and the template that shows it).

A CSV cell is an expression over the partnership `p` (a model instance or a light row: both
carry the same attribute names) and the names `csv_format` gives it (`agency`, `technology`,
`vendor`, `counties` by FIPS, `sources`, `iso` for a partial date, `number`, `LINE`,
`COUNTY_SEPARATOR`); csv_format compiles them into one function, since the exports call it for
every row and a call per cell would cost a fifth more.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Cells that hold several values keep one per line, aligned across the source_* columns;
# county FIPS codes are separated by ';'.
LINE = "\n"
COUNTY_SEPARATOR = ";"


class ApiValue(StrEnum):
    """How the API writes a value (the serializers' converters, by kind)."""

    PLAIN = "plain"  # as stored
    DATE = "date"  # an ISO date, or null
    PARTIAL = "partial"  # a partial date to its precision ('2020', '2020-03', a day), or null
    DATETIME = "datetime"  # UTC ISO 8601 with 'Z', as DRF writes it
    DECIMAL = "decimal"  # a Decimal (an amount) as text, as DRF's DecimalField writes it
    OWN = "own"  # written by the serializer itself: the id, related records and lists


@dataclass(frozen=True)
class Column:
    name: str  # the column's name: its CSV heading where it has one
    label: str  # a short name for people
    help: str  # what it holds (the data dictionary)
    # Its CSV cell, a Python expression over the partnership `p` and what CSV_NAMES gives
    # (csv_format compiles them into one function); None: not in the CSV.
    csv: str | None = None
    api: tuple[tuple[str, ApiValue], ...] = ()  # the API keys it gives, in order
    stored: tuple[str, ...] = ()  # Partnership's own fields it reads (the light rows fetch them)
    since: str = ""  # the month the exports gained it; older files lack it and still import


_PLAIN = ApiValue.PLAIN
_OWN = ApiValue.OWN

PARTNERSHIP_COLUMNS: tuple[Column, ...] = (
    Column(
        "partnership_id",
        "Partnership",
        "survmap's stable id of the partnership.",
        csv="str(p.pk)",
        api=(("id", _OWN),),
    ),
    Column(
        "agency_id",
        "Agency id",
        "survmap's stable id of the agency.",
        csv="str(agency.pk)",
        api=(("agency", _OWN),),
    ),
    Column("agency", "Agency", "Agency name.", csv="agency.name"),
    Column(
        "agency_kind",
        "Kind of agency",
        "police, sheriff, state_police, federal, university, school or other.",
        csv="agency.kind",
    ),
    Column("city", "City", "City or town the agency is based in.", csv="agency.city"),
    Column(
        "state",
        "State",
        "USPS code of the state or territory.",
        csv="agency.state_id",
    ),
    Column(
        "county_fips",
        "County FIPS codes",
        "Five-digit census FIPS codes of the counties served, separated by ';'.",
        csv="COUNTY_SEPARATOR.join([county.fips for county in counties])",
    ),
    Column(
        "counties",
        "Counties",
        "Names of those counties, separated by '; '.",
        csv="'; '.join([county.full_name for county in counties])",
    ),
    Column(
        "latitude",
        "Latitude",
        "Agency latitude (WGS84), if known.",
        csv="number(agency.latitude)",
    ),
    Column(
        "longitude",
        "Longitude",
        "Agency longitude (WGS84), if known.",
        csv="number(agency.longitude)",
    ),
    Column(
        "ori",
        "ORI",
        "FBI Originating Agency Identifier, if known.",
        csv="agency.ori",
    ),
    Column(
        "technology",
        "Technology",
        "Technology name.",
        csv="technology.name",
        api=(("technology", _OWN),),
    ),
    Column(
        "technology_slug",
        "Technology identifier",
        "Technology identifier, as used in filters.",
        csv="technology.slug",
    ),
    Column(
        "technology_category",
        "Technology category",
        "Technology category.",
        csv="technology.category",
    ),
    Column(
        "vendor",
        "Vendor",
        "Vendor name, if known.",
        csv="vendor.name if vendor else ''",
        api=(("vendor", _OWN),),
    ),
    Column(
        "vendor_slug",
        "Vendor identifier",
        "Vendor identifier, as used in filters.",
        csv="vendor.slug if vendor else ''",
    ),
    Column(
        "other_vendors",
        "Other vendors",
        "Further vendors the sources name for the partnership, one per line.",
        csv="LINE.join([other.name for other in p.other_vendors.all()])",
        api=(("other_vendors", _OWN),),
        since="2026-12",
    ),
    Column(
        "product",
        "Product",
        "Product or programme name.",
        csv="p.product",
        api=(("product", _PLAIN),),
        stored=("product",),
    ),
    Column(
        "status",
        "Status",
        "proposed, pilot, active, suspended, ended, banned, rejected (voted down or withdrawn "
        "before it began) or not_reported (the sources do not say).",
        csv="p.status",
        api=(("status", _PLAIN),),
        stored=("status",),
    ),
    Column(
        "status_label",
        "Status as shown",
        "The status as survmap shows it: what the sources said and as of when ('Reported "
        "active, as of October 2020'), with the whole years since a source last confirmed it "
        "(null: no dated source); a standing status older than SURVMAP_STATUS_STALE_YEARS reads "
        "as not confirmed.",
        api=(("status_label", _OWN), ("confirmed_age_years", _OWN)),
        since="2026-12",
    ),
    Column(
        "status_as_of",
        "Last confirmed",
        "When a source last confirmed the status, as a partial ISO date.",
        csv="iso(p.status_as_of_date, p.status_as_of_precision)",
        api=(
            ("status_as_of", ApiValue.PARTIAL),
            ("status_as_of_date", ApiValue.DATE),
            ("status_as_of_precision", _PLAIN),
        ),
        stored=("status_as_of_date", "status_as_of_precision"),
        since="2026-12",
    ),
    Column(
        "start_date",
        "Start",
        "Start as a partial ISO date: 2020, 2020-03 or 2020-03-05.",
        csv="iso(p.start_date, p.start_precision)",
        api=(
            ("start", ApiValue.PARTIAL),
            ("start_date", ApiValue.DATE),
            ("start_precision", _PLAIN),
        ),
        stored=("start_date", "start_precision"),
    ),
    Column(
        "end_date",
        "End",
        "End as a partial ISO date.",
        csv="iso(p.end_date, p.end_precision)",
        api=(
            ("end", ApiValue.PARTIAL),
            ("end_date", ApiValue.DATE),
            ("end_precision", _PLAIN),
        ),
        stored=("end_date", "end_precision"),
    ),
    Column(
        "summary",
        "Summary",
        "What the sources say.",
        csv="p.summary",
        api=(("summary", _PLAIN),),
        stored=("summary",),
    ),
    Column(
        "source_urls",
        "Sources",
        "Source addresses, one per line.",
        csv="LINE.join([source.url or '' for source in sources])",
        api=(("sources", _OWN),),
    ),
    Column(
        "source_titles",
        "Source titles",
        "Source titles, one per line, aligned with source_urls.",
        csv="LINE.join([source.title for source in sources])",
    ),
    Column(
        "source_publishers",
        "Source publishers",
        "Source publishers, one per line, aligned with source_urls.",
        csv="LINE.join([source.publisher for source in sources])",
    ),
    Column(
        "source_dates",
        "Source dates",
        "Source publication dates (partial ISO), one per line.",
        csv=(
            "LINE.join([iso(source.published_date, source.published_precision)"
            " for source in sources])"
        ),
    ),
    Column(
        "source_archive_urls",
        "Archived copies",
        "Archived copies of the sources, one per line.",
        csv="LINE.join([source.archive_url for source in sources])",
    ),
    Column(
        "atlas_id",
        "Atlas row",
        "Row id in the EFF Atlas of Surveillance, for records imported from it.",
        csv="p.atlas_id or ''",
        api=(("atlas_id", _PLAIN),),
        stored=("atlas_id",),
    ),
    Column(
        "attribution",
        "Credit",
        "Credit owed for the record (e.g. EFF's CC BY 4.0).",
        csv="p.attribution",
        api=(("attribution", _PLAIN),),
        stored=("attribution",),
    ),
    Column(
        "created_at",
        "Created",
        "When survmap first recorded the partnership (UTC, ISO 8601).",
        api=(("created_at", ApiValue.DATETIME),),
    ),
    Column(
        "updated_at",
        "Updated",
        "When survmap last changed the record (UTC, ISO 8601).",
        csv="p.updated_at.isoformat() if p.updated_at else ''",
        api=(("updated_at", ApiValue.DATETIME),),
        stored=("updated_at",),
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {column.name: column for column in PARTNERSHIP_COLUMNS}
# The partnership fields the light rows fetch besides their keys, in the table's order.
STORED_FIELDS: tuple[str, ...] = tuple(
    name for column in PARTNERSHIP_COLUMNS for name in column.stored
)
# The API's keys for a partnership, in order, with how each is written.
API_FIELDS: tuple[tuple[str, ApiValue], ...] = tuple(
    entry for column in PARTNERSHIP_COLUMNS for entry in column.api
)
