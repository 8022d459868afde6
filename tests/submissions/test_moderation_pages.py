"""The moderators' pages say what happened and what waits: after a decision a message links to
the record and to undo; the admin's front page counts pending submissions; the queue's decision
link is never clipped at 1280 px."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from survmap.records.models import Partnership
from survmap.submissions.models import SubmissionStatus
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def _decide(client, submission, action: str, reason: str = ""):
    return client.post(
        reverse("admin:submissions_submission_decide", args=[submission.pk]),
        {"action": action, "reason": reason},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_after_approving_the_message_links_to_the_record_and_to_undo(bob_client):
    submission = make_submission()
    response = _decide(bob_client, submission, "approve", "Checked.")
    partnership = Partnership.objects.public().get()
    (message,) = _messages(response)
    assert message.startswith("Approve: Gotham Police Department")
    assert f'href="{partnership.get_absolute_url()}"' in message
    assert reverse("admin:records_partnership_change", args=[partnership.pk]) in message
    decide = reverse("admin:submissions_submission_decide", args=[submission.pk])
    assert f'<a href="{decide}">Undo this decision</a>' in message
    # Shown as links on the page, not as escaped text.
    assert f'<a href="{decide}">Undo this decision</a>' in response.content.decode()


def test_after_rejecting_the_message_offers_the_undo(bob_client):
    submission = make_submission()
    response = _decide(bob_client, submission, "reject", "No source shows it.")
    (message,) = _messages(response)
    assert "Undo this decision" in message
    undone = _decide(bob_client, submission, "undo")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert "Decide again" in _messages(undone)[0]


def test_the_admin_front_page_counts_the_pending_submissions(bob_client):
    make_submission()
    make_submission(agency_name="Metropolis PD")
    make_submission(agency_name="Elsewhere PD", status=SubmissionStatus.REJECTED)
    page = html.unescape(bob_client.get(reverse("admin:index")).content.decode())
    assert "<strong>2</strong> submissions (tips and corrections) waiting for a decision." in page
    assert reverse("admin:submissions_submission_changelist") in page


def test_the_front_page_says_when_nothing_waits(bob_client):
    page = bob_client.get(reverse("admin:index")).content.decode()
    assert "No submission is waiting for a decision." in page


@pytest.fixture
def long_queue(db) -> None:
    for n in range(3):
        make_submission(agency_name=f"Springfield Township Police Department of Area {n}" * 2)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_queue_fits_at_1280_px_with_the_decision_link_in_view(
    bob, long_queue, live_server, chromium
):
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "bob")
    page.fill("#id_password", "bob-password-1")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:submissions_submission_changelist"))
    links = page.get_by_role("link", name="Review and decide")
    assert links.count() == 3
    for index in range(3):
        box = links.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    # Nothing hidden off the table's right edge either.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('#result_list th, #result_list td')]
            .filter(cell => cell.getBoundingClientRect().right >
                    document.querySelector('#changelist-form').getBoundingClientRect().right + 1)
            .length"""
    )
    assert clipped == 0


def test_the_front_page_counts_everything_waiting(bob_client):
    from survmap.imports.models import ImportNote, ImportRun
    from survmap.records.models import Conflict
    from tests.research.conftest import make_check

    make_submission()
    make_check()
    Conflict.objects.create(
        record_model="records.agency", record_id=1, field="city", set_by="x", source="atlas"
    )
    from django.utils import timezone

    now = timezone.now()
    counts = dict.fromkeys(
        (
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "imported_whole",
            "with_warnings",
            "with_conflicts",
            "refused",
        ),
        0,
    )
    run = ImportRun.objects.create(
        importer="atlas", file_name="atlas.csv", started_at=now, finished_at=now, **counts
    )
    ImportNote.objects.create(run=run, kind="value_dropped", line=3, detail="dropped")
    page = html.unescape(bob_client.get(reverse("admin:index")).content.decode())
    for waiting in (
        "1</strong> tip or correction",
        "1</strong> research check",
        "1</strong> import conflict",
        "1</strong> import line not handled",
    ):
        assert waiting in page, waiting
    assert reverse("admin:records_conflict_changelist") + "?status__exact=open" in page


def test_edit_before_deciding_has_one_start_field_and_no_status(bob_client):
    submission = make_submission()
    url = reverse("admin:submissions_submission_change", args=[submission.pk])
    page = bob_client.get(url).content.decode()
    assert 'name="start_text"' in page
    assert 'name="start_date"' not in page and 'name="start_precision"' not in page
    assert "field-status" not in page
    form = bob_client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(
        {
            "start_text": "Dec 2026",
            "end_text": "",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, list)}
    response = bob_client.post(url, data)
    submission.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert submission.start.display() == "December 2026"
    assert submission.status == SubmissionStatus.PENDING


def test_no_bulk_delete_of_submissions(bob_client):
    make_submission()
    page = bob_client.get(reverse("admin:submissions_submission_changelist")).content.decode()
    assert 'value="delete_selected"' not in page


def test_after_approval_the_new_record_is_not_its_own_likely_duplicate(bob_client):
    submission = make_submission()
    _decide(bob_client, submission, "approve", "Checked.")
    page = bob_client.get(reverse("admin:submissions_submission_decide", args=[submission.pk]))
    duplicates = page.context["duplicates"]
    assert duplicates.partnerships == [] and duplicates.agencies == []
