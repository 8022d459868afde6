"""Which record a plan means: the one place that decides which agency, source, partnership,
technology or vendor a writer's plan is about. The per-row writer asks these functions of the
database; the bulk writer asks the same rules of what it preloaded for a batch; approvals and the
admin ask them too."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from django.utils.text import slugify

from survmap.common.dates import PartialDate
from survmap.records.models import Agency, Partnership, Source, Technology, Vendor
from survmap.records.normalize import normalize_name
from survmap.records.plans import AgencyPlan, Match, PartnershipPlan, SourcePlan, given

AgencyKey = tuple[str, str]


# Agencies.


def agency_key(plan: AgencyPlan) -> AgencyKey | None:
    """The (normalised name, state) an agency plan without an id is found by; None for a plan
    that names its agency by id (or names none)."""
    if plan.pk is not None or not given(plan.name) or not given(plan.state):
        return None
    return normalize_name(plan.name), plan.state  # type: ignore[arg-type, return-value]


def agency_find(plan: AgencyPlan) -> Agency | None:
    if plan.pk is not None:
        return Agency.objects.get(pk=plan.pk)
    key = agency_key(plan)
    if key is None:
        raise ValueError("An agency plan needs an id, or a name and a state.")
    name, state = key
    return Agency.objects.filter(normalized_name=name, state_id=state).first()


# Sources.


def source_key(plan: SourcePlan | Source) -> Hashable:
    """A source is its address; a print source (no address), its title and publisher."""
    url = (plan.url or "").strip()
    if url:
        return ("url", url)
    title = plan.title if given(plan.title) else ""
    publisher = plan.publisher if given(plan.publisher) else ""
    return ("print", title, publisher)


def source_find(plan: SourcePlan) -> Source | None:
    if plan.pk is not None:
        return Source.objects.get(pk=plan.pk)
    url = (plan.url or "").strip()
    if url:
        return Source.objects.filter(url=url).first()
    title = plan.title if given(plan.title) else ""
    publisher = plan.publisher if given(plan.publisher) else ""
    return (
        Source.objects.filter(url__isnull=True, title=title, publisher=publisher)
        .order_by("pk")
        .first()
    )


# Partnerships.


def same_start(partnership: Partnership, plan: PartnershipPlan) -> bool:
    """Whether the partnership starts when the plan says (Match.SAME_START)."""
    start = plan.start if isinstance(plan.start, PartialDate) else None
    return (partnership.start_date, partnership.start_precision) == (
        (start.first_day(), start.precision) if start else (None, "")
    )


def partnership_among(
    candidates: Iterable[Partnership],
    plan: PartnershipPlan,
    *,
    technology_id: int,
    vendor_id: int | None,
) -> tuple[Partnership | None, bool]:
    """Of an agency's partnerships (in id order), the one a plan whose Atlas id (if any) is new
    takes as its own, and whether it adopts it (gives it the plan's Atlas id): the one
    definition of "adopt an unnumbered partnership". Same technology and vendor, without an
    Atlas id unless the plan's `match` takes any."""
    if plan.match == Match.NEW:
        return None, False
    atlas_id = plan.atlas_id if given(plan.atlas_id) else None
    for candidate in candidates:
        if (candidate.technology_id, candidate.vendor_id) != (technology_id, vendor_id):
            continue
        if candidate.atlas_id and (atlas_id or plan.match != Match.ANY):
            continue
        if plan.match == Match.SAME_START and not same_start(candidate, plan):
            continue
        return candidate, bool(atlas_id)
    return None, False


def partnership_find(
    plan: PartnershipPlan,
    *,
    agency: Agency,
    technology: Technology | None,
    vendor: Vendor | None,
) -> tuple[Partnership | None, bool]:
    """The partnership a plan is about, and whether it was adopted: found by id, by Atlas id,
    else among the agency's partnerships (`partnership_among`)."""
    if plan.pk is not None:
        return Partnership.objects.get(pk=plan.pk), False
    atlas_id = plan.atlas_id if given(plan.atlas_id) else None
    if atlas_id:
        found = Partnership.objects.filter(atlas_id=atlas_id).first()
        if found is not None:
            return found, False
    if technology is None or agency.pk is None:
        return None, False
    candidates = Partnership.objects.filter(
        agency=agency, technology=technology, vendor=vendor
    ).order_by("pk")
    return partnership_among(
        candidates, plan, technology_id=technology.pk, vendor_id=vendor.pk if vendor else None
    )


# Technologies and vendors.


def name_key(name: str) -> str:
    """'  Predpol ' and 'PredPol' are one vendor: compare letters and digits only."""
    return "".join(ch for ch in normalize_name(name) if ch.isalnum())


def technology_find(*, name: str, slug: str = "") -> Technology | None:
    """The technology a name or slug means: by slug, else by name ignoring case and
    punctuation."""
    technology = Technology.objects.filter(slug=slug or slugify(name)).first()
    if technology is None:
        key = name_key(name)
        technology = next(
            (item for item in Technology.objects.all() if name_key(item.name) == key), None
        )
    return technology


def vendor_find(*, name: str, slug: str = "") -> Vendor | None:
    """The vendor a name or slug means: by slug, else by name ignoring case, spaces and
    punctuation."""
    vendor = Vendor.objects.filter(slug=slug).first() if slug else None
    if vendor is None:
        key = name_key(" ".join(name.split()))
        vendor = next((item for item in Vendor.objects.all() if name_key(item.name) == key), None)
    return vendor
