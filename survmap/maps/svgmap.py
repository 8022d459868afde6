"""Small server-drawn maps for region and agency pages: the counties of one state as SVG paths.

Drawn without JavaScript or tiles, so the map is there for every reader; built once per state
and kept in memory."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from survmap.geo.boundaries import Level, simplified
from survmap.geo.topology import shift_antimeridian

WIDTH = 400.0


@dataclass(frozen=True)
class Shape:
    fips: str
    name: str
    path: str


@dataclass(frozen=True)
class StateSketch:
    view_box: str
    shapes: tuple[Shape, ...]


def _rings(geometry: Any) -> list[Any]:
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        rings.append(polygon.exterior)
        rings.extend(polygon.interiors)
    return rings


def _number(tenths: int) -> str:
    """A length in tenths as SVG writes it shortest: 15 -> "1.5", -3 -> "-.3", 20 -> "2"."""
    sign, tenths = ("-", -tenths) if tenths < 0 else ("", tenths)
    whole, tenth = divmod(tenths, 10)
    return f"{sign}{whole or ''}.{tenth}" if tenth else f"{sign}{whole}"


def _ring_path(points: list[tuple[float, float]]) -> str:
    """One ring as a path to a tenth of a unit: the first point, then each step from the one
    before (a state page draws every county of the state, 120 KB of absolute points for Texas,
    and a page is compressed on every request). Steps are taken between the rounded points,
    so the rounding never drifts; repeated points are left out."""
    rounded = [(round(x * 10), round(y * 10)) for x, y in points]
    x0, y0 = rounded[0]
    steps = []
    for x, y in rounded[1:]:
        if (x, y) != (x0, y0):
            steps.append(f"{_number(x - x0)},{_number(y - y0)}")
            x0, y0 = x, y
    first = f"M{_number(rounded[0][0])},{_number(rounded[0][1])}"
    return f"{first}l{' '.join(steps)}Z" if steps else f"{first}Z"


@cache
def state_sketch(state_fips: str) -> StateSketch | None:
    """The counties of a state, projected (equirectangular, scaled at the state's latitude)."""
    data = simplified(Level.COUNTY)
    data = data[data["fips"].str.startswith(state_fips)]
    if data.empty:
        return None
    geometries = shift_antimeridian(data.geometry.values)
    xmin = min(g.bounds[0] for g in geometries)
    ymin = min(g.bounds[1] for g in geometries)
    xmax = max(g.bounds[2] for g in geometries)
    ymax = max(g.bounds[3] for g in geometries)
    squeeze = math.cos(math.radians((ymin + ymax) / 2))
    scale = WIDTH / max((xmax - xmin) * squeeze, 1e-6)
    height = (ymax - ymin) * scale
    shapes = []
    for fips, name, geometry in zip(data["fips"], data["name"], geometries, strict=True):
        parts = [
            _ring_path([((x - xmin) * squeeze * scale, (ymax - y) * scale) for x, y in ring.coords])
            for ring in _rings(geometry)
        ]
        shapes.append(Shape(fips=fips, name=name or fips, path="".join(parts)))
    return StateSketch(view_box=f"0 0 {WIDTH:.0f} {height:.0f}", shapes=tuple(shapes))
