"""The public change log and its Atom feed: what changed, when and on what source; never who,
and never a record that is not public."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from survmap.records.models import PartnershipStatus
from survmap.records.services import record_delete
from survmap.submissions.services import submission_approve
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory
from tests.records.by_hand import partnership_upsert
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_it_lists_additions_changes_with_fields_and_removals_with_their_sources(client):
    source = SourceFactory(title="Council approves contract", url="https://news.example.org/c")
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department"), sources=[source]
    )
    partnership_upsert(
        instance=partnership,
        agency=partnership.agency,
        technology=partnership.technology,
        vendor=partnership.vendor,
        sources=[],
        status=PartnershipStatus.ENDED,
    )
    html = client.get(reverse("changelog:changes")).content.decode()
    assert "Warren Police Department" in html
    assert "Partnership added" in html
    assert "Partnership changed" in html
    assert "status" in html
    assert "Council approves contract" in html
    assert "https://news.example.org/c" in html

    record_delete(instance=partnership, reason="Duplicate")
    html = client.get(reverse("changelog:changes")).content.decode()
    assert "Partnership removed" in html


def test_records_that_never_were_public_stay_out(client):
    PartnershipFactory(sources=[], agency=AgencyFactory(name="Hidden Police Department"))
    html = client.get(reverse("changelog:changes")).content.decode()
    assert "Hidden Police Department" not in html
    assert "Hidden Police Department" not in client.get(reverse("changelog:feed")).content.decode()


def test_it_never_names_the_moderator_or_the_contributor(client, bob_client, bob):
    submission = make_submission(
        agency_name="Gotham Police Department",
        contributor_name="Carol Contributor",
        contributor_email="carol@example.org",
    )
    bob_client.post(
        reverse("admin:submissions_submission_decide", args=[submission.pk]),
        {"action": "approve", "reason": "Checked by bob"},
    )
    submission.refresh_from_db()
    assert submission.status == "approved"
    # The history knows who approved; the public log must not say it.
    assert submission.result_partnership.history.first().history_user == bob
    for url in (reverse("changelog:changes"), reverse("changelog:feed")):
        text = client.get(url).content.decode()
        assert "Gotham Police Department" in text
        for secret in ("bob", "Carol", "carol@example.org", "Checked by", "submission"):
            assert secret not in text, (url, secret)


def test_the_log_is_paginated(client):
    for _ in range(30):
        PartnershipFactory()
    first = client.get(reverse("changelog:changes"))
    assert len(first.context["entries"]) == 50
    assert first.context["older"] == 2
    second = client.get(reverse("changelog:changes"), {"page": 2})
    assert second.context["newer"] == 1
    seen = {(e.model, e.history_id) for e in first.context["entries"]}
    assert seen.isdisjoint((e.model, e.history_id) for e in second.context["entries"])
    assert [e.when for e in first.context["entries"]] == sorted(
        (e.when for e in first.context["entries"]), reverse=True
    )
    assert client.get(reverse("changelog:changes"), {"page": "x"}).status_code == 200


def test_the_atom_feed_is_valid_atom_with_one_entry_per_change(client):
    PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"))
    response = client.get(reverse("changelog:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert any("Warren Police Department" in title for title in titles)


def test_approval_appears_in_the_log_and_undo_shows_as_a_removal(client, bob):
    from survmap.submissions.services import submission_undo

    submission = make_submission(agency_name="Gotham Police Department")
    submission_approve(submission=submission, moderator=bob)
    assert "Gotham Police Department" in client.get(reverse("changelog:changes")).content.decode()
    submission_undo(submission=submission, moderator=bob)
    html = client.get(reverse("changelog:changes")).content.decode()
    assert "Partnership removed" in html
