"""The decision page shows what approval will change, field by field, worked out by the approval
itself and rolled back: for a plain approval and after the moderator edits the submission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from survmap.records.models import Agency, Partnership, PartnershipStatus, Source
from survmap.submissions.models import SubmissionStatus
from survmap.submissions.preview import approval_preview
from survmap.submissions.services import submission_approve
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing():
    return PartnershipFactory(
        agency=AgencyFactory(name="Gotham Police Department", state_id="NY"),
        vendor=None,
        status=PartnershipStatus.PILOT,
        sources=[SourceFactory(url="https://news.example.org/old", title="Old story")],
    )


def _history_rows() -> int:
    return sum(m.history.count() for m in (Agency, Partnership, Source))


def test_merging_into_a_record_previews_each_overwritten_field_and_writes_nothing(bob, existing):
    submission = make_submission(
        agency_name="GOTHAM POLICE DEPT",
        technology=existing.technology,
        partnership_status=PartnershipStatus.ENDED,
        end_date=dt.date(2021, 6, 30),
        end_precision="month",
        url="https://news.example.org/ended",
        source_title="Gotham ends its pilot",
    )
    history = _history_rows()
    preview = approval_preview(submission=submission, moderator=bob)

    assert not preview.error
    partnership = next(r for r in preview.records if r.kind == "Partnership")
    assert not partnership.created
    fields = {change.label: (change.before, change.after) for change in partnership.fields}
    assert fields["status"] == ("Pilot", "Ended")
    assert fields["end date"] == ("—", "2021-06-30")
    assert any(label.startswith("sources: Gotham ends its pilot") for label in fields)
    source = next(r for r in preview.records if r.kind == "Source")
    assert source.created
    # Rolled back: no record, link, history row or status change survives the preview.
    existing.refresh_from_db()
    assert existing.status == PartnershipStatus.PILOT
    assert existing.end_date is None
    assert not Source.objects.filter(url="https://news.example.org/ended").exists()
    assert _history_rows() == history
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_the_preview_is_what_approval_then_does(bob, existing):
    submission = make_submission(
        agency_name="Gotham Police Department",
        technology=existing.technology,
        partnership_status=PartnershipStatus.ACTIVE,
    )
    preview = approval_preview(submission=submission, moderator=bob)
    previewed = {
        (r.kind, c.label): c.after for r in preview.records for c in r.fields if ":" not in c.label
    }
    submission_approve(submission=submission, moderator=bob)
    existing.refresh_from_db()
    assert previewed[("Partnership", "status")] == existing.get_status_display() == "Active"


def test_a_new_agency_and_partnership_are_previewed_as_created(bob):
    submission = make_submission(agency_name="Metropolis Police Department", vendor_name="Acme")
    preview = approval_preview(submission=submission, moderator=bob)
    kinds = {(r.kind, r.created) for r in preview.records}
    assert {("Agency", True), ("Partnership", True), ("Vendor", True)} <= kinds
    agency = next(r for r in preview.records if r.kind == "Agency")
    assert ("name", "—", "Metropolis Police Department") in {
        (c.label, c.before, c.after) for c in agency.fields
    }
    assert not Agency.objects.exists()


def test_a_submission_approval_would_refuse_says_why_instead(bob):
    submission = make_submission(
        start_date=dt.date(2021, 1, 1),
        start_precision="year",
        end_date=dt.date(2019, 12, 31),
        end_precision="year",
    )
    preview = approval_preview(submission=submission, moderator=bob)
    assert "end date is before the start" in preview.error
    assert not Agency.objects.exists()


def test_the_decision_page_shows_the_preview_table(bob_client, existing):
    submission = make_submission(
        agency_name="Gotham Police Department",
        technology=existing.technology,
        partnership_status=PartnershipStatus.ENDED,
    )
    page = bob_client.get(reverse("admin:submissions_submission_decide", args=[submission.pk]))
    html = page.content.decode()
    assert "What approval will change" in html
    row = re.search(r"<td>status</td><td><del>(.*?)</del></td><td><ins>(.*?)</ins></td>", html)
    assert row and row.groups() == ("Pilot", "Ended")


def test_edit_then_approve_returns_to_the_preview_of_the_edited_submission(bob_client, existing):
    submission = make_submission(
        agency_name="Gotham Police Department",
        technology=existing.technology,
        partnership_status=PartnershipStatus.ENDED,
    )
    change_url = reverse("admin:submissions_submission_change", args=[submission.pk])
    form = bob_client.get(change_url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "kind": submission.kind,
            "agency_state": "NY",
            "technology": existing.technology.pk,
            "partnership_status": PartnershipStatus.SUSPENDED,
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
            "_save": "Save",
        }
    )
    data = {key: value for key, value in data.items() if value is not None}
    for key in ("agency", "vendor", "target_agency", "target_partnership"):
        data.setdefault(key, "")
    response = bob_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    decide = reverse("admin:submissions_submission_decide", args=[submission.pk])
    assert response["Location"] == decide + "#preview"
    html = bob_client.get(decide).content.decode()
    row = re.search(r"<td>status</td><td><del>(.*?)</del></td><td><ins>(.*?)</ins></td>", html)
    assert row and row.groups() == ("Pilot", "Suspended")


def _sequences() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences")
        return {name: value for name, value in cursor.fetchall()}


def test_a_preview_consumes_no_ids_on_postgresql(bob):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite gives a rolled-back row's id out again: nothing to consume there")
    submission = make_submission()
    before = _sequences()
    preview = approval_preview(submission=submission, moderator=bob)
    assert {r.kind for r in preview.records} >= {"Agency", "Partnership", "Source"}
    after = _sequences()
    moved = {
        name: (before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    }
    assert moved == {}
