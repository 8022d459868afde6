"""The whole filtered set as CSV or GeoJSON, written piece by piece so that memory stays flat
however many rows there are. The download endpoints stream these pieces; releases write them to
files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from survmap.api import licensing
from survmap.geo.boundaries import Level, centroids
from survmap.records import csv_format
from survmap.records.models import Agency, Partnership

CHUNK_SIZE = 2_000
BOM = "\ufeff"


class _Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _rows(partnerships: Iterable[Partnership]) -> Iterator[Partnership]:
    # iterator(chunk_size) keeps prefetch_related working (Django 5) without loading every row.
    if hasattr(partnerships, "iterator"):
        yield from partnerships.iterator(chunk_size=CHUNK_SIZE)
    else:
        yield from partnerships


def csv_lines(partnerships: Iterable[Partnership]) -> Iterator[str]:
    """UTF-8 CSV text with a byte-order mark (so Excel reads it as UTF-8), every cell
    neutralised against formula injection."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(csv_format.COLUMNS)
    for partnership in _rows(partnerships):
        row = csv_format.partnership_row(partnership)
        yield writer.writerow([csv_format.neutralize_cell(row[name]) for name in csv_format.COLUMNS])


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


def geojson_chunks(partnerships: Iterable[Partnership], credits: list[str]) -> Iterator[str]:
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
