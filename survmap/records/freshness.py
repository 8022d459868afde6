"""How old a partnership's status is. Pages, cards and exports show a status as what the
sources said and when ("Reported active, as of October 2020"), never a bare "Active", and mark a
standing status nobody has confirmed for SURVMAP_STATUS_STALE_YEARS years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from survmap.common.dates import PartialDate
from survmap.records.models import PartnershipStatus

# What a source said, in words that do not claim more than it did.
PHRASES: dict[str, str] = {
    PartnershipStatus.PROPOSED: "Proposed",
    PartnershipStatus.APPROVED: "Approved, not yet reported in use",
    PartnershipStatus.PILOT: "Reported in a pilot",
    PartnershipStatus.ACTIVE: "Reported active",
    PartnershipStatus.SUSPENDED: "Reported paused",
    PartnershipStatus.ENDED: "Reported ended",
    PartnershipStatus.BANNED: "Banned",
    PartnershipStatus.REJECTED: "Rejected",
    PartnershipStatus.NOT_REPORTED: "Recorded, status not reported",
}
# Statuses that describe something still going on, and so go stale; an end, a ban or a
# rejection is a past event and stays true.
STANDING = frozenset(
    {
        PartnershipStatus.PROPOSED,
        PartnershipStatus.APPROVED,
        PartnershipStatus.PILOT,
        PartnershipStatus.ACTIVE,
        PartnershipStatus.SUSPENDED,
        PartnershipStatus.NOT_REPORTED,
    }
)
NO_DATE = "date not known"


@dataclass(frozen=True)
class StatusAge:
    status: str
    as_of: PartialDate | None
    # Whole years from the end of the confirming period (a month, a year) to today.
    years: int | None
    stale: bool

    @property
    def label(self) -> str:
        """'Reported active, as of October 2020'; every label says 'as of'."""
        phrase = PHRASES.get(self.status, str(self.status).replace("_", " ").capitalize())
        when = self.as_of.display() if self.as_of is not None else NO_DATE
        return f"{phrase}, as of {when}"

    @property
    def note(self) -> str:
        """'Not confirmed for 6 years' for a stale standing status, else ''."""
        if not self.stale:
            return ""
        if self.years is None:
            return "Never confirmed by a dated source"
        return f"Not confirmed for {self.years} year{'' if self.years == 1 else 's'}"


def stale_years() -> int:
    return int(settings.SURVMAP_STATUS_STALE_YEARS)


def whole_years(since: dt.date, today: dt.date) -> int:
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(0, years)


def status_age(
    status: str, as_of: PartialDate | None, *, today: dt.date | None = None
) -> StatusAge:
    """The status as of its newest confirmation, and whether that is too old to rely on."""
    today = today or dt.date.today()
    # A month or a year confirms the status up to its last day: counting from the first day
    # would age "2020" by up to a year more than its source.
    years = whole_years(as_of.last_day(), today) if as_of is not None else None
    standing = status in STANDING
    stale = standing and (years is None or years >= stale_years())
    return StatusAge(status=str(status), as_of=as_of, years=years, stale=stale)


def confirmed_on(partnership: Any) -> PartialDate | None:
    """When a source last confirmed the status: the record's own `status_as_of` where it has
    one, else the date of its newest dated source."""
    own = getattr(partnership, "status_as_of", None)
    if isinstance(own, PartialDate):
        return own
    dated = [s.published for s in partnership.sources.all() if s.published is not None]
    return max(dated, key=lambda p: p.first_day()) if dated else None


def partnership_status_age(partnership: Any, *, today: dt.date | None = None) -> StatusAge:
    return status_age(getattr(partnership, "status", ""), confirmed_on(partnership), today=today)
