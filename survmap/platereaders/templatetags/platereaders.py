"""An agency's plate-reader figures and data sharing, for the agency page (one line in its
template: `{% agency_platereaders agency %}`; its view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

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
    sharing = sharing_for_agency(agency)
    # Each named agency's address from one reversed pattern: a page lists up to a few
    # thousand (Pittsboro IN PD), and a `{% url %}` each was most of its time.
    marker = 987654321
    head, tail = reverse("web:agency", kwargs={"pk": marker}).split(str(marker))
    for side in ("searched_by", "searches"):
        sharing[side] = [
            {
                "state": group.state,
                "count": group.count,
                "more": group.more,
                # The names as list items, each escaped (format_html), in one string.
                "items": format_html_join(
                    "",
                    "{}",
                    (
                        (
                            format_html(
                                '<li><a href="{}{}{}">{}</a></li>',
                                head,
                                party["agency_id"],
                                tail,
                                party["name"],
                            )
                            if party["agency_id"]
                            else format_html("<li>{}</li>", party["name"]),
                        )
                        for party in group.parties
                    ),
                ),
            }
            for group in sharing[side]
        ]
    return {
        "agency": agency,
        "observations": list(observations_for_agency(agency)),
        "shown_per_state": SHOWN_PER_STATE,
        "sharing_list_url": reverse("api:sharing-list"),
        **sharing,
    }


@register.inclusion_tag("platereaders/_technology.html")
def technology_platereaders(technology: Technology) -> dict[str, Any]:
    rows = portal_figures(technology.pk) if technology.category == "alpr" else []
    return {
        "rows": rows,
        "chart": reads_chart(rows),
        "credits": sorted({r.attribution for r in rows} - {""}),
    }
