"""A bar chart of the portals' figures, drawn on the server as SVG with presentation attributes
(no style=, no script: the page's CSP allows neither inline)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from survmap.platereaders.selectors import PortalFigures

BAR_HEIGHT = 18
LABEL_WIDTH = 230
BAR_WIDTH = 300


def reads_chart(rows: Sequence[PortalFigures], *, shown: int = 15) -> SafeString:
    """The agencies whose cameras read the most plates in the 30 days before their portal's
    update, one bar each, with the number written beside it."""
    rows = [row for row in rows if row.vehicles_30d][:shown]
    if not rows:
        return mark_safe("")
    top = max(row.vehicles_30d or 0 for row in rows)
    height = BAR_HEIGHT * len(rows) + 10
    width = LABEL_WIDTH + BAR_WIDTH + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="reads-chart-title">',
        '<title id="reads-chart-title">Plate reads in 30 days, the agencies with most</title>',
    ]
    for index, row in enumerate(rows):
        y = 5 + index * BAR_HEIGHT
        length = max(1, round(BAR_WIDTH * (row.vehicles_30d or 0) / top))
        name = escape(f"{row.agency} ({row.state})")
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="#222">{name}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{BAR_HEIGHT - 5}" '
            f'fill="#8c2d04"></rect>'
            f'<text x="{LABEL_WIDTH + length + 5}" y="{y + 13}" font-size="12" fill="#222">'
            f"{row.vehicles_30d:,}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text escaped above)
