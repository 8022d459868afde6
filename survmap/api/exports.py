"""The whole filtered set as CSV or GeoJSON, written piece by piece so that memory stays flat
however many rows there are. The download endpoints stream these pieces; releases write them to
files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from survmap.api import licensing
from survmap.geo.boundaries import Level, centroids
from survmap.records import csv_format, rows
from survmap.records.models import Agency, Partnership


def csv_lines(partnerships: QuerySet[Partnership]) -> Iterator[str]:
    """The partnerships in survmap's CSV format, as csv_format.csv_text writes every CSV."""
    return csv_format.csv_text(
        csv_format.COLUMNS,
        map(csv_format.partnership_cells, rows.partnerships_in_order(partnerships)),
    )


def agency_point(
    agency: Agency | rows.AgencyRow, county_points: dict[str, tuple[float, float]]
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
    partnership: Partnership | rows.PartnershipRow, county_points: dict[str, tuple[float, float]]
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


def feature_collection_chunks(features: Iterable[dict], credits: list[str]) -> Iterator[str]:
    """One GeoJSON FeatureCollection, credited, as text pieces: the features are written as
    they come, so a whole-set export never holds them all."""
    head = {
        "type": "FeatureCollection",
        "license": licensing.license_info(credits),
        "attribution": credits,
    }
    yield json.dumps(head)[:-1] + ', "features": ['
    separator = ""
    for feature in features:
        yield separator + json.dumps(feature)
        separator = ",\n"
    yield "]}\n"


def geojson_chunks(partnerships: QuerySet[Partnership], credits: list[str]) -> Iterator[str]:
    """One GeoJSON FeatureCollection, a Feature per partnership, as text pieces."""
    county_points = centroids(Level.COUNTY)
    features = (
        partnership_feature(partnership, county_points)
        for partnership in rows.partnerships_in_order(partnerships)
    )
    return feature_collection_chunks(features, credits)
