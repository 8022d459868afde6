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
