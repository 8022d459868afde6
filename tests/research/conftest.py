"""Shared helpers for the research tests: checks and tasks made through the services (the root
conftest clears the caches for every test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from survmap.common.dates import PartialDate
from survmap.research.models import CheckOutcome, ResearchCheck, ResearchTask
from survmap.research.services import ConsultedSource, check_approve, check_submit
from tests.factories import AgencyFactory, TechnologyFactory


def make_check(**overrides: Any) -> ResearchCheck:
    """A pending check stored the way a report stores it."""
    values: dict[str, Any] = {
        "agency": overrides.pop("agency", None) or AgencyFactory(),
        "technology": overrides.pop("technology", None) or TechnologyFactory(),
        "outcome": CheckOutcome.NONE_FOUND,
        "checked_on": PartialDate(2026, 5, 1),
        "summary": "Searched the council agendas for 'drone'.",
        "credit_name": "Dana Researcher",
        "sources": [
            ConsultedSource(
                url="https://council.example.gov/agendas?q=drone", kind="council_agenda"
            )
        ],
        **overrides,
    }
    return check_submit(**values)


def approved_check(moderator: User, **overrides: Any) -> ResearchCheck:
    return check_approve(research_check=make_check(**overrides), moderator=moderator)


def make_task(**overrides: Any) -> ResearchTask:
    values: dict[str, Any] = {
        "agency": overrides.pop("agency", None) or AgencyFactory(),
        "technology": overrides.pop("technology", None) or TechnologyFactory(),
        "priority": 10,
        **overrides,
    }
    task = ResearchTask(**values)
    task.full_clean()
    task.save()
    return task


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()
