"""Share images (og:image): a PNG of a region's or a technology's map, drawn with geopandas and
matplotlib, made once per data version and kept in the cache.

Drawn on matplotlib's Agg canvas directly (no pyplot), so that concurrent requests in threads
never share a global figure."""

from __future__ import annotations

import io
import math
import os
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from survmap.common import data_version
from survmap.geo.boundaries import Level, simplified
from survmap.geo.topology import shift_antimeridian
from survmap.maps.choropleth import class_breaks
from survmap.maps.regions import region_counts
from survmap.maps.standalone import ATLAS_CREDIT, colour_for, legend_rows
from survmap.records.models import Agency

WIDTH, HEIGHT, DPI = 1200, 630, 100
CACHE_SECONDS = 24 * 60 * 60
MAX_BYTES = 150_000
INK = "#1d232a"
MUTED = "#5b6570"
BACKGROUND = "#fbfbfa"
EDGE = "#ffffff"
CURRENT_EDGE = "#1d232a"
# Insets beside the lower 48 on national maps: (state FIPS, axes rectangle in figure fractions).
INSETS = (("02", (0.40, 0.05, 0.16, 0.22)), ("15", (0.57, 0.05, 0.10, 0.14)))
# The main Hawaiian islands: the Northwestern ones would shrink them to specks.
VIEW = {"15": ((-160.5, -154.6), (18.8, 22.4))}
LOWER48_EXCLUDED = frozenset({"02", "15", "60", "66", "69", "72", "78"})


@dataclass(frozen=True)
class ShareImage:
    png: bytes
    title: str


@dataclass
class Drawing:
    """A drawn figure and the axes each region was drawn in (tests find regions by pixel)."""

    figure: Figure
    axes_by_fips: dict[str, Any]


def _shifted(data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    data = data.copy()
    data["geometry"] = shift_antimeridian(data.geometry.values)
    return data


def _draw_regions(
    ax: Any,
    data: gpd.GeoDataFrame,
    counts: dict[str, int],
    breaks: list[int],
    current: str | None = None,
) -> None:
    colours = [colour_for(counts.get(fips, 0), breaks) for fips in data["fips"]]
    data.plot(ax=ax, color=colours, edgecolor=EDGE, linewidth=0.4)
    if current is not None:
        data[data["fips"] == current].plot(
            ax=ax, facecolor="none", edgecolor=CURRENT_EDGE, linewidth=2.2
        )
    ymin, ymax = ax.get_ylim()
    # Equirectangular, with x squeezed at the middle latitude so shapes are not stretched.
    ax.set_aspect(1 / max(math.cos(math.radians((ymin + ymax) / 2)), 0.2))
    ax.set_axis_off()


def _text_panel(
    figure: Figure, title: str, lines: list[str], breaks: list[int], level: Level
) -> None:
    wrapped = textwrap.wrap(title, 22)[:3]
    y = 0.90
    for line in wrapped:
        figure.text(0.04, y, line, fontsize=30, fontweight="bold", color=INK, va="top")
        y -= 0.085
    y -= 0.03
    for line in lines:
        figure.text(0.04, y, line, fontsize=17, color=INK, va="top")
        y -= 0.06
    y -= 0.04
    figure.text(0.04, y, f"Agencies per {level}", fontsize=14, color=MUTED, va="top")
    y -= 0.055
    for colour, text in legend_rows(breaks):
        figure.patches.append(
            Rectangle(
                (0.04, y - 0.032),
                0.022,
                0.036,
                transform=figure.transFigure,
                facecolor=colour,
                edgecolor="#8c959f",
                linewidth=0.8,
                figure=figure,
            )
        )
        figure.text(0.07, y, text, fontsize=14, color=INK, va="top")
        y -= 0.05
    figure.text(0.04, 0.06, "survmap", fontsize=20, fontweight="bold", color="#8a1c1c")
    figure.text(
        0.04,
        0.025,
        f"Data: {ATLAS_CREDIT} (CC BY 4.0) and others; US Census Bureau",
        fontsize=10,
        color=MUTED,
    )


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    return figure


def draw_state(
    state_fips: str, title: str, counts: dict[str, int], agencies: int, current: str | None = None
) -> Drawing:
    """The counties of a state (with `current` outlined), coloured by agencies per county."""
    data = _shifted(simplified(Level.COUNTY))
    data = data[data["fips"].str.startswith(state_fips)]
    breaks = class_breaks(list(counts.values()))
    figure = _figure()
    ax = figure.add_axes((0.36, 0.03, 0.62, 0.94))
    _draw_regions(ax, data, counts, breaks, current)
    lines = [
        f"{agencies:,} agenc{'y' if agencies == 1 else 'ies'} with sourced",
        "surveillance partnerships",
    ]
    _text_panel(figure, title, lines, breaks, Level.COUNTY)
    return Drawing(figure, {fips: ax for fips in data["fips"]})


def draw_nation(title: str, counts: dict[str, int], agencies: int) -> Drawing:
    """States coloured by agencies per state: the lower 48, with Alaska and Hawaii inset."""
    data = _shifted(simplified(Level.STATE))
    breaks = class_breaks(list(counts.values()))
    figure = _figure()
    main = figure.add_axes((0.36, 0.22, 0.62, 0.76))
    _draw_regions(main, data[~data["fips"].isin(LOWER48_EXCLUDED)], counts, breaks)
    axes_by_fips = {fips: main for fips in data["fips"] if fips not in LOWER48_EXCLUDED}
    for fips, rect in INSETS:
        ax = figure.add_axes((rect[0] + 0.0, rect[1], rect[2], rect[3]))
        if fips in VIEW:
            ax.set_xlim(*VIEW[fips][0])
            ax.set_ylim(*VIEW[fips][1])
        _draw_regions(ax, data[data["fips"] == fips], counts, breaks)
        axes_by_fips[fips] = ax
    lines = [
        f"{agencies:,} agenc{'y' if agencies == 1 else 'ies'} with sourced",
        "partnerships, in the US",
    ]
    _text_panel(figure, title, lines, breaks, Level.STATE)
    return Drawing(figure, axes_by_fips)


def to_png(drawing: Drawing, title: str) -> bytes:
    """The figure as an optimised palette PNG (flat colours: well under the 150 KB budget)."""
    buffer = io.BytesIO()
    drawing.figure.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    quantised = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    info = PngInfo()
    info.add_text("Title", title)
    info.add_text("Software", "survmap")
    quantised.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def _agencies(partnerships: QuerySet) -> int:
    return Agency.objects.filter(pk__in=partnerships.values("agency_id")).distinct().count()


def _cached(key: str, make: Any) -> ShareImage:
    """The image of this data version: from SURVMAP_SHARE_IMAGE_DIR when it is set (files every
    worker and every restart share, whatever the cache), else from the cache (shared with
    REDIS_URL). Drawn at most once per version and store."""
    version = data_version.current().token
    folder = getattr(settings, "SURVMAP_SHARE_IMAGE_DIR", "")
    if folder:
        return _stored(Path(folder) / version / f"{key.replace(':', '-')}.png", make)
    full_key = f"survmap:share:{version}:{key}"
    image: ShareImage | None = cache.get(full_key)
    if image is None:
        image = make()
        cache.set(full_key, image, CACHE_SECONDS)
    return image


def _stored(path: Path, make: Any) -> ShareImage:
    try:
        png = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        # The title is in the PNG's own text chunk (to_png writes it).
        text: dict[str, str] = getattr(Image.open(io.BytesIO(png)), "text", {})
        return ShareImage(png=png, title=text.get("Title", ""))
    image: ShareImage = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: a reader never gets half a file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(image.png)
    os.replace(temporary, path)
    return image


def region_image(fips: str, name: str, partnerships: QuerySet) -> ShareImage:
    """A state's or a county's share image; `partnerships` are the state's public ones."""

    def make() -> ShareImage:
        counts = region_counts(partnerships, Level.COUNTY)
        mine = partnerships.filter(agency__counties__fips=fips) if len(fips) == 5 else partnerships
        drawing = draw_state(
            fips[:2], name, counts, _agencies(mine), current=fips if len(fips) == 5 else None
        )
        return ShareImage(png=to_png(drawing, name), title=name)

    return _cached(f"region:{fips}", make)


def technology_image(slug: str, name: str, partnerships: QuerySet) -> ShareImage:
    def make() -> ShareImage:
        counts = region_counts(partnerships, Level.STATE)
        drawing = draw_nation(name, counts, _agencies(partnerships))
        return ShareImage(png=to_png(drawing, name), title=name)

    return _cached(f"technology:{slug}", make)
