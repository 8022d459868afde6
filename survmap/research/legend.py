"""The map legend's research entries: "looked, none found" apart from "no record"."""

from __future__ import annotations

LOOKED_NONE_FOUND = "Looked, none found"
# Nothing recorded for the filters: not proof of nothing, and not a claim that nobody looked.
NO_RECORD = "No record"
# An agency no published check covers (the research pages' coverage table).
NOT_RESEARCHED = "Not researched"
# A blue apart from the map's oranges and its grey for regions with nothing recorded.
LOOKED_COLOUR = "#9db8d6"


def with_research(bands: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The choropleth's legend bands, its first ('no record') told apart in two: nothing
    recorded and no published check, or a public check looked and found none."""
    if not bands:
        return [(NO_RECORD, ""), (LOOKED_NONE_FOUND, LOOKED_COLOUR)]
    (_label, none_colour), *rest = bands
    return [(NO_RECORD, none_colour), (LOOKED_NONE_FOUND, LOOKED_COLOUR), *rest]
