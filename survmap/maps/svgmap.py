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
        parts = []
        for ring in _rings(geometry):
            points = " ".join(
                f"{(x - xmin) * squeeze * scale:.1f},{(ymax - y) * scale:.1f}"
                for x, y in ring.coords
            )
            parts.append(f"M{points}Z")
        shapes.append(Shape(fips=fips, name=name or fips, path="".join(parts)))
    return StateSketch(view_box=f"0 0 {WIDTH:.0f} {height:.0f}", shapes=tuple(shapes))
