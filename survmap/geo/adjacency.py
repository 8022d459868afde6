"""Which states and territories (and which counties) share a border, worked out once from the
census outlines and cached on disk and in memory (like the map's TopoJSON), never per request."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from survmap.geo import census
from survmap.geo.boundaries import Level, simplified
from survmap.geo.topology import OBJECT_NAME, geometry_asset

BUILD_VERSION = "1"
# Degrees. The cartographic outlines are generalised, so neighbours' edges need not meet
# exactly: each outline is widened by this much before looking for the other's edge.
TOLERANCE = 0.02
# Degrees of shared edge (about 10 km) below which two states only touch at a corner (the Four
# Corners), which nobody calls neighbours.
MIN_SHARED_EDGE = 0.1


def build_neighbours() -> dict[str, list[str]]:
    """State FIPS code -> FIPS codes of the states sharing a border with it."""
    data = simplified(Level.STATE)
    geometries = dict(zip(data["fips"], data.geometry, strict=True))
    widened = {fips: geometry.buffer(TOLERANCE) for fips, geometry in geometries.items()}
    index = data.sindex
    neighbours: dict[str, set[str]] = {fips: set() for fips in geometries}
    for fips, geometry in widened.items():
        for position in index.query(geometry, predicate="intersects"):
            other = data["fips"].iloc[position]
            if other == fips or other in neighbours[fips]:
                continue
            shared = geometry.intersection(geometries[other].boundary).length
            if shared >= MIN_SHARED_EDGE:
                neighbours[fips].add(other)
                neighbours[other].add(fips)
    return {fips: sorted(found) for fips, found in sorted(neighbours.items())}


def _cache_path() -> Path:
    stat = census.STATE_SHAPEFILE.stat()
    key = f"{BUILD_VERSION}-{TOLERANCE}-{MIN_SHARED_EDGE}-{stat.st_size}-{int(stat.st_mtime)}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = Path(os.environ.get("SURVMAP_GEO_CACHE", Path(tempfile.gettempdir()) / "survmap-geo"))
    return folder / f"state-neighbours-{digest}.json"


@cache
def state_neighbours() -> dict[str, list[str]]:
    """The neighbours of every state, from the disk cache or built and written there once."""
    path = _cache_path()
    try:
        found: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
        return found
    except (FileNotFoundError, ValueError):
        pass
    found = build_neighbours()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as f:
        json.dump(found, f)
    os.replace(f.name, path)
    return found


def _arc_ids(arcs: Any) -> Iterator[int]:
    """Every arc index in a TopoJSON geometry's nested arc lists (~i is arc i reversed)."""
    for item in arcs:
        if isinstance(item, int):
            yield item if item >= 0 else ~item
        else:
            yield from _arc_ids(item)


@cache
def county_neighbours() -> dict[str, list[str]]:
    """County FIPS code -> FIPS codes of the counties sharing a border with it, across state
    lines too. The map's county TopoJSON already stores each shared border once, as an arc
    both outlines use, so two counties are neighbours when they name the same arc (a corner
    alone shares no arc)."""
    document = json.loads(geometry_asset(Level.COUNTY).body)
    users: dict[int, set[str]] = {}
    for geometry in document["objects"][OBJECT_NAME[Level.COUNTY]]["geometries"]:
        for arc in _arc_ids(geometry.get("arcs", [])):
            users.setdefault(arc, set()).add(str(geometry["id"]))
    neighbours: dict[str, set[str]] = {}
    for fips_codes in users.values():
        for fips in fips_codes:
            neighbours.setdefault(fips, set()).update(fips_codes - {fips})
    return {fips: sorted(found) for fips, found in neighbours.items() if found}
