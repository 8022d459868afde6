"""Dates known only to the year or month ("in 2019", "March 2020"), as sources usually give them.

A partial date is stored as a `date` plus a precision. A start is stored as the first day of its
period and an end as the last day, so that "ended in 2020" after "began 5 March 2020" is not
mistaken for an end before the start.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import models


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
_US_DAY = re.compile(r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{2}|\d{4})$")
_US_MONTH = re.compile(r"^(?P<month>\d{1,2})/(?P<year>\d{4})$")
# The first year survmap accepts: an earlier one is a typing slip (0202 for 2020), and Python,
# spreadsheets and ISO 8601 software disagree about years below 1000.
MIN_YEAR = 1000
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None
    # Built from what the database holds (`from_stored`): any year a date can hold is shown, so
    # that a restore or raw SQL that stored year 202 cannot make a page fail.
    stored: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (1 if self.stored else MIN_YEAR) <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            # Raises ValueError for 30 February and the like.
            dt.date(self.year, self.month or 1, self.day)

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.day is not None:
            return self.first_day()
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        """'2020', '2020-03' or '2020-03-05': the form our CSV and API use."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def display(self) -> str:
        """'2020', 'March 2020' or '5 March 2020': the form pages show."""
        if self.month is None:
            return str(self.year)
        month_name = calendar.month_name[self.month]
        if self.day is None:
            return f"{month_name} {self.year}"
        return f"{self.day} {month_name} {self.year}"

    def __str__(self) -> str:
        return self.isoformat()

    @classmethod
    def from_stored(cls, value: dt.date | None, precision: str) -> PartialDate | None:
        if value is None or not precision:
            return None
        if precision == DatePrecision.YEAR:
            return cls(value.year, stored=True)
        if precision == DatePrecision.MONTH:
            return cls(value.year, value.month, stored=True)
        return cls(value.year, value.month, value.day, stored=True)

    @classmethod
    def parse(cls, text: str, *, today: dt.date | None = None) -> PartialDate | None:
        """Read ISO ('2020', '2020-03', '2020-03-05') and US ('3/22/18', '02/27/2020',
        '05/2019') forms; empty text is None. Raises ValueError for text that is no date or
        a date that cannot exist, rather than guessing."""
        text = (text or "").strip()
        if not text:
            return None
        match = _ISO.match(text)
        if match:
            return cls(
                int(match["year"]),
                int(match["month"]) if match["month"] else None,
                int(match["day"]) if match["day"] else None,
            )
        match = _US_DAY.match(text)
        if match:
            year = int(match["year"])
            if len(match["year"]) == 2:
                # Two-digit years are this century unless that puts them in the future.
                current = (today or dt.date.today()).year
                year += 2000 if 2000 + year <= current else 1900
            return cls(year, int(match["month"]), int(match["day"]))
        match = _US_MONTH.match(text)
        if match:
            return cls(int(match["year"]), int(match["month"]))
        words = text.replace(",", " ").lower().split()
        if len(words) == 2 and words[0] in _MONTH_NAMES.split() and words[1].isdigit():
            return cls(int(words[1]), _MONTH_NAMES.split().index(words[0]) + 1)
        raise ValueError(f"{text!r} is not a date survmap can read")


_YEAR = DatePrecision.YEAR.value
_MONTH = DatePrecision.MONTH.value


def stored_isoformat(value: dt.date | None, precision: str) -> str:
    """`PartialDate.from_stored(value, precision).isoformat()`, or '' for no date, without
    building the PartialDate: the exports write three or more dates for each of every row."""
    if value is None or not precision:
        return ""
    if precision == _YEAR:
        return f"{value.year:04d}"
    if precision == _MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


class PartialPeriod:
    """`start` and `end` as partial dates, for a record (or a row) that stores them as
    start_date / start_precision and end_date / end_precision."""

    __slots__ = ()

    start_date: dt.date | None
    start_precision: str
    end_date: dt.date | None
    end_precision: str

    @property
    def start(self) -> PartialDate | None:
        return PartialDate.from_stored(self.start_date, self.start_precision)

    @property
    def end(self) -> PartialDate | None:
        return PartialDate.from_stored(self.end_date, self.end_precision)


# ---- The one reader of dates as people write them (tips, research reports, imports). ----

# What forms tell people up front.
ACCEPTED_FORMS = "2020, Sept 2020, 09/2020, Sept 8 2020, 8 September 2020, 09/08/2020 or 2020-09-08"

_MONTH_WORDS = {
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
_WORD_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_WORD_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WORD_YEAR = r"(?P<year>\d{4})"
_WORDED = (
    re.compile(rf"^{_WORD_MONTH}\s+{_WORD_DAY},?\s+{_WORD_YEAR}$"),  # Sept 8, 2020
    re.compile(rf"^{_WORD_DAY}\s+{_WORD_MONTH},?\s+{_WORD_YEAR}$"),  # 8 September 2020
    re.compile(rf"^{_WORD_MONTH},?\s+{_WORD_YEAR}$"),  # Sept 2020, Dec 2026
)
_NUMERIC_DAY = re.compile(r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-](?P<year>\d{2}|\d{4})$")


class AmbiguousDate(ValueError):
    """A date whose day and month could be swapped (09/08/2020). The message asks which was
    meant; `month_first` and `day_first` are the two readings, for a reader that must choose
    (an import from a US file reads month first, and says so)."""

    def __init__(self, text: str, month_first: PartialDate, day_first: PartialDate) -> None:
        super().__init__(
            f"Is {text} {month_first.display()} or {day_first.display()}? Write it as "
            f"{month_first.isoformat()} or {day_first.isoformat()}, or with the month's name "
            f"(Sept 8, 2020)."
        )
        self.text = text
        self.month_first = month_first
        self.day_first = day_first


def _word_month(word: str) -> int:
    number = _MONTH_WORDS.get(word.lower())
    if number is None:
        raise ValueError(f"{word!r} is not a month")
    return number


def parse_written_date(text: str, *, today: dt.date | None = None) -> PartialDate | None:
    """A date as a person wrote it, to the precision they gave; None for nothing written. The
    same answers for a tip, a research report and an import: ISO (`2020-09-08`, `2020-09`,
    `2020`), worded (`Sept 8, 2020`, `8 September 2020`, `Dec 2026`), numeric (`09/2020`,
    `3/22/18`, `22/3/2018` day first when the day is over 12). Raises AmbiguousDate when a
    numeric day and month could be swapped (`07-11-2019`), ValueError for anything else."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return None
    for pattern in _WORDED:
        match = pattern.match(cleaned)
        if match:
            parts = match.groupdict()
            day = int(parts["day"]) if parts.get("day") else None
            return PartialDate(int(parts["year"]), _word_month(parts["month"]), day)
    match = _NUMERIC_DAY.match(cleaned)
    if match:
        first, second, year = int(match["first"]), int(match["second"]), match["year"]
        if first != second and first <= 12 and second <= 12:
            month_first = PartialDate.parse(f"{first}/{second}/{year}", today=today)
            assert month_first is not None
            day_first = PartialDate(month_first.year, second, first)
            raise AmbiguousDate(cleaned, month_first, day_first)
        if first > 12:
            # Day first, as most of the world writes it: unambiguous.
            return PartialDate.parse(f"{second}/{first}/{year}", today=today)
        return PartialDate.parse(f"{first}/{second}/{year}", today=today)
    return PartialDate.parse(cleaned, today=today)
