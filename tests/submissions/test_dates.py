"""Contributors' dates: the common forms are read, an ambiguous day and month is asked about."""

import pytest

from survmap.common.dates import PartialDate
from survmap.submissions.dates import AmbiguousDate, parse_contributor_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sept 8, 2020", PartialDate(2020, 9, 8)),
        ("sep. 8 2020", PartialDate(2020, 9, 8)),
        ("September 8th, 2020", PartialDate(2020, 9, 8)),
        ("8 September 2020", PartialDate(2020, 9, 8)),
        ("Sept 2020", PartialDate(2020, 9)),
        ("09/2020", PartialDate(2020, 9)),
        ("2020-09-08", PartialDate(2020, 9, 8)),
        ("2020", PartialDate(2020)),
        ("09/13/2020", PartialDate(2020, 9, 13)),
        ("13/09/2020", PartialDate(2020, 9, 13)),
        ("13.09.2020", PartialDate(2020, 9, 13)),
        ("09/09/2020", PartialDate(2020, 9, 9)),
        ("  ", None),
    ],
)
def test_common_forms_are_read_to_the_precision_given(text, expected):
    assert parse_contributor_date(text) == expected


def test_a_day_and_month_that_could_be_swapped_is_questioned_not_guessed():
    with pytest.raises(AmbiguousDate) as error:
        parse_contributor_date("09/08/2020")
    assert "8 September 2020 or 9 August 2020" in str(error.value)
    assert "2020-09-08" in str(error.value)


@pytest.mark.parametrize("text", ["Smarch 8, 2020", "Sept 31, 2020", "yesterday", "2020-13"])
def test_what_is_no_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_contributor_date(text)
