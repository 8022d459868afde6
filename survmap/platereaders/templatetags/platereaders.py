"""An agency's plate-reader figures and data sharing, for the agency page (one line in its
template: `{% agency_platereaders agency %}`; its view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template

from survmap.platereaders.charts import reads_chart
from survmap.platereaders.selectors import (
    SHOWN_PER_STATE,
    observations_for_agency,
    portal_figures,
    sharing_for_agency,
)
from survmap.records.models import Agency, Technology

register = template.Library()


@register.inclusion_tag("platereaders/_agency.html")
def agency_platereaders(agency: Agency) -> dict[str, Any]:
    return {
        "agency": agency,
        "observations": list(observations_for_agency(agency)),
        "shown_per_state": SHOWN_PER_STATE,
        **sharing_for_agency(agency),
    }


@register.inclusion_tag("platereaders/_technology.html")
def technology_platereaders(technology: Technology) -> dict[str, Any]:
    rows = portal_figures(technology.pk) if technology.category == "alpr" else []
    return {
        "rows": rows,
        "chart": reads_chart(rows),
        "credits": sorted({r.attribution for r in rows} - {""}),
    }
