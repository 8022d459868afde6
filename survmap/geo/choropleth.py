"""What a choropleth needs besides outlines: class breaks that suit skewed counts, and names."""

from __future__ import annotations

from functools import cache

from survmap.geo import census
from survmap.geo.boundaries import Level

MAX_CLASSES = 6


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
