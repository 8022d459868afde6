"""How old a status is: what the sources said and as of when, and when that is too old."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import override_settings

from survmap.common.dates import PartialDate
from survmap.records.freshness import PHRASES, confirmed_on, status_age
from survmap.records.models import PartnershipStatus

TODAY = dt.date(2026, 12, 6)


def test_an_active_status_reads_as_reported_active_as_of_its_date():
    age = status_age(PartnershipStatus.ACTIVE, PartialDate(2020, 10), today=TODAY)
    assert age.label == "Reported active, as of October 2020"
    # October 2020 confirms it to the month's last day: six whole years before December 2026.
    assert age.years == 6
    assert age.stale
    assert age.note == "Not confirmed for 6 years"


def test_an_approval_says_it_is_not_yet_reported_in_use():
    age = status_age(PartnershipStatus.APPROVED, PartialDate(2025, 7, 24), today=TODAY)
    assert age.label == "Approved, not yet reported in use, as of 24 July 2025"
    assert not age.stale and age.note == ""


@pytest.mark.parametrize("status", PartnershipStatus.values)
def test_every_status_label_says_as_of_even_without_a_date(status):
    assert ", as of " in status_age(status, PartialDate(2024), today=TODAY).label
    undated = status_age(status, None, today=TODAY)
    assert undated.label.endswith(", as of date not known")
    assert status in PHRASES


def test_a_decision_in_the_past_never_goes_stale_but_a_standing_status_does():
    long_ago = PartialDate(2015, 5, 22)
    for status in (PartnershipStatus.ENDED, PartnershipStatus.REJECTED, PartnershipStatus.BANNED):
        assert not status_age(status, long_ago, today=TODAY).stale
    for status in (PartnershipStatus.ACTIVE, PartnershipStatus.PILOT, PartnershipStatus.APPROVED):
        assert status_age(status, long_ago, today=TODAY).stale
    assert status_age(PartnershipStatus.ACTIVE, None, today=TODAY).note == (
        "Never confirmed by a dated source"
    )


def test_the_agreed_age_is_one_setting():
    recent = PartialDate(2024, 11)
    assert not status_age(PartnershipStatus.ACTIVE, recent, today=TODAY).stale
    with override_settings(SURVMAP_STATUS_STALE_YEARS=1):
        assert status_age(PartnershipStatus.ACTIVE, recent, today=TODAY).stale


def test_the_confirming_date_is_the_records_own_else_its_newest_source():
    sources = [SimpleNamespace(published=PartialDate(2019)), SimpleNamespace(published=None)]
    sources.append(SimpleNamespace(published=PartialDate(2021, 3)))
    record = SimpleNamespace(status_as_of=None, sources=SimpleNamespace(all=lambda: sources))
    assert confirmed_on(record) == PartialDate(2021, 3)
    record.status_as_of = PartialDate(2020, 6)
    assert confirmed_on(record) == PartialDate(2020, 6)
