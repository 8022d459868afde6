"""Writing one record by hand in a test, as a moderator would: each helper builds a plan and
hands it to the write path (`plan_apply`), so what it writes has history and provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from survmap.common.dates import PartialDate
from survmap.geo.models import State
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Source,
    Technology,
    Vendor,
)
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Match,
    Outcome,
    PartnershipPlan,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
)
from survmap.records.services import plan_apply

_BY_HAND = Writer.fixture("services")


def agency_upsert(
    *,
    name: str,
    state: State | str,
    kind: AgencyKind | str = AgencyKind.POLICE,
    city: str = "",
    county_fips: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    ori: str = "",
    attribution: str = "",
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Agency, Outcome]:
    """Find the agency by its normalised name in its state, or create it. Non-empty values given
    here replace the stored ones; counties given are added to those already known."""
    plan = AgencyPlan(
        name=name,
        state=state.code if isinstance(state, State) else state,
        kind=kind,
        city=city or UNSET,
        ori=ori or UNSET,
        attribution=attribution or UNSET,
        latitude=latitude if latitude is not None and longitude is not None else UNSET,
        longitude=longitude if latitude is not None and longitude is not None else UNSET,
        add_counties=tuple(county_fips),
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def source_upsert(
    *,
    url: str | None,
    title: str = "",
    publisher: str = "",
    published: PartialDate | None = None,
    archive_url: str = "",
    accessed_date: dt.date | None = None,
    notes: str = "",
    attribution: str = "",
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Source, Outcome]:
    """Find the source by its address (or, for a print source, its title and publisher) or
    create it. Non-empty values given here replace the stored ones."""
    plan = SourcePlan(
        url=url,
        title=title or UNSET,
        publisher=publisher or UNSET,
        published=published if published is not None else UNSET,
        archive_url=archive_url or UNSET,
        accessed_date=accessed_date or UNSET,
        notes=notes or UNSET,
        attribution=attribution or UNSET,
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def partnership_upsert(
    *,
    agency: Agency,
    technology: Technology,
    vendor: Vendor | None,
    sources: Iterable[Source],
    status: PartnershipStatus | str = PartnershipStatus.ACTIVE,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    summary: str = "",
    product: str = "",
    atlas_id: str | None = None,
    attribution: str = "",
    instance: Partnership | None = None,
    reason: str = "",
    writer: Writer | None = None,
) -> tuple[Partnership, Outcome]:
    """Create a partnership, or update the one given (or the one plan_apply finds: by Atlas
    id, else by agency, technology and vendor), setting every field given. Sources are added,
    never removed."""
    plan = PartnershipPlan(
        agency=AgencyPlan(pk=agency.pk),
        technology=TechnologyRef(name=technology.name, slug=technology.slug),
        vendor=VendorRef(name=vendor.name, slug=vendor.slug) if vendor is not None else None,
        pk=instance.pk if instance is not None else None,
        atlas_id=atlas_id,
        status=status,
        start=start,
        end=end,
        summary=summary,
        product=product,
        attribution=attribution,
        add_sources=tuple(SourcePlan(pk=source.pk) for source in sources),
        match=Match.ANY if atlas_id is None else Match.UNNUMBERED,
    )
    applied = plan_apply(plan=plan, writer=writer or _with_reason(reason))
    return applied.record, applied.outcome  # type: ignore[return-value]


def _with_reason(reason: str) -> Writer:
    return Writer.fixture("services", reason=reason) if reason else _BY_HAND
