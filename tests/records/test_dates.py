import datetime as dt

import pytest

from survmap.common.dates import DatePrecision, PartialDate, stored_isoformat

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("3/22/18", PartialDate(2018, 3, 22), DatePrecision.DAY),
        ("02/27/2020", PartialDate(2020, 2, 27), DatePrecision.DAY),
        ("2016", PartialDate(2016), DatePrecision.YEAR),
        ("05/2019", PartialDate(2019, 5), DatePrecision.MONTH),
        ("2020-03", PartialDate(2020, 3), DatePrecision.MONTH),
        ("2020-03-05", PartialDate(2020, 3, 5), DatePrecision.DAY),
        ("March 2020", PartialDate(2020, 3), DatePrecision.MONTH),
        ("1/1/99", PartialDate(1999, 1, 1), DatePrecision.DAY),
    ],
)
def test_it_reads_every_date_form_with_its_precision(text, expected, precision):
    parsed = PartialDate.parse(text, today=TODAY)
    assert parsed == expected
    assert parsed.precision == precision


def test_empty_text_is_no_date():
    assert PartialDate.parse("  ") is None


@pytest.mark.parametrize("text", ["2/30/2020", "13/2019", "2019-13", "soon", "31/12/2020"])
def test_an_impossible_date_is_an_error_not_a_guess(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text, today=TODAY)


def test_periods_have_first_and_last_days():
    assert PartialDate(2020).first_day() == dt.date(2020, 1, 1)
    assert PartialDate(2020).last_day() == dt.date(2020, 12, 31)
    assert PartialDate(2020, 2).last_day() == dt.date(2020, 2, 29)
    assert PartialDate(2020, 2, 3).last_day() == dt.date(2020, 2, 3)


def test_stored_dates_round_trip_through_their_precision():
    for value in (PartialDate(2019), PartialDate(2019, 5), PartialDate(2019, 5, 7)):
        assert PartialDate.from_stored(value.first_day(), value.precision) == value
        assert PartialDate.from_stored(value.last_day(), value.precision) == value
        assert PartialDate.parse(value.isoformat()) == value


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (dt.date(2020, 1, 1), "year", "2020"),
        (dt.date(2020, 3, 1), "month", "2020-03"),
        (dt.date(2020, 3, 5), "day", "2020-03-05"),
        (dt.date(1999, 12, 31), "year", "1999"),
        (None, "", ""),
        (None, "day", ""),
    ],
)
def test_stored_isoformat_is_the_partial_dates_isoformat(
    value: dt.date | None, precision: str, expected: str
) -> None:
    """The exports' shortcut must write what PartialDate writes."""
    assert stored_isoformat(value, precision) == expected
    stored = PartialDate.from_stored(value, precision)
    assert (stored.isoformat() if stored else "") == expected
