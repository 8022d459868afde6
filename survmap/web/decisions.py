"""What a technology's page lists beside its partnerships: the decisions against it (proposals
rejected, contracts ended, bans, pauses) and the counts vendors reported over time (Ring's
partner agencies). A councillor preparing a vote asks "what has been voted down elsewhere?"."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from survmap.records.models import PartnershipStatus, PolicyEvent, Technology
from survmap.records.selectors import partnership_list_public

DECISION_STATUSES = (
    PartnershipStatus.REJECTED,
    PartnershipStatus.BANNED,
    PartnershipStatus.ENDED,
    PartnershipStatus.SUSPENDED,
)


def decisions_for(technology: Technology) -> QuerySet:
    """Public partnerships of the technology that were turned down, ended, banned or paused,
    the newest decision first (its end, else when a source last confirmed it)."""
    return (
        partnership_list_public()
        .filter(technology=technology, status__in=DECISION_STATUSES)
        .annotate(decided=Coalesce(F("end_date"), F("status_as_of_date")))
        .order_by(F("decided").desc(nulls_last=True), "agency__name", "pk")
    )


def reported_counts(technology: Technology) -> list[PolicyEvent]:
    """Public policy events of the technology that report a count, oldest first: a dated
    series such as Ring's partner agencies. A count for a whole year ('2,014 in 2020') stands
    at the year's end, after one reported in its June."""
    events = (
        PolicyEvent.objects.public()
        .filter(technology=technology, reported_count__isnull=False)
        .select_related("vendor")
    )
    return sorted(
        events, key=lambda event: (event.when.last_day() if event.when else event.date, event.pk)
    )
