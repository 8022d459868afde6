"""US Census 2016 cartographic boundaries, as shipped in the plotly-geo package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import _plotly_geo
import pyogrio

# The shapefiles carry no .prj: they are NAD83 longitude/latitude.
CRS = "EPSG:4269"

PACKAGE_DATA = Path(_plotly_geo.__file__).resolve().parent / "package_data"
STATE_SHAPEFILE = PACKAGE_DATA / "cb_2016_us_state_500k.shp"
COUNTY_SHAPEFILE = PACKAGE_DATA / "cb_2016_us_county_500k.shp"

# Census legal/statistical area description codes, as the county shapefile's LSAD column uses them.
LSAD_SUFFIX = {
    "00": "",
    "03": "City and Borough",
    "04": "Borough",
    "05": "Census Area",
    "06": "County",
    "07": "District",
    "10": "Island",
    "12": "Municipality",
    "13": "Municipio",
    "15": "Parish",
    "25": "city",
}


@dataclass(frozen=True)
class CensusState:
    fips: str
    code: str
    name: str


@dataclass(frozen=True)
class CensusCounty:
    fips: str
    state_fips: str
    name: str
    full_name: str


@cache
def states() -> tuple[CensusState, ...]:
    frame = pyogrio.read_dataframe(STATE_SHAPEFILE, read_geometry=False, encoding="utf-8")
    rows = [
        CensusState(fips=row.STATEFP, code=row.STUSPS, name=row.NAME)
        for row in frame.itertuples(index=False)
    ]
    return tuple(sorted(rows, key=lambda state: state.fips))


@cache
def counties() -> tuple[CensusCounty, ...]:
    # The files hold UTF-8 but ship no .cpg, so GDAL would guess Latin-1: 'DoÃ±a Ana'.
    frame = pyogrio.read_dataframe(COUNTY_SHAPEFILE, read_geometry=False, encoding="utf-8")
    rows = []
    for row in frame.itertuples(index=False):
        suffix = LSAD_SUFFIX.get(row.LSAD, "")
        full_name = f"{row.NAME} {suffix}".strip()
        rows.append(
            CensusCounty(fips=row.GEOID, state_fips=row.STATEFP, name=row.NAME, full_name=full_name)
        )
    return tuple(sorted(rows, key=lambda county: county.fips))


def load_into(state_model: Any, county_model: Any) -> None:
    """Fill the State and County tables (real or migration-state models); rows already there
    are left alone, so this is safe to run again."""
    if county_model.objects.count() == len(counties()):
        return
    by_fips = {state.fips: state for state in states()}
    state_model.objects.bulk_create(
        [state_model(code=s.code, fips=s.fips, name=s.name) for s in by_fips.values()],
        ignore_conflicts=True,
    )
    county_model.objects.bulk_create(
        [
            county_model(
                fips=c.fips,
                state_id=by_fips[c.state_fips].code,
                name=c.name,
                full_name=c.full_name,
            )
            for c in counties()
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
