"""What a plan sets, by model field name: the one translation from plans to records, shared by
the per-row writer (rows.py) and the bulk writer (batch.py). A plan field named like a model
field is copied as it is."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.db import models

from survmap.common.dates import PartialDate
from survmap.records.models import Agency, Partnership, Source, Technology, Vendor
from survmap.records.plans import UNSET, AgencyPlan, PartnershipPlan, SourcePlan, given
from survmap.records.writing.matching import row_number


def _plain(plan: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in names if given(getattr(plan, name))}


def _partial(prefix: str, value: PartialDate | None, *, end: bool = False) -> dict[str, Any]:
    if value is None:
        return {f"{prefix}_date": None, f"{prefix}_precision": ""}
    return {
        f"{prefix}_date": value.last_day() if end else value.first_day(),
        f"{prefix}_precision": value.precision,
    }


def _copied(plan: type, model: type[models.Model], *, special: set[str]) -> tuple[str, ...]:
    """The plan's fields named like a field of the model: copied as they are. A new plain
    field on the model and the plan needs nothing here."""
    names = {field.name for field in model._meta.concrete_fields}
    return tuple(
        item.name
        for item in dataclasses.fields(plan)
        if item.name in names and item.name not in special
    )


AGENCY_FIELDS = _copied(AgencyPlan, Agency, special={"name", "state"})
SOURCE_FIELDS = _copied(SourcePlan, Source, special={"url"})
PARTNERSHIP_FIELDS = _copied(
    PartnershipPlan, Partnership, special={"agency", "technology", "vendor", "atlas_id"}
)


def agency_values(plan: AgencyPlan) -> dict[str, Any]:
    values = _plain(plan, AGENCY_FIELDS)
    if plan.pk is not None:
        values.update(_plain(plan, ("name",)))
        if given(plan.state):
            values["state_id"] = plan.state
    return values


def source_values(plan: SourcePlan) -> dict[str, Any]:
    values = _plain(plan, SOURCE_FIELDS)
    if given(plan.published):
        published = plan.published
        values.update(_partial("published", published))  # type: ignore[arg-type]
    return values


def partnership_values(
    plan: PartnershipPlan,
    *,
    agency: Agency | None = None,
    technology: Technology | None = None,
    vendor: Vendor | Any | None = UNSET,
) -> dict[str, Any]:
    values = _plain(plan, PARTNERSHIP_FIELDS)
    if given(plan.atlas_id):
        values["atlas_id"] = row_number(plan.atlas_id) or None  # type: ignore[arg-type]
    if given(plan.status_as_of):
        values.update(_partial("status_as_of", plan.status_as_of))  # type: ignore[arg-type]
    if given(plan.start):
        values.update(_partial("start", plan.start))  # type: ignore[arg-type]
    if given(plan.end):
        values.update(_partial("end", plan.end, end=True))  # type: ignore[arg-type]
    if agency is not None:
        values["agency"] = agency
    if technology is not None:
        values["technology"] = technology
    if given(vendor):
        values["vendor"] = vendor
    return values


def plan_credit(plan: Any) -> str:
    """The credit line a plan carries (its source's attribution), or nothing."""
    return plan.attribution if given(getattr(plan, "attribution", UNSET)) else ""
