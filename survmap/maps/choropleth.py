"""What a choropleth needs besides outlines: class breaks that suit skewed counts, and names."""

from __future__ import annotations

from functools import cache

from survmap.geo import census
from survmap.geo.boundaries import Level

MAX_CLASSES = 6
# Light to dark (ColorBrewer OrRd-like); "none recorded" is a neutral grey, not the palest class.
PALETTE = ("#fde0c5", "#facba6", "#f59e72", "#e4643f", "#c03a2b", "#7f1d1d")
NONE_COLOUR = "#dfe3e8"


def class_breaks(counts: list[int], classes: int = MAX_CLASSES) -> list[int]:
    """Upper bounds of quantile classes over the non-zero counts.

    Agency counts are very skewed (most counties have one or two, a few have dozens), so a
    linear ramp would paint nearly everything pale; quantiles give each colour a share of the
    regions. Zero is not a class: the map shows it as "none recorded"."""
    values = sorted(count for count in counts if count > 0)
    if not values:
        return []
    breaks: list[int] = []
    for i in range(1, classes + 1):
        bound = values[-(-len(values) * i // classes) - 1]
        if not breaks or bound > breaks[-1]:
            breaks.append(bound)
    return breaks


def band_colours(breaks: list[int]) -> list[str]:
    """One colour per class, spread over the whole palette so that two classes never look alike
    and the top class is always the darkest."""
    if len(breaks) <= 1:
        return [PALETTE[-1]] * len(breaks)
    last = len(PALETTE) - 1
    return [PALETTE[round(i * last / (len(breaks) - 1))] for i in range(len(breaks))]


def legend_bands(breaks: list[int]) -> list[tuple[str, str]]:
    """(label, colour) per class, after "no record": '1', '2', '3 to 5'..."""
    bands = [("No record", NONE_COLOUR)]
    lower = 1
    for upper, colour in zip(breaks, band_colours(breaks), strict=True):
        bands.append((str(upper) if lower == upper else f"{lower}\u2013{upper}", colour))
        lower = upper + 1
    return bands


@cache
def region_names(level: Level) -> dict[str, str]:
    """FIPS -> display name: 'Michigan', or 'Wayne County, MI'."""
    states = census.states()
    if level == Level.STATE:
        return {state.fips: state.name for state in states}
    codes = {state.fips: state.code for state in states}
    return {
        county.fips: f"{county.full_name}, {codes[county.state_fips]}"
        for county in census.counties()
    }


def level_for_fips(fips: str) -> Level | None:
    """A two-digit code is a state, a five-digit one a county; anything else is no region."""
    if not fips.isdigit():
        return None
    return {2: Level.STATE, 5: Level.COUNTY}.get(len(fips))
