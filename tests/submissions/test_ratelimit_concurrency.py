"""The submission limit holds when many posts arrive at once: a place is taken atomically
before a tip is checked and saved, not counted after it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from survmap.moderation import ratelimit
from survmap.submissions import views
from survmap.submissions.forms import PartnershipSubmissionForm
from survmap.submissions.models import Submission


def _at_once(count: int, work):
    """Run `work` in `count` threads released together by a barrier; their results."""
    barrier = threading.Barrier(count)

    def run(_index: int):
        barrier.wait()
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twelve_reservations_at_once_against_three_an_hour_get_exactly_three(settings):
    settings.SURVMAP_SUBMIT_RATE = "3/hour"
    results = _at_once(12, lambda: ratelimit.reserve("sender-a"))
    assert results.count(True) == 3
    assert not ratelimit.reserve("sender-a")
    # Refused attempts give their place back: the count stays at the limit, not above it, so
    # one place released is one place free again.
    ratelimit.release("sender-a")
    assert ratelimit.reserve("sender-a")
    assert ratelimit.reserve("sender-b")


def test_a_form_with_errors_gives_its_place_back(client, tip, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    for _ in range(3):
        response = client.post(
            reverse("submissions:submit"), {**tip, "source_1_url": ""}, follow=True
        )
        assert response.status_code == 200
    assert not Submission.objects.exists()
    assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 200
    assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 429
    assert Submission.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twelve_tips_posted_at_once_from_one_address_store_three(tip, settings, monkeypatch):
    settings.SURVMAP_SUBMIT_RATE = "3/hour"
    # The test database (SQLite in memory) takes one writer at a time and refuses the others
    # at once; validating and saving take turns here, as a busy database makes them, while
    # the limit is decided by the posts all arriving together.
    turns = threading.RLock()
    full_clean = PartnershipSubmissionForm.full_clean
    create = views.submission_create

    def clean_in_turn(form):
        with turns:
            return full_clean(form)

    def create_in_turn(**kwargs):
        with turns:
            return create(**kwargs)

    monkeypatch.setattr(PartnershipSubmissionForm, "full_clean", clean_in_turn)
    monkeypatch.setattr(views, "submission_create", create_in_turn)

    def post() -> int:
        return Client().post(reverse("submissions:submit"), tip).status_code

    statuses = _at_once(12, post)
    # A tip sent is a redirect to its thank-you page (302); a refused one a 429.
    assert sorted(statuses) == [302] * 3 + [429] * 9
    assert Submission.objects.count() == 3
