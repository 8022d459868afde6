"""Lenient field readings: what real spreadsheets hold in date and link cells."""

from __future__ import annotations

import pytest

from survmap.common.dates import DatePrecision, PartialDate
from survmap.common.links import is_http_url
from survmap.imports.fields import FieldWarning, city_without_state, read_date, read_link


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43146", PartialDate(2018, 2, 15)),
        ("43549", PartialDate(2019, 3, 25)),
        ("43655", PartialDate(2019, 7, 9)),
        ("43235", PartialDate(2018, 5, 15)),
        ("3/22/18", PartialDate(2018, 3, 22)),
        ("June 1, 2016", PartialDate(2016, 6, 1)),
        ("2016-12", PartialDate(2016, 12)),
        ("01/17,2019", PartialDate(2019, 1, 17)),
    ],
)
def test_it_reads_serial_and_ordinary_dates(text, expected):
    reading = read_date(text)
    assert reading.value == expected
    assert not reading.problem and not reading.note


@pytest.mark.parametrize(
    ("text", "year"),
    [("2017-2019", 2017), ("2016-17", 2016), ("2017/2018", 2017), ("2014/2015", 2014)],
)
def test_a_range_of_years_becomes_its_first_year_and_keeps_the_text(text, year):
    reading = read_date(text)
    assert reading.value == PartialDate(year)
    assert reading.value.precision == DatePrecision.YEAR
    assert repr(text) in reading.note
    assert not reading.problem


@pytest.mark.parametrize("text", ["19, 2018", "10/4", "9/21/0206", "2019-2017", "soon", "123"])
def test_unreadable_dates_are_dropped_with_a_reason_not_guessed(text):
    reading = read_date(text)
    assert reading.value is None
    assert reading.problem


def test_an_empty_date_is_no_date_and_no_problem():
    assert read_date("  ") == read_date("")
    assert read_date("").value is None and not read_date("").problem


@pytest.mark.parametrize(
    "url",
    [
        "https://granicus_production_attachments.s3.amazonaws.com/12345/agenda.pdf",
        "http://www.example.org:8080/a?b=c#d",
        "https://example.org/",
    ],
)
def test_addresses_a_browser_opens_are_kept_as_they_are(url):
    assert read_link(url).url == url
    assert is_http_url(url)


def test_an_address_without_a_scheme_gets_one():
    reading = read_link("www.thenewsgramonline.dyndns.org:81/2019/police-drones")
    assert reading.url == "http://www.thenewsgramonline.dyndns.org:81/2019/police-drones"
    assert reading.fixed and not reading.problem


@pytest.mark.parametrize(
    "text",
    ["ftp://files.example.org/report.pdf", "file:///C:/x.pdf", "javascript:alert(1)",
     "mailto:chief@example.org", "see attached", "https://exa mple.org/"],
)  # fmt: skip
def test_other_schemes_and_non_addresses_are_dropped_with_a_reason(text):
    reading = read_link(text)
    assert reading.url == "" and reading.problem


def test_a_warning_names_line_column_and_value():
    warning = FieldWarning(line=12, column="Link 2 Date", value="10/4", reason="unreadable")
    assert str(warning) == "line 12, Link 2 Date '10/4': unreadable"


@pytest.mark.parametrize(
    ("city", "state", "expected"),
    [
        ("Dallas, Texas", "TX", "Dallas"),
        ("Dallas, TX", "TX", "Dallas"),
        ("Dallas", "TX", "Dallas"),
        ("Washington, Georgia", "NC", "Washington, Georgia"),
        ("", "TX", ""),
    ],
)
def test_a_city_that_repeats_its_state_is_read_without_it(city, state, expected):
    assert city_without_state(city, state) == expected
