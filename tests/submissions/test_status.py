"""Corrections, and the contributor's private status page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.submissions.models import Submission, SubmissionKind
from survmap.submissions.services import submission_approve, submission_reject, submission_undo
from tests.factories import AgencyFactory, PartnershipFactory
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def test_every_agency_page_and_partnership_row_offers_a_correction(client):
    partnership = PartnershipFactory()
    html = client.get(reverse("web:agency", args=[partnership.agency_id])).content.decode()
    assert f"{reverse('submissions:correction')}?agency={partnership.agency_id}" in html
    assert f"{reverse('submissions:correction')}?partnership={partnership.pk}" in html
    home = client.get(reverse("web:table")).content.decode()
    assert f"?partnership={partnership.pk}" in home


def test_the_nav_links_to_the_tip_form(client):
    assert reverse("submissions:submit") in client.get(reverse("web:home")).content.decode()


def test_a_correction_is_tied_to_its_partnership_and_needs_what_is_wrong_and_a_source(client):
    partnership = PartnershipFactory()
    url = reverse("submissions:correction") + f"?partnership={partnership.pk}"
    html = client.post(url, {"what_is_wrong": "", "source_1_url": ""}, follow=True).content.decode()
    assert 'id="id_what_is_wrong_error"' in html
    assert 'id="id_source_1_url_error"' in html
    assert not Submission.objects.exists()

    response = client.post(
        url,
        {
            "what_is_wrong": "The programme ended in 2022.",
            "partnership_status": "ended",
            "end_text": "2022",
            "source_1_url": "https://news.example.org/ended",
        },
        follow=True,
    )
    assert response.status_code == 200
    correction = Submission.objects.get()
    assert correction.kind == SubmissionKind.CORRECTION
    assert correction.target_partnership == partnership
    assert correction.target_agency == partnership.agency
    assert correction.end.isoformat() == "2022"


def test_a_correction_to_an_agency_is_tied_to_it(client):
    agency = PartnershipFactory().agency
    url = reverse("submissions:correction") + f"?agency={agency.pk}"
    client.post(
        url, {"what_is_wrong": "Wrong city.", "source_1_url": "https://city.example.gov/pd"}
    )
    assert Submission.objects.get().target_agency == agency


def test_corrections_are_only_offered_for_public_records(client):
    hidden = PartnershipFactory(sources=[])
    url = reverse("submissions:correction")
    assert client.get(url, {"partnership": hidden.pk}).status_code == 404
    assert client.get(url, {"agency": AgencyFactory().pk}).status_code == 404
    assert client.get(url).status_code == 404


def test_the_status_page_shows_the_status_and_the_moderators_reason(client, bob):
    submission = make_submission()
    url = reverse("submissions:status", args=[submission.token])
    assert "Pending review" in client.get(url).content.decode()
    submission_reject(submission=submission, moderator=bob, reason="The story is about Metropolis.")
    html = client.get(url).content.decode()
    assert "Rejected" in html
    assert "The story is about Metropolis." in html
    # Never the contributor's or the moderator's identity.
    assert "carol@example.org" not in html
    assert "Carol Contributor" not in html
    assert "bob" not in html


def test_the_status_link_is_unguessable_and_a_wrong_token_is_not_found(client):
    submission = make_submission()
    other = make_submission()
    assert len(submission.token) >= 43 and submission.token != other.token
    assert client.get(reverse("submissions:status", args=[submission.pk])).status_code == 404
    wrong = submission.token[:-1] + ("A" if submission.token[-1] != "A" else "B")
    assert client.get(reverse("submissions:status", args=[wrong])).status_code == 404


def test_the_private_status_page_is_never_cached(client):
    from tests.submissions.conftest import make_submission

    submission = make_submission()
    response = client.get(reverse("submissions:status", args=[submission.token]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_status_page_shows_the_whole_tip_and_says_an_undo_happened(client, tip, bob):
    client.post(reverse("submissions:submit"), tip)
    submission = Submission.objects.get()
    url = reverse("submissions:status", args=[submission.token])
    html = client.get(url).content.decode()
    for typed in (
        "Gotham Police Department (Gotham, NY)",
        "Face recognition",
        "Clearview AI",
        "The council approved a contract.",
        "March 2020",
        "https://news.example.org/gotham-face-recognition",
        "Gotham signs face recognition contract",
    ):
        assert typed in html, typed
    # The private contact details are not on a page anyone with the link can open.
    assert "carol@example.org" not in html and "Carol Contributor" not in html

    submission_approve(submission=submission, moderator=bob)
    submission_undo(submission=Submission.objects.get(), moderator=bob, reason="By mistake.")
    html = client.get(url).content.decode()
    assert "Pending review" in html
    assert ": approved</li>" in html
    assert "the last decision was undone" in html
    assert bob.username not in html
