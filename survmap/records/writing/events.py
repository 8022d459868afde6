"""Policy events (a ban, a contract vote): written by the research fixtures' importer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from survmap.common.dates import PartialDate
from survmap.geo.models import County, State
from survmap.records.models import (
    Partnership,
    PolicyEvent,
    PolicyEventKind,
    Source,
    Technology,
    Vendor,
)
from survmap.records.plans import Outcome
from survmap.records.writing.row_writer import save_record


def policy_event_values(
    *,
    title: str,
    kind: PolicyEventKind | str,
    when: PartialDate,
    actor: str,
    vendor: Vendor | None = None,
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
    summary: str = "",
    reported_count: int | None = None,
) -> dict[str, Any]:
    """What policy_event_upsert sets: every field, empty or not."""
    return {
        "title": title,
        "kind": kind,
        "date": when.first_day(),
        "date_precision": when.precision,
        "actor": actor,
        "vendor": vendor,
        "technology": technology,
        "state": state,
        "county": county,
        "summary": summary,
        "reported_count": reported_count,
    }


@transaction.atomic
def policy_event_upsert(
    *,
    title: str,
    kind: PolicyEventKind | str,
    when: PartialDate,
    actor: str,
    sources: Iterable[Source],
    partnerships: Iterable[Partnership] = (),
    vendor: Vendor | None = None,
    technology: Technology | None = None,
    state: State | None = None,
    county: County | None = None,
    summary: str = "",
    reported_count: int | None = None,
    instance: PolicyEvent | None = None,
    update: bool = True,
    reason: str = "",
) -> tuple[PolicyEvent, Outcome]:
    """Create a policy event, or update the one given. Sources and the partnerships it changed
    are links: those given are added, never removed. `update=False` leaves the fields of an
    existing event as they are (someone may have edited them) and only adds links."""
    values = policy_event_values(
        title=title,
        kind=kind,
        when=when,
        actor=actor,
        vendor=vendor,
        technology=technology,
        state=state,
        county=county,
        summary=summary,
        reported_count=reported_count,
    )
    if instance is None:
        event = PolicyEvent(**values)
        save_record(event, reason=reason or "Created")
        event.sources.add(*sources)
        event.partnerships.add(*partnerships)
        return event, Outcome.CREATED

    changed = False
    if update:
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
    if changed:
        save_record(instance, reason=reason or "Updated")
    for relation, wanted in (("sources", sources), ("partnerships", partnerships)):
        manager = getattr(instance, relation)
        known = set(manager.values_list("pk", flat=True))
        new = [item for item in wanted if item.pk not in known]
        if new:
            manager.add(*new)
            changed = True
    return instance, Outcome.UPDATED if changed else Outcome.UNCHANGED
