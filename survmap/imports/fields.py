"""Lenient readings of the secondary fields real spreadsheets carry: dates and links.

A row is not refused for one of these. What can be read is read (a spreadsheet's serial date,
a range of years, an address without its scheme); what cannot is dropped from the row with a
`FieldWarning` naming its line, column and value, for the summary and for a moderator.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from survmap.common.dates import AmbiguousDate, PartialDate, parse_written_date
from survmap.common.links import is_http_url
from survmap.common.memo import memo
from survmap.geo import census
from survmap.imports.kinds import NoteKind
from survmap.records.normalize import clean_text

# Spreadsheets count days from 1899-12-30 (Excel's 1900 system, after its phantom 29 February).
_SERIAL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers read as dates: 1970-01-01 to 2099-12-31. Smaller or larger numbers are more
# likely something else (a row number, a year typed twice) than a date.
_SERIAL_RANGE = range(25569, 73051)
_RANGE = re.compile(r"^(?P<first>\d{4})\s*(?:-|\u2013|\u2014|/|to)\s*(?P<last>\d{2}|\d{4})$")
# 'mailto:', 'javascript:', 'file:', 'ftp:'; no dot, so that 'www.example.org:81/x' is a host.
_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+-]*):", re.IGNORECASE)
_HOST_START = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


@dataclass(frozen=True)
class FieldWarning:
    """A value dropped (or read loosely) from a row that was kept; `kind` files it for the
    moderator (a link dropped, a place left unplaced...)."""

    line: int
    column: str
    value: str
    reason: str
    kind: str = NoteKind.VALUE_DROPPED

    def __str__(self) -> str:
        return f"line {self.line}, {self.column} {self.value!r}: {self.reason}"


def parse_date(text: str, *, today: dt.date | None = None) -> PartialDate | None:
    """The one date reader (`common.dates.parse_written_date`, which tips and research reports
    use too) after tidying what spreadsheets do to dates ('02/18/ 2020', '01/17,2019'). Raises
    AmbiguousDate for a day and month that could be swapped, ValueError for no date."""
    text = clean_text(text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"^(\d{1,2}/\d{1,2}),\s*(\d{4})$", r"\1/\2", text)  # '01/17,2019'
    return parse_written_date(text, today=today)


@dataclass(frozen=True)
class DateReading:
    """A date cell read leniently: its value (None when empty or unreadable), a note to keep
    where the value is only part of what the cell said (a range), and why it was dropped."""

    value: PartialDate | None
    note: str = ""
    problem: str = ""


def read_date(text: str, *, today: dt.date | None = None) -> DateReading:
    """Read a date cell: the spellings `parse_date` reads, spreadsheet serial dates (43146 is
    2018-02-15), and ranges of years ('2017-2019', '2016-17', '2014/2015'), which become their
    first year with year precision and a note giving the original text."""
    # A file repeats its dates (the 2020 Atlas read back: 25,567 cells, 1,141 distinct).
    return _read_date(text, today or dt.date.today())


@memo(maxsize=8_192)
def _read_date(text: str, today: dt.date) -> DateReading:
    text = clean_text(text)
    if not text:
        return DateReading(None)
    try:
        return DateReading(parse_date(text, today=today))
    except AmbiguousDate as question:
        # A file cannot be asked. US files (the Atlas) write the month first: read it so, and
        # say so beside the value rather than choose silently.
        reading = question.month_first
        return DateReading(
            reading,
            note=(
                f"Date written {text!r}: read month first, {reading.display()}; "
                f"it could be {question.day_first.display()}."
            ),
        )
    except ValueError:
        pass
    if text.isdigit() and int(text) in _SERIAL_RANGE:
        day = _SERIAL_EPOCH + dt.timedelta(days=int(text))
        return DateReading(PartialDate(day.year, day.month, day.day))
    match = _RANGE.match(text)
    if match:
        first, last = int(match["first"]), match["last"]
        end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        if first < end and 1000 <= first <= 9999:
            return DateReading(PartialDate(first), note=f"Date given as {text!r}.")
    return DateReading(None, problem="not a date survmap can read; dropped")


@dataclass(frozen=True)
class LinkReading:
    """A link cell read leniently: the address to keep ('' when none), and why it was dropped
    or what was added to it."""

    url: str
    problem: str = ""
    fixed: str = ""


def read_link(text: str) -> LinkReading:
    """Keep any http(s) address a browser would open; give one without a scheme 'http://'
    (browsers do the same); drop other schemes (ftp, file, mailto, javascript...) and text that
    is no address, saying why."""
    # A file cites the same addresses again and again (the 2020 Atlas: 5,742 distinct of 23,527).
    return _read_link(text)


@memo(maxsize=16_384)
def _read_link(text: str) -> LinkReading:
    text = clean_text(text)
    if not text:
        return LinkReading("")
    # 'http//example.org', 'https:/example.org': a scheme with its punctuation mistyped.
    text = re.sub(r"^(https?)(?::/?|//)(?!/)", r"\1://", text, flags=re.IGNORECASE)
    scheme = _SCHEME.match(text)
    if scheme and scheme["scheme"].casefold() not in {"http", "https"} and "://" in text:
        return LinkReading("", problem=f"a {scheme['scheme']}: address, not a web page; dropped")
    if scheme and scheme["scheme"].casefold() in {"mailto", "javascript", "data", "tel"}:
        return LinkReading("", problem=f"a {scheme['scheme']}: address, not a web page; dropped")
    fixed = ""
    if "://" not in text and _HOST_START.match(text):
        text, fixed = "http://" + text, "no scheme; read as http://"
    if is_http_url(text):
        return LinkReading(text, fixed=fixed)
    return LinkReading("", problem="not a web address; dropped")


@memo(maxsize=4_096)
def city_without_state(city: str, state: str) -> str:
    """A city cell without the state it repeats ('Dallas, Texas' in Texas is 'Dallas'): pages
    add the state themselves, and showed 'Dallas, Texas, Texas'."""
    city = clean_text(city)
    head, comma, tail = city.rpartition(",")
    if not comma:
        return city
    names = {state.casefold()} | {s.name.casefold() for s in census.states() if s.code == state}
    return head.strip() if tail.strip().rstrip(".").casefold() in names else city
