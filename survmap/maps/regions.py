"""How many agencies in each state or county have partnerships that match a filter."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from survmap.geo.boundaries import Level
from survmap.records.models import Agency


def region_counts(partnerships: QuerySet, level: Level) -> dict[str, int]:
    """FIPS code -> number of distinct agencies with at least one of these partnerships.

    An agency serving several counties counts once in each of them."""
    agencies = Agency.objects.filter(pk__in=partnerships.values("agency_id"))
    if level == Level.STATE:
        rows = agencies.values("state__fips").annotate(n=Count("pk", distinct=True))
        return {row["state__fips"]: row["n"] for row in rows}
    rows = (
        agencies.filter(counties__isnull=False)
        .values("counties__fips")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["counties__fips"]: row["n"] for row in rows}
