"""Dates as contributors write them: "Sept 8, 2020", "8 September 2020", "09/2020",
"2020-09-08". A numeric day and month that could be read either way ("09/08/2020") is asked
about rather than guessed."""

from __future__ import annotations

import re

from survmap.common.dates import PartialDate

# What the form tells contributors up front.
ACCEPTED_FORMS = "2020, Sept 2020, 09/2020, Sept 8 2020, 8 September 2020, 09/08/2020 or 2020-09-08"

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WORDED = (
    re.compile(rf"^{_MONTH}\s+{_DAY},?\s+{_YEAR}$"),  # Sept 8, 2020
    re.compile(rf"^{_DAY}\s+{_MONTH},?\s+{_YEAR}$"),  # 8 September 2020
    re.compile(rf"^{_MONTH},?\s+{_YEAR}$"),  # Sept 2020
)
_NUMERIC_DAY = re.compile(r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-](?P<year>\d{2}|\d{4})$")


class AmbiguousDate(ValueError):
    """A date whose day and month could be swapped; the message asks which was meant."""


def _month(word: str) -> int:
    number = _MONTHS.get(word.lower())
    if number is None:
        raise ValueError(f"{word!r} is not a month")
    return number


def parse_contributor_date(text: str) -> PartialDate | None:
    """The date a contributor wrote, to the precision they gave; None for nothing written.
    Raises AmbiguousDate for 09/08/2020-like dates and ValueError for anything unreadable."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    for pattern in _WORDED:
        match = pattern.match(cleaned)
        if match:
            parts = match.groupdict()
            day = int(parts["day"]) if parts.get("day") else None
            return PartialDate(int(parts["year"]), _month(parts["month"]), day)
    match = _NUMERIC_DAY.match(cleaned)
    if match:
        first, second = int(match["first"]), int(match["second"])
        if first != second and first <= 12 and second <= 12:
            year = match["year"]
            us = PartialDate.parse(f"{first}/{second}/{year}")
            assert us is not None
            other = PartialDate(us.year, second, first)
            raise AmbiguousDate(
                f"Is {cleaned} {us.display()} or {other.display()}? Write it as "
                f"{us.isoformat()} or {other.isoformat()}, or with the month's name "
                f"(Sept 8, 2020)."
            )
        if first > 12:
            # Day first, as most of the world writes it: unambiguous.
            return PartialDate.parse(f"{second}/{first}/{match['year']}")
        return PartialDate.parse(f"{first}/{second}/{match['year']}")
    return PartialDate.parse(cleaned)
