"""The map's outlines as compact TopoJSON, built once (cached on disk and in memory), never per
request.

A plain GeoJSON of the census county file is megabytes; sharing each border once (TopoJSON),
simplifying the shared arcs, quantising to a grid and dropping specks of islands brings the
county map to about 200 KB gzipped, which the first-load budget (350 KB) can afford.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import brotli
import numpy as np
import shapely
import topojson

from survmap.geo import census
from survmap.geo.boundaries import Level, frame

# Bump when the build below changes, so stale disk caches are never served.
BUILD_VERSION = 5
# Degrees; applied to shared arcs, so neighbouring counties keep a common border.
TOPO_SIMPLIFY = {Level.STATE: 0.01, Level.COUNTY: 0.01}
# A grid cell (under 0.01 degree) finer than the simplification, so nothing visible is lost.
QUANTIZATION = {Level.STATE: 30_000, Level.COUNTY: 15_000}
# Square degrees (about 5 km² at mid latitudes): smaller islands vanish at national zoom anyway.
MIN_PART_AREA = 0.0005
OBJECT_NAME = {Level.STATE: "states", Level.COUNTY: "counties"}


@dataclass(frozen=True)
class GeometryAsset:
    """A ready-to-send TopoJSON file, plain, gzipped and in brotli, with its content hash."""

    body: bytes
    gzipped: bytes
    digest: str
    # Brotli at its best quality: about a fifth smaller than gzip -9 for these outlines, and
    # sent to every browser that says "br" (all current ones).
    brotli: bytes = b""


def shift_antimeridian(geometries: np.ndarray) -> np.ndarray:
    """Move eastern-hemisphere longitudes 360° west, so the Aleutians stay one piece and Guam
    sits west of Hawaii instead of across the whole world."""

    def shift(coords: np.ndarray) -> np.ndarray:
        return np.where(coords[:, [0]] > 0, coords - [360.0, 0.0], coords)

    return shapely.transform(geometries, shift)


def _drop_specks(geometry: Any) -> Any:
    parts = list(getattr(geometry, "geoms", [geometry]))
    largest = max(parts, key=lambda part: part.area)
    kept = [part for part in parts if part is largest or part.area >= MIN_PART_AREA]
    return shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0]


def build_topology(level: Level) -> bytes:
    """Build the TopoJSON document: one object named 'states' or 'counties' whose geometries
    carry the FIPS code as id and the display name as property 'n'."""
    data = frame(level).copy()
    data["geometry"] = [_drop_specks(g) for g in shift_antimeridian(data.geometry.values)]
    if level == Level.COUNTY:
        names = {state.fips: state.code for state in census.states()}
        data["n"] = [
            f"{name}, {names[fips[:2]]}" for fips, name in zip(data.fips, data.name, strict=True)
        ]
    else:
        data["n"] = data["name"]
    data = data.set_index("fips")[["n", "geometry"]]
    topology = topojson.Topology(
        data,
        object_name=OBJECT_NAME[level],
        prequantize=False,
        toposimplify=TOPO_SIMPLIFY[level],
        topoquantize=QUANTIZATION[level],
    )
    document: dict[str, Any] = topology.to_dict()
    for geometry in document["objects"][OBJECT_NAME[level]]["geometries"]:
        # The index becomes the geometry's id; drop any duplicate the library leaves in props.
        geometry["properties"] = {"n": geometry["properties"]["n"]}
    return json.dumps(document, separators=(",", ":")).encode()


def _cache_path(level: Level) -> Path:
    source = census.COUNTY_SHAPEFILE if level == Level.COUNTY else census.STATE_SHAPEFILE
    stat = source.stat()
    key = f"{BUILD_VERSION}-{level}-{stat.st_size}-{int(stat.st_mtime)}-{topojson.__version__}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = Path(os.environ.get("SURVMAP_GEO_CACHE", Path(tempfile.gettempdir()) / "survmap-geo"))
    return folder / f"{level}-{digest}.topojson"


@cache
def geometry_asset(level: Level) -> GeometryAsset:
    """The TopoJSON for a level: read from the disk cache, or built and written there once."""
    path = _cache_path(level)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        body = build_topology(level)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, body)
    return GeometryAsset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:12],
        brotli=_brotli_beside(path, body),
    )


def _write_atomically(path: Path, data: bytes) -> None:
    # Another process building at the same time never reads half a file.
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)


def _brotli_beside(path: Path, body: bytes) -> bytes:
    """The brotli form, kept beside the TopoJSON on disk: quality 11 takes seconds, once."""
    compressed_path = path.with_name(path.name + ".br")
    try:
        return compressed_path.read_bytes()
    except FileNotFoundError:
        compressed = brotli.compress(body, quality=11)
        _write_atomically(compressed_path, compressed)
        return compressed
