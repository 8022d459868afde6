"""One date reader for tips, research reports and imports: the same answers, and the same
question where a day and a month could be swapped (a form asks; an import reads month first
and says so beside the value)."""

from __future__ import annotations

import datetime as dt

import pytest

from survmap.common.dates import AmbiguousDate, PartialDate, parse_written_date
from survmap.imports.fields import read_date
from survmap.research.forms import _parse_partial
from survmap.submissions.forms import _parse_date

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec 2026", PartialDate(2026, 12)),
        ("December 2026", PartialDate(2026, 12)),
        ("Sept 8, 2020", PartialDate(2020, 9, 8)),
        ("8 September 2020", PartialDate(2020, 9, 8)),
        ("09/2020", PartialDate(2020, 9)),
        ("2020-09-08", PartialDate(2020, 9, 8)),
        ("2020", PartialDate(2020)),
        ("22/3/2018", PartialDate(2018, 3, 22)),
        ("3/22/18", PartialDate(2018, 3, 22)),
    ],
)
def test_tips_research_reports_and_imports_read_a_date_alike(text, expected):
    assert parse_written_date(text, today=TODAY) == expected
    assert _parse_date(text) == expected  # the tip form
    assert _parse_partial(text) == expected  # the research report form
    reading = read_date(text, today=TODAY)  # an import
    assert (reading.value, reading.note, reading.problem) == (expected, "", "")


def test_a_swappable_day_and_month_is_asked_about_in_both_forms():
    from django.core.exceptions import ValidationError

    with pytest.raises(AmbiguousDate) as question:
        parse_written_date("07-11-2019")
    assert str(question.value).startswith("Is 07-11-2019 11 July 2019 or 7 November 2019?")
    for form_reader in (_parse_date, _parse_partial):
        with pytest.raises(ValidationError) as error:
            form_reader("07-11-2019")
        assert "Is 07-11-2019 11 July 2019 or 7 November 2019?" in str(error.value)


def test_an_import_reads_a_swappable_date_month_first_and_notes_it():
    reading = read_date("07-11-2019", today=TODAY)
    assert reading.value == PartialDate(2019, 7, 11)
    assert reading.note == (
        "Date written '07-11-2019': read month first, 11 July 2019; it could be 7 November 2019."
    )
