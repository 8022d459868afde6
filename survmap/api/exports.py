"""The whole filtered set as CSV or GeoJSON, written piece by piece so that memory stays flat
however many rows there are. The download endpoints stream these pieces; releases write them to
files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet

from survmap.api import licensing
from survmap.common.dates import PartialDate
from survmap.geo.boundaries import Level, centroids
from survmap.records import csv_format
from survmap.records.models import Agency, Partnership, Technology, Vendor

CHUNK_SIZE = 5_000
LINES_PER_PIECE = 500
BOM = "\ufeff"


class _Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


class _Related(list):
    """A list that answers `.all()`, as a prefetched related manager does."""

    def all(self) -> _Related:
        return self


@dataclass(slots=True)
class _Agency:
    pk: int
    name: str
    kind: str
    city: str
    state_id: str
    latitude: float | None
    longitude: float | None
    ori: str
    counties: _Related


@dataclass(slots=True)
class _County:
    fips: str
    full_name: str


@dataclass(slots=True)
class _Named:
    name: str
    slug: str
    category: str = ""


@dataclass(slots=True)
class _Source:
    url: str | None
    title: str
    publisher: str
    published: PartialDate | None
    archive_url: str


@dataclass(slots=True)
class _Partnership:
    pk: int
    agency: _Agency
    technology: _Named
    vendor: _Named | None
    product: str
    status: str
    start: PartialDate | None
    end: PartialDate | None
    summary: str
    sources: _Related
    atlas_id: str | None
    attribution: str
    updated_at: dt.datetime | None


_FIELDS = (
    "pk",
    "agency_id",
    "technology_id",
    "vendor_id",
    "product",
    "status",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "summary",
    "atlas_id",
    "attribution",
    "updated_at",
)


def _rows(partnerships: QuerySet[Partnership]) -> Iterator[Partnership]:
    """The partnerships in id order, a chunk at a time, as light objects with exactly what
    `csv_format.partnership_row` reads. Model instances (seven or more per row, with their
    related managers) cost about a millisecond a row; tuples cost a few microseconds, so the
    whole set streams in seconds in constant memory. The row format itself stays defined once,
    in csv_format (tests check that both paths give the same rows)."""
    technologies = {t.pk: _Named(t.name, t.slug, t.category) for t in Technology.objects.all()}
    vendors = {v.pk: _Named(v.name, v.slug) for v in Vendor.objects.all()}
    agencies: dict[int, _Agency] = {}
    base = partnerships.order_by("pk").values_list(*_FIELDS)
    last = 0
    while True:
        chunk = list(base.filter(pk__gt=last)[:CHUNK_SIZE])
        if not chunk:
            return
        last = chunk[-1][0]
        agencies = _agencies({row[1] for row in chunk}, agencies)
        sources = _sources(chunk[0][0], last)
        for row in chunk:
            (pk, agency_id, technology_id, vendor_id, product, status, start_date,
             start_precision, end_date, end_precision, summary, atlas_id, attribution,
             updated_at) = row  # fmt: skip
            light = _Partnership(
                pk=pk,
                agency=agencies[agency_id],
                technology=technologies[technology_id],
                vendor=vendors.get(vendor_id) if vendor_id else None,
                product=product,
                status=status,
                start=PartialDate.from_stored(start_date, start_precision),
                end=PartialDate.from_stored(end_date, end_precision),
                summary=summary,
                sources=sources.get(pk, _Related()),
                atlas_id=atlas_id,
                attribution=attribution,
                updated_at=updated_at,
            )
            # partnership_row only reads attributes; the light object has every one it reads.
            yield cast(Partnership, light)


def _agencies(ids: set[int], known: dict[int, _Agency]) -> dict[int, _Agency]:
    """The agencies with these ids, fetching only those not already in `known` (which this
    adds them to): an agency usually has several partnerships spread over the whole set, and
    Django's cost per id parameter outweighs the query itself. Bounded by the number of
    agencies, not of partnerships."""
    missing = ids - known.keys()
    if missing:
        rows = Agency.objects.filter(pk__in=missing).values_list(
            "pk", "name", "kind", "city", "state_id", "latitude", "longitude", "ori"
        )
        for pk, name, kind, city, state, lat, lon, ori in rows:
            known[pk] = _Agency(pk, name, kind, city, state, lat, lon, ori, _Related())
        links = Agency.counties.through.objects.filter(agency_id__in=missing).values_list(
            "agency_id", "county__fips", "county__full_name"
        )
        for agency_id, fips, full_name in links:
            known[agency_id].counties.append(_County(fips, full_name))
    return known


def _sources(first: int, last: int) -> dict[int, _Related]:
    """The sources of the partnerships with ids in [first, last], in the order the selector
    gives them (published, then id). A range, not a list of ids: cheaper to send, and a row
    that the filters left out is simply never asked for."""
    found: dict[int, _Related] = {}
    links = (
        Partnership.sources.through.objects.filter(
            partnership_id__gte=first, partnership_id__lte=last
        )
        .order_by("source__published_date", "source_id")
        .values_list(
            "partnership_id",
            "source__url",
            "source__title",
            "source__publisher",
            "source__published_date",
            "source__published_precision",
            "source__archive_url",
        )
    )
    for pk, url, title, publisher, published, precision, archive_url in links:
        found.setdefault(pk, _Related()).append(
            _Source(
                url, title, publisher, PartialDate.from_stored(published, precision), archive_url
            )
        )
    return found


# Only a cell that starts with one of these can need neutralising (or carry an apostrophe that
# neutralize_cell accounts for); the rest are returned unchanged without the call.
_NEEDS_CHECK = frozenset("=+-@\t\r'")


def csv_lines(partnerships: QuerySet[Partnership]) -> Iterator[str]:
    """UTF-8 CSV text with a byte-order mark (so Excel reads it as UTF-8), every cell
    neutralised against formula injection."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(csv_format.COLUMNS)
    lines: list[str] = []
    for partnership in _rows(partnerships):
        row = csv_format.partnership_row(partnership)
        cells = [row[name] for name in csv_format.COLUMNS]
        lines.append(
            writer.writerow(
                [
                    csv_format.neutralize_cell(cell) if cell and cell[0] in _NEEDS_CHECK else cell
                    for cell in cells
                ]
            )
        )
        # A few hundred rows a piece: a piece per row costs the server a write per row.
        if len(lines) >= LINES_PER_PIECE:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def agency_point(
    agency: Agency, county_points: dict[str, tuple[float, float]]
) -> tuple[dict[str, Any] | None, str | None]:
    """RFC 7946 Point at the agency, else at its first county's representative point."""
    if agency.latitude is not None and agency.longitude is not None:
        return {"type": "Point", "coordinates": [agency.longitude, agency.latitude]}, "agency"
    for county in sorted(agency.counties.all(), key=lambda county: county.fips):
        point = county_points.get(county.fips)
        if point is not None:
            return {"type": "Point", "coordinates": [point[0], point[1]]}, "county_centroid"
    return None, None


def partnership_feature(
    partnership: Partnership, county_points: dict[str, tuple[float, float]]
) -> dict[str, Any]:
    geometry, location_source = agency_point(partnership.agency, county_points)
    properties: dict[str, Any] = dict(csv_format.partnership_row(partnership))
    properties["location_source"] = location_source
    return {
        "type": "Feature",
        "id": partnership.pk,
        "geometry": geometry,
        "properties": properties,
    }


def geojson_chunks(partnerships: QuerySet[Partnership], credits: list[str]) -> Iterator[str]:
    """One GeoJSON FeatureCollection, a Feature per partnership, as text pieces."""
    county_points = centroids(Level.COUNTY)
    head = {
        "type": "FeatureCollection",
        "license": licensing.license_info(credits),
        "attribution": credits,
    }
    yield json.dumps(head)[:-1] + ', "features": ['
    separator = ""
    for partnership in _rows(partnerships):
        yield separator + json.dumps(partnership_feature(partnership, county_points))
        separator = ",\n"
    yield "]}\n"
