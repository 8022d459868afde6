"""The map legend's research entries: "looked, none found" apart from "not researched"."""

from __future__ import annotations

LOOKED_NONE_FOUND = "Looked, none found"
NOT_RESEARCHED = "Not researched"
# A blue apart from the map's oranges and its grey for regions with nothing recorded.
LOOKED_COLOUR = "#9db8d6"


def with_research(bands: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The choropleth's legend bands, its first ('none recorded') told apart in two: nothing
    recorded and nobody reported looking, or a public check looked and found none."""
    if not bands:
        return [(NOT_RESEARCHED, ""), (LOOKED_NONE_FOUND, LOOKED_COLOUR)]
    (_label, none_colour), *rest = bands
    return [(NOT_RESEARCHED, none_colour), (LOOKED_NONE_FOUND, LOOKED_COLOUR), *rest]
