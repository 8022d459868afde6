"""Partnerships over time: how many started and how many ended each year, by technology, counted
in one aggregate query and drawn on the server as plain SVG (no chart script), with the same
numbers as a table.

The drawing uses SVG presentation attributes (fill, x, y...), never style="", so it passes the
site's CSP, which forbids inline styles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from survmap.common import data_version

CACHE_SECONDS = 24 * 60 * 60
# Technologies drawn in a colour of their own; the rest share "Other technologies".
MAX_SERIES = 5
# Okabe-Ito: told apart with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
OTHER_COLOUR = "#7f8891"
OTHER = "Other technologies"

WIDTH = 560
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 30, 22
MAX_BAR = 40
# Room under the line to say "none ended" when nothing did.
ENDED_STRIP = 24


@dataclass
class Series:
    name: str
    colour: str
    started: dict[int, int] = field(default_factory=dict)
    ended: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.started.values()) + sum(self.ended.values())


@dataclass
class TimelineData:
    years: list[int]
    series: list[Series]
    undated: int  # partnerships with no start date, drawn nowhere, said in the caption

    def started(self, year: int) -> int:
        return sum(s.started.get(year, 0) for s in self.series)

    def ended(self, year: int) -> int:
        return sum(s.ended.get(year, 0) for s in self.series)


def count_by_year(partnerships: QuerySet) -> TimelineData:
    """One aggregate query: partnerships per (technology, start year, end year)."""
    rows = (
        partnerships.order_by()
        .values(
            "technology__name",
            started=ExtractYear("start_date"),
            ended=ExtractYear("end_date"),
        )
        # Each partnership is one row in every scope used (one county at most is joined), so a
        # plain count, cheaper than a DISTINCT one.
        .annotate(n=Count("pk"))
    )
    by_name: dict[str, Series] = {}
    undated = 0
    for row in rows:
        series = by_name.setdefault(row["technology__name"], Series(row["technology__name"], ""))
        if row["started"] is None:
            undated += row["n"]
        else:
            series.started[row["started"]] = series.started.get(row["started"], 0) + row["n"]
        if row["ended"] is not None:
            series.ended[row["ended"]] = series.ended.get(row["ended"], 0) + row["n"]
    ranked = sorted(by_name.values(), key=lambda s: (-s.total, s.name))
    ranked = [s for s in ranked if s.total]
    shown = ranked if len(ranked) <= MAX_SERIES + 1 else ranked[:MAX_SERIES]
    rest = ranked[len(shown) :]
    for i, series in enumerate(shown):
        series.colour = COLOURS[i % len(COLOURS)] if i < len(COLOURS) else OTHER_COLOUR
    if rest:
        other = Series(OTHER, OTHER_COLOUR)
        for series in rest:
            for year, n in series.started.items():
                other.started[year] = other.started.get(year, 0) + n
            for year, n in series.ended.items():
                other.ended[year] = other.ended.get(year, 0) + n
        shown.append(other)
    years_seen = {y for s in shown for y in (*s.started, *s.ended)}
    years = list(range(min(years_seen), max(years_seen) + 1)) if years_seen else []
    return TimelineData(years=years, series=shown, undated=undated)


def _nice_ceiling(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return -(-value // step) * step
    return value


def draw(data: TimelineData) -> dict[str, Any]:
    """Coordinates for the template: bars stacked up from the middle line for partnerships
    started, down for those ended, one column per year."""
    if not data.years:
        return {"empty": True}
    # One scale for both directions (a bar's height is its count), each half as tall as it needs.
    most_started = max(data.started(y) for y in data.years)
    most_ended = max(data.ended(y) for y in data.years)
    top = _nice_ceiling(most_started or 1)
    bottom = _nice_ceiling(most_ended) if most_ended else 0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM - (0 if bottom else ENDED_STRIP)
    unit = plot_h / (top + bottom)
    middle = TOP + top * unit
    column = plot_w / len(data.years)
    bar_w = min(max(column * 0.7, 1.0), MAX_BAR)
    bars = []
    for i, year in enumerate(data.years):
        x = LEFT + i * column + (column - bar_w) / 2
        up = down = 0.0
        for series in data.series:
            n = series.started.get(year, 0)
            if n:
                bars.append(
                    _bar(x, middle - (up + n) * unit, bar_w, n * unit, series, year, n, "started")
                )
                up += n
            n = series.ended.get(year, 0)
            if n:
                bars.append(
                    _bar(x, middle + down * unit, bar_w, n * unit, series, year, n, "ended")
                )
                down += n
    every = 1 if len(data.years) <= 12 else 2 if len(data.years) <= 24 else 5
    year_labels = [
        {"x": round(LEFT + (i + 0.5) * column, 1), "text": str(year)}
        for i, year in enumerate(data.years)
        if (year - data.years[0]) % every == 0
    ]
    legend = [{"colour": s.colour, "name": s.name} for s in data.series]
    return {
        "empty": False,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "middle": round(middle, 1),
        "top_y": TOP,
        "bottom_y": round(middle + bottom * unit, 1),
        "label_y": HEIGHT - 6,
        "top": top,
        "bottom": bottom,
        # A short lower half has no room for its own tick beside the 0.
        "bottom_tick": bottom * unit >= 14,
        "bars": bars,
        "year_labels": year_labels,
        "legend": legend,
        "rows": [
            {
                "year": year,
                "started": data.started(year),
                "ended": data.ended(year),
                "by_technology": [
                    (s.name, s.started.get(year, 0), s.ended.get(year, 0))
                    for s in data.series
                    if s.started.get(year, 0) or s.ended.get(year, 0)
                ],
            }
            for year in data.years
        ],
        "total_started": sum(data.started(y) for y in data.years),
        "total_ended": sum(data.ended(y) for y in data.years),
        "undated": data.undated,
        "first": data.years[0],
        "last": data.years[-1],
    }


def _bar(
    x: float, y: float, w: float, h: float, series: Series, year: int, n: int, kind: str
) -> dict[str, Any]:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "w": round(w, 1),
        "h": round(max(h, 0.5), 1),
        "fill": series.colour,
        "opacity": "1" if kind == "started" else "0.55",
        "title": f"{year}: {n} {series.name} {kind}",
    }


def timeline(scope: str, partnerships: QuerySet) -> dict[str, Any]:
    """The drawn timeline of these partnerships, cached per data version under `scope` (a key
    naming the set: 'technology:ring', 'region:26', 'map:<filters>')."""
    key = data_version.cache_key("timeline", scope)
    drawn: dict[str, Any] | None = cache.get(key)
    if drawn is None:
        drawn = draw(count_by_year(partnerships))
        drawn["today"] = dt.date.today().isoformat()
        cache.set(key, drawn, CACHE_SECONDS)
    return drawn
