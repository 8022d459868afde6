"""A hostile submission is refused where it is invalid, and where it is approved, everything a
contributor typed is shown as inert text: pages, change log, feed and admin."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from survmap.records.models import Partnership
from survmap.submissions.models import Submission
from survmap.submissions.services import submission_approve

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
AGENCY = f"{SCRIPT} Police Department"


@pytest.fixture
def hostile(client, tip, bob) -> Partnership:
    tip.update(
        agency_name=AGENCY,
        description=f"{SCRIPT} described",
        source_1_title=IMG,
        source_2_url="javascript:alert(1)",
    )
    html = client.post(reverse("submissions:submit"), tip).content.decode()
    assert 'id="id_source_2_url_error"' in html
    assert not Submission.objects.exists()
    # The form kept the payload, escaped.
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    tip["source_2_url"] = ""
    client.post(reverse("submissions:submit"), tip)
    submission = Submission.objects.get()
    submission_approve(submission=submission, moderator=bob)
    submission.refresh_from_db()
    assert submission.result_partnership is not None
    return submission.result_partnership


def _inert(html: str) -> None:
    assert SCRIPT not in html
    assert IMG not in html
    assert "javascript:alert" not in html


def test_the_agency_page_shows_the_payload_as_text(client, hostile):
    html = client.get(reverse("web:agency", args=[hostile.agency_id])).content.decode()
    _inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police Department" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_home_list_shows_the_payload_as_text(client, hostile):
    html = client.get(reverse("web:table")).content.decode()
    _inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police Department" in html


def test_the_change_log_shows_the_payload_as_text(client, hostile):
    html = client.get(reverse("changelog:changes")).content.decode()
    _inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police Department" in html


def test_the_feed_escapes_the_payload_for_xml_and_for_its_html_summary(client, hostile):
    body = client.get(reverse("changelog:feed")).content
    text = body.decode()
    _inert(text)
    feed = ET.fromstring(body)  # noqa: S314 (our own response)
    entries = list(feed.iter("{http://www.w3.org/2005/Atom}entry"))
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries]
    # The title is plain text: the reader sees the characters.
    assert any(AGENCY in title for title in titles)
    # The summary is type="html": once XML-decoded it must still be escaped HTML.
    summaries = [e.findtext("{http://www.w3.org/2005/Atom}summary") or "" for e in entries]
    assert summaries and all(SCRIPT not in s and IMG not in s for s in summaries)
    assert any("&lt;script&gt;" in s for s in summaries)


def test_the_status_page_and_the_admin_escape_the_payload(client, bob_client, hostile):
    submission = Submission.objects.get()
    _inert(client.get(reverse("submissions:status", args=[submission.token])).content.decode())
    for url in (
        reverse("admin:submissions_submission_changelist") + "?status=all",
        reverse("admin:submissions_submission_decide", args=[submission.pk]),
        reverse("admin:submissions_submission_change", args=[submission.pk]),
        reverse("admin:records_agency_changelist"),
        reverse("admin:records_partnership_changelist"),
    ):
        response = bob_client.get(url)
        assert response.status_code == 200, url
        _inert(response.content.decode())


def test_a_nul_in_a_lookup_or_a_private_link_is_answered_not_a_500(client) -> None:
    # PostgreSQL refuses a NUL in text it compares: these were 500s there (SQLite found nothing).
    lookup = client.get(reverse("submissions:agency_lookup"), {"q": "Wa\x00rren", "state": "M\x00"})
    assert lookup.status_code == 200
    assert lookup.json() == {"agencies": []}
    duplicates = client.get(
        reverse("submissions:duplicate_lookup"), {"agency_name": "a\x00b", "state": "\x00"}
    )
    assert duplicates.status_code == 200
    for path in ("/submissions/a%00b/", "/research/claims/a%00b/", "/research/checks/a%00b/"):
        assert client.get(path).status_code == 404
