"""Research checks as records: constraints, staleness, history, cleaned text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from survmap.research.models import (
    CheckOutcome,
    CheckStatus,
    ResearchCheck,
    ResearchTask,
    TaskStatus,
    stale_cutoff,
)
from tests.factories import PartnershipFactory
from tests.research.conftest import make_check, make_task

pytestmark = pytest.mark.django_db


def test_every_field_has_help_text():
    from survmap.research.models import CheckSource, RecordsRequest

    for model in (ResearchCheck, CheckSource, RecordsRequest, ResearchTask):
        for field in model._meta.concrete_fields:
            if field.name == "id":
                continue
            assert field.help_text, f"{model.__name__}.{field.name}"


def test_stale_cutoff_is_eighteen_months_before_today_by_default():
    assert stale_cutoff(dt.date(2026, 12, 1)) == dt.date(2025, 6, 1)
    # 31 August minus 18 months has no 31st: the last day of February.
    assert stale_cutoff(dt.date(2026, 8, 31)) == dt.date(2025, 2, 28)


def test_the_stale_period_is_a_setting(settings):
    settings.SURVMAP_RESEARCH_STALE_MONTHS = 6
    assert stale_cutoff(dt.date(2026, 12, 1)) == dt.date(2026, 6, 1)


def test_a_check_older_than_the_period_is_stale(settings):
    from survmap.common.dates import PartialDate

    old = make_check(checked_on=PartialDate(2020))
    assert old.is_stale
    assert ResearchCheck.objects.stale().filter(pk=old.pk).exists()
    fresh = make_check(checked_on=PartialDate.parse(dt.date.today().isoformat()))
    assert not fresh.is_stale
    assert ResearchCheck.objects.fresh().filter(pk=fresh.pk).exists()


def test_the_database_refuses_a_partnership_on_a_none_found_check():
    research_check = make_check()
    partnership = PartnershipFactory(agency=research_check.agency)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearchCheck.objects.filter(pk=research_check.pk).update(partnership=partnership)


def test_the_database_refuses_an_approved_found_check_without_its_partnership():
    research_check = make_check(outcome=CheckOutcome.FOUND)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearchCheck.objects.filter(pk=research_check.pk).update(
            status=CheckStatus.APPROVED, reviewed_at=dt.datetime.now(dt.UTC)
        )


def test_the_database_refuses_a_rejection_without_a_reason():
    research_check = make_check()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearchCheck.objects.filter(pk=research_check.pk).update(
            status=CheckStatus.REJECTED, reviewed_at=dt.datetime.now(dt.UTC)
        )


def test_the_database_refuses_an_outcome_that_is_no_choice():
    research_check = make_check()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearchCheck.objects.filter(pk=research_check.pk).update(outcome="maybe")


def test_a_check_dated_in_the_future_is_refused():
    from survmap.common.dates import PartialDate

    with pytest.raises(ValidationError, match="future"):
        make_check(checked_on=PartialDate(dt.date.today().year + 1))


def test_one_open_task_per_agency_and_technology():
    task = make_task()
    with pytest.raises(ValidationError):
        make_task(agency=task.agency, technology=task.technology)
    task.status = TaskStatus.CLOSED
    task.save()
    # Closed tasks do not count: the pair can be researched again.
    make_task(agency=task.agency, technology=task.technology)


def test_a_check_keeps_its_history_without_its_private_token():
    research_check = make_check()
    research_check.summary = "Edited"
    research_check.full_clean()
    research_check.save()
    history = research_check.history.all()
    assert history.count() == 2
    assert not hasattr(history.first(), "token")
    assert not hasattr(history.first(), "ip_hash")
