"""Shared helpers for the submission tests: a clean rate-limit cache and a valid tip."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from survmap.geo.models import State
from survmap.submissions.models import Submission, SubmissionSource
from tests.factories import TechnologyFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The rate limit counts in the cache; one test's submissions must not limit the next.
    cache.clear()


@pytest.fixture
def tip(db) -> dict[str, Any]:
    """A valid /submit/ POST for a new agency, without JavaScript."""
    technology = TechnologyFactory(name="Face recognition", slug="face-recognition")
    return {
        "agency": "",
        "agency_name": "Gotham Police Department",
        "agency_state": "NY",
        "agency_city": "Gotham",
        "agency_kind": "police",
        "technology": str(technology.pk),
        "technology_other": "",
        "vendor": "",
        "vendor_name": "Clearview AI",
        "partnership_status": "active",
        "start_text": "March 2020",
        "end_text": "",
        "description": "The council approved a contract.",
        "source_1_url": "https://news.example.org/gotham-face-recognition",
        "source_1_title": "Gotham signs face recognition contract",
        "source_1_date": "2020-03-05",
        "contributor_name": "Carol Contributor",
        "contributor_email": "carol@example.org",
        "website": "",
    }


def make_submission(**overrides: Any) -> Submission:
    """A pending new-partnership submission stored the way the form stores it."""
    technology = overrides.pop("technology", None) or TechnologyFactory()
    url = overrides.pop("url", "https://news.example.org/tip")
    title = overrides.pop("source_title", "A story")
    values: dict[str, Any] = {
        "agency_name": "Gotham Police Department",
        "agency_state": State.objects.get(code="NY"),
        "agency_city": "Gotham",
        "technology": technology,
        "vendor_name": "",
        "partnership_status": "active",
        "description": "What the story shows.",
        "contributor_name": "Carol Contributor",
        "contributor_email": "carol@example.org",
        **overrides,
    }
    submission = Submission.objects.create(**values)
    SubmissionSource.objects.create(submission=submission, url=url, title=title)
    return submission
