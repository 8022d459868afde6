"""Reads that more than one view needs: what is public, with its related rows fetched once."""

from __future__ import annotations

from django.db.models import Prefetch

from survmap.records.models import Agency, Partnership, PartnershipQuerySet, PolicyEvent, Source


def partnership_list_public() -> PartnershipQuerySet:
    """Public partnerships with agency, technology, vendor and sources ready to show."""
    return (
        Partnership.objects.public()
        .select_related("agency", "agency__state", "technology", "vendor")
        .prefetch_related(
            "agency__counties",
            Prefetch("sources", queryset=Source.objects.order_by("published_date", "pk")),
        )
    )


def agency_list_public() -> list[Agency]:
    """Agencies with at least one public partnership."""
    return list(
        Agency.objects.filter(partnerships__in=Partnership.objects.public())
        .distinct()
        .select_related("state")
    )


def policy_event_list_public() -> list[PolicyEvent]:
    return list(
        PolicyEvent.objects.public()
        .select_related("vendor", "technology", "state", "county")
        .prefetch_related("sources")
    )
