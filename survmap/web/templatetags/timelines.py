"""`{% timeline %}`: the partnerships-over-time figure, as one tag on the home, technology
and region pages (so those pages' views need no change)."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet
from django.template.loader import render_to_string

from survmap.common import data_version
from survmap.geo.models import County, State
from survmap.records.models import Partnership, Technology
from survmap.web.timeline import timeline as timeline_for

register = template.Library()


@register.simple_tag
def timeline(
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
    filtered: QuerySet[Partnership] | None = None,
    filters: str = "",
) -> str:
    """The timeline of a technology, a county, a state, or else of every partnership; with
    `filters` (the page's filter query), of `filtered`, the page's own filtered set. Drawn once
    per data version and scope and kept: a chart is some 2,000 values through the template
    engine, the largest part of the map page's own time."""
    public = Partnership.objects.public()
    partnerships: QuerySet[Partnership]
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
        # Every recorded partnership, whatever the map's filters: the map page changes its
        # filters without reloading, and a server-drawn chart of other filters would mislead.
        scope, partnerships, subject = "all", public, "every recorded partnership"
    if filters and filtered is not None:
        scope, partnerships = f"{scope}|{filters}", filtered
    chart_of, subject_of = partnerships, subject
    return data_version.kept(
        f"timeline:{scope}",
        lambda: render_to_string(
            "web/_timeline.html",
            {"chart": timeline_for(scope, chart_of), "subject": subject_of},
        ),
    )
