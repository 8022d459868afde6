"""Reads that more than one view needs: what is public, with its related rows fetched once."""

from __future__ import annotations

from django.db.models import Prefetch

from survmap.records.models import Partnership, PartnershipQuerySet, Source


def partnership_list_public() -> PartnershipQuerySet:
    """Public partnerships with agency, technology, vendor and sources ready to show."""
    return (
        Partnership.objects.public()
        .select_related("agency", "agency__state", "technology", "vendor")
        .prefetch_related(
            "agency__counties",
            "other_vendors",
            Prefetch("sources", queryset=Source.objects.order_by("published_date", "pk")),
        )
    )
