"""Writes to the plate-reader records: organisations, observations and sharing links, each with
its history, given as plans by a writer (records.plans.Writer names who, for the history).

An import adds what is missing and never rewrites what exists: an observation is what a source
said on a day (another reading adds one), a sharing link or an organisation that a moderator
corrected keeps the correction. So loading the same file twice changes nothing, and a
correction survives every re-load. A moderator who finds an organisation's directory agency
calls `organisation_match`, which moves its links and figures onto the agency."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from survmap.common import data_version
from survmap.common.dates import PartialDate
from survmap.platereaders.models import (
    Observation,
    Organisation,
    Sharing,
)
from survmap.records.models import Agency, Source
from survmap.records.normalize import normalize_name
from survmap.records.plans import Writer

# The write path's own multi-row INSERTs with history (what its bulk path writes with).
from survmap.records.services import links_insert, records_insert


@dataclass(frozen=True)
class OrganisationPlan:
    name: str
    state: str
    kind: str
    label: str = ""
    note: str = ""
    attribution: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return normalize_name(self.name), self.state


# A party: an agency's id, or an organisation's key (normalised name, state).
PartyRef = int | tuple[str, str]


@dataclass(frozen=True)
class ObservationPlan:
    party: PartyRef
    method: str
    observed_at: dt.datetime
    source_ids: tuple[int, ...]
    values: tuple[tuple[str, Any], ...]
    partnership_id: int | None = None
    portal_url: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class SharingPlan:
    source_party: PartyRef
    to_party: PartyRef
    technology_id: int
    vendor_id: int | None
    as_of: PartialDate
    source_id: int
    attribution: str = ""
    line: int = 0


def _insert(model: type[models.Model], objects: Sequence[models.Model], writer: Writer) -> None:
    """The records' own multi-row INSERTs (what the bulk import path writes with, through the
    write path's public face), each record with its first history entry."""
    records_insert(model, objects, reason=writer.history_reason)


def _create(model: type[models.Model], objects: list[Any], writer: Writer) -> None:
    """Insert new records with their first history entries, checked like any other record."""
    for instance in objects:
        if isinstance(instance, Organisation):
            instance.name_key = normalize_name(instance.name)
        instance.full_clean(validate_unique=False, validate_constraints=False)
    _insert(model, objects, writer)


@transaction.atomic
def organisations_ensure(
    *, plans: Sequence[OrganisationPlan], writer: Writer
) -> tuple[dict[tuple[str, str], Organisation], Counter[str]]:
    """The organisations the plans name, created where missing (an existing one is left as it
    is: a moderator may have renamed it or matched it to an agency)."""
    outcomes: Counter[str] = Counter()
    wanted: dict[tuple[str, str], OrganisationPlan] = {}
    for plan in plans:
        if plan.key[0]:
            wanted.setdefault(plan.key, plan)
    found = {
        (org.name_key, org.state_id or ""): org
        for org in Organisation.objects.filter(name_key__in={key[0] for key in wanted})
    }
    new = []
    for key, plan in wanted.items():
        if key in found:
            outcomes["unchanged"] += 1
            continue
        new.append(
            Organisation(
                name=plan.name[:200],
                state_id=plan.state or None,
                kind=plan.kind,
                label=plan.label[:200],
                note=plan.note,
                attribution=plan.attribution,
            )
        )
    if new:
        _create(Organisation, new, writer)
        outcomes["created"] += len(new)
        for org in new:
            found[(org.name_key, org.state_id or "")] = org
    return found, outcomes


def _sides(
    party: PartyRef, organisations: dict[tuple[str, str], Organisation]
) -> tuple[int | None, int | None]:
    if isinstance(party, int):
        return party, None
    return None, organisations[party].pk


@transaction.atomic
def observations_add(
    *,
    plans: Sequence[ObservationPlan],
    organisations: dict[tuple[str, str], Organisation],
    writer: Writer,
) -> Counter[str]:
    """Add each observation not already stored (same party, method, portal and moment)."""
    outcomes: Counter[str] = Counter()
    existing = {
        (o.partnership_id, o.organisation_id, o.method, o.portal_url, o.observed_at)
        for o in Observation.objects.only(
            "partnership_id", "organisation_id", "method", "portal_url", "observed_at"
        )
    }
    new: list[Observation] = []
    sources: list[tuple[Observation, tuple[int, ...]]] = []
    for plan in plans:
        _, organisation_id = _sides(plan.party, organisations)
        partnership_id = plan.partnership_id if organisation_id is None else None
        key = (partnership_id, organisation_id, plan.method, plan.portal_url, plan.observed_at)
        if key in existing:
            outcomes["unchanged"] += 1
            continue
        existing.add(key)
        observation = Observation(
            partnership_id=partnership_id,
            organisation_id=organisation_id,
            method=plan.method,
            portal_url=plan.portal_url,
            observed_at=plan.observed_at,
            attribution=plan.attribution,
            **dict(plan.values),
        )
        new.append(observation)
        sources.append((observation, plan.source_ids))
    if new:
        _create(Observation, new, writer)
        through = Observation.sources.through
        links_insert(
            through,
            ["observation_id", "source_id"],
            [[observation.pk, source_id] for observation, ids in sources for source_id in ids],
        )
        outcomes["created"] += len(new)
        data_version.changed()
    return outcomes


@transaction.atomic
def sharing_add(
    *,
    plans: Sequence[SharingPlan],
    organisations: dict[tuple[str, str], Organisation],
    writer: Writer,
) -> Counter[str]:
    """Add each sharing link not already stored (same two parties, technology and vendor).
    A stored link is left as it is, whoever wrote it last."""
    outcomes: Counter[str] = Counter()
    created: set[tuple[int | None, ...]] = set()
    existing: set[tuple[int | None, ...]] = set(
        Sharing.objects.values_list(
            "from_agency_id",
            "from_organisation_id",
            "to_agency_id",
            "to_organisation_id",
            "technology_id",
            "vendor_id",
        )
    )
    new: list[Sharing] = []
    for plan in plans:
        from_agency, from_org = _sides(plan.source_party, organisations)
        to_agency, to_org = _sides(plan.to_party, organisations)
        if (from_agency, from_org) == (to_agency, to_org):
            # "Greenbrier TN PD (duplicate)" may search "Greenbrier TN PD": one agency.
            outcomes["self"] += 1
            continue
        key = (from_agency, from_org, to_agency, to_org, plan.technology_id, plan.vendor_id)
        if key in existing:
            # Stored before, or earlier in these plans (two spellings of one agency).
            outcomes["unchanged" if key not in created else "merged"] += 1
            continue
        existing.add(key)
        created.add(key)
        new.append(
            Sharing(
                from_agency_id=from_agency,
                from_organisation_id=from_org,
                to_agency_id=to_agency,
                to_organisation_id=to_org,
                technology_id=plan.technology_id,
                vendor_id=plan.vendor_id,
                as_of=plan.as_of.first_day(),
                source_id=plan.source_id,
                attribution=plan.attribution,
                link_key=Sharing.key_of(*key),
            )
        )
    if new:
        # Checked by the database's constraints; model validation of 37,000 links would cost
        # a query each for the foreign keys, which the plans took from the database itself.
        _insert(Sharing, new, writer)
        outcomes["created"] += len(new)
        data_version.changed()
    return outcomes


@transaction.atomic
def organisation_match(*, organisation: Organisation, agency: Agency, writer: Writer) -> int:
    """A moderator found the organisation's directory agency: its sharing links move to the
    agency (a link the agency already has is dropped as a duplicate), and the organisation keeps
    the match, so that a re-load finds the agency. Figures observed of the organisation itself
    (a portal whose owner is no agency) stay on it: they belong to a partnership, which the
    next load of the portal makes on the agency. Returns the links moved."""
    moved = 0
    for link in Sharing.objects.filter(
        Q(from_organisation=organisation) | Q(to_organisation=organisation)
    ):
        if link.from_organisation_id == organisation.pk:
            link.from_organisation, link.from_agency = None, agency
        if link.to_organisation_id == organisation.pk:
            link.to_organisation, link.to_agency = None, agency
        duplicate = Sharing.objects.filter(
            from_agency=link.from_agency,
            from_organisation=link.from_organisation,
            to_agency=link.to_agency,
            to_organisation=link.to_organisation,
            technology=link.technology,
            vendor=link.vendor,
        ).exclude(pk=link.pk)
        if duplicate.exists():
            link._change_reason = writer.history_reason  # type: ignore[attr-defined]
            link.delete()
            continue
        link._change_reason = writer.history_reason  # type: ignore[attr-defined]
        link.full_clean()
        link.save()
        moved += 1
    organisation.agency = agency
    organisation._change_reason = writer.history_reason  # type: ignore[attr-defined]
    organisation.full_clean()
    organisation.save()
    return moved


def organisations_found(*, found: Mapping[str, int], writer: Writer) -> int:
    """The organisations kept without an agency for a label (as the source wrote it) that an
    import now resolves to an agency (`found`, agency ids by label): each is matched to it as a
    moderator would (`organisation_match`, its links moved). By label, not by name: two labels
    of one name ("Madison Township OH PD" and "... (Franklin County)") are not one agency.
    Returns how many were matched."""
    kept = list(
        Organisation.objects.filter(agency__isnull=True, label__in=list(found)).order_by("pk")
    )
    if not kept:
        return 0
    agencies = Agency.objects.in_bulk({found[organisation.label] for organisation in kept})
    for organisation in kept:
        organisation_match(
            organisation=organisation, agency=agencies[found[organisation.label]], writer=writer
        )
    return len(kept)


def source_ids(urls: Sequence[str]) -> dict[str, int]:
    return {
        url: pk
        for url, pk in Source.objects.filter(url__in=list(urls)).values_list("url", "pk")
        if url
    }
