"""State and county outlines as GeoJSON, simplified once and cached, never per request.

The census shapefiles are NAD83 longitude/latitude (EPSG:4269); GeoJSON (RFC 7946) wants WGS84,
so the outlines are reprojected to EPSG:4326 on the way out.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from typing import Any

import geopandas as gpd
import shapely

from survmap.geo import census


class Level(StrEnum):
    STATE = "state"
    COUNTY = "county"


# Degrees. Enough detail to recognise a county on a national map, a fraction of the full size.
SIMPLIFY_TOLERANCE = {Level.STATE: 0.01, Level.COUNTY: 0.005}
COORDINATE_GRID = 0.0001


@cache
def frame(level: Level) -> gpd.GeoDataFrame:
    """The full-resolution census outlines with fips, name and state code columns, in WGS84."""
    if level == Level.STATE:
        data = gpd.read_file(census.STATE_SHAPEFILE)
        data = data.assign(fips=data["GEOID"], name=data["NAME"], state=data["STUSPS"])
    else:
        data = gpd.read_file(census.COUNTY_SHAPEFILE)
        names = {county.fips: county.full_name for county in census.counties()}
        codes = {state.fips: state.code for state in census.states()}
        data = data.assign(
            fips=data["GEOID"],
            name=data["GEOID"].map(names),
            state=data["STATEFP"].map(codes),
        )
    data = data.set_crs(census.CRS, allow_override=True).to_crs("EPSG:4326")
    return data[["fips", "name", "state", "geometry"]].sort_values("fips").reset_index(drop=True)


@cache
def simplified(level: Level) -> gpd.GeoDataFrame:
    data = frame(level).copy()
    geometry = data.geometry.simplify(SIMPLIFY_TOLERANCE[level], preserve_topology=True)
    data["geometry"] = shapely.set_precision(geometry.values, COORDINATE_GRID)
    return data


@cache
def feature_collection(level: Level) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every state or county, with fips, name and state."""
    collection: dict[str, Any] = json.loads(simplified(level).to_json(drop_id=True))
    return collection


def centroids(level: Level) -> dict[str, tuple[float, float]]:
    """Longitude and latitude of each region's representative point (always inside it)."""
    data = frame(level)
    points = data.geometry.representative_point()
    return {
        fips: (round(point.x, 5), round(point.y, 5))
        for fips, point in zip(data["fips"], points, strict=True)
    }
