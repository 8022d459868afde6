"""Small includes for pages other apps own: an agency's checks, a region's checks and coverage.
A page adds one line (`{% agency_research agency %}`) and its view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from survmap.geo.models import County, State
from survmap.records.models import Agency
from survmap.research.models import stale_months
from survmap.research.selectors import checks_for_agency, checks_for_region, coverage

register = template.Library()
REGION_CHECKS_SHOWN = 200


@register.inclusion_tag("research/_checks.html")
def agency_research(agency: Agency) -> dict[str, Any]:
    return {"checks": checks_for_agency(agency), "stale_months": stale_months()}


@register.inclusion_tag("research/_region.html")
def region_research(state: State, county: County | None = None) -> dict[str, Any]:
    agencies = (
        Agency.objects.filter(counties=county)
        if county is not None
        else Agency.objects.filter(state=state)
    )
    checks = checks_for_region(state=state, county=county)
    return {
        "coverage": coverage(agencies),
        "checks": list(checks[:REGION_CHECKS_SHOWN]),
        "check_count": checks.count(),
        "shown": REGION_CHECKS_SHOWN,
        "show_agency": True,
        "stale_months": stale_months(),
    }
