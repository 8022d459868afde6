"""Small includes for pages other apps own: an agency's checks, a region's checks and coverage,
and how many of a region's agencies have a record, were checked or are not researched.
A page adds one line (`{% agency_research agency %}`) and its view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.records.models import DIRECTORY_ATTRIBUTION, Agency
from survmap.research.models import stale_months
from survmap.research.selectors import (
    checks_for_agency,
    checks_for_region,
    coverage,
    coverage_by_region,
)

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


@register.inclusion_tag("research/_region_agencies.html")
def region_agencies(state: State, county: County | None = None) -> dict[str, Any]:
    """The agencies of a state or county (the directory's included): with a recorded
    partnership, checked without one, not researched."""
    if county is not None:
        counts = coverage_by_region(Level.COUNTY, Agency.objects.filter(counties=county))
        row = counts.get(county.fips)
    else:
        counts = coverage_by_region(Level.STATE, Agency.objects.filter(state=state))
        row = counts.get(state.fips)
    return {
        "row": row,
        "place": county.full_name if county is not None else state.name,
        "directory_credit": DIRECTORY_ATTRIBUTION,
    }
