"""`{% timeline %}`: the partnerships-over-time figure, as one include on the home, technology
and region pages (so those pages' views need no change)."""

from __future__ import annotations

from typing import Any

from django import template

from survmap.geo.counts import InvalidFilters, filter_query, filtered_partnerships
from survmap.geo.models import County, State
from survmap.records.models import Partnership, Technology
from survmap.web.timeline import timeline as timeline_for

register = template.Library()


@register.inclusion_tag("web/_timeline.html", takes_context=True)
def timeline(
    context: template.Context,
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
) -> dict[str, Any]:
    """The timeline of a technology, a county, a state, or else of the map's filtered view."""
    public = Partnership.objects.public()
    if technology is not None:
        scope, partnerships, subject = (
            f"technology:{technology.pk}",
            public.filter(technology=technology),
            technology.name,
        )
    elif county is not None:
        scope = f"county:{county.fips}"
        partnerships = public.filter(agency__counties=county)
        subject = f"{county.full_name}, {county.state_id}"
    elif state is not None:
        scope, partnerships, subject = (
            f"state:{state.fips}",
            public.filter(agency__state=state),
            state.name,
        )
    else:
        request = context.get("request")
        query = request.GET if request is not None else None
        try:
            partnerships = filtered_partnerships(query) if query is not None else public
        except InvalidFilters:
            return {"chart": {"empty": True}}
        scope = f"map:{filter_query(query) if query is not None else ''}"
        subject = "the partnerships on the map" if query and filter_query(query) else ""
    return {"chart": timeline_for(scope, partnerships), "subject": subject}
