"""Moderation: approve, reject, undo, edit then approve; duplicates flagged; nothing public
before approval; every decision logged with who, when and why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.records.models import Agency, Partnership, PartnershipStatus, Source, Vendor
from survmap.submissions.models import DecisionAction, Submission, SubmissionStatus
from survmap.submissions.selectors import likely_duplicates
from survmap.submissions.services import (
    SubmissionError,
    submission_approve,
    submission_reject,
    submission_undo,
)
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory, TechnologyFactory
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def _decide(client, submission: Submission, action: str, reason: str = ""):
    return client.post(
        reverse("admin:submissions_submission_decide", args=[submission.pk]),
        {"action": action, "reason": reason},
    )


def test_a_pending_submission_is_absent_from_every_public_page_and_queryset(client, tip):
    existing = PartnershipFactory(
        agency=AgencyFactory(name="Gotham Police Department", state_id="NY")
    )
    client.post(reverse("submissions:submit"), {**tip, "agency": str(existing.agency_id)})
    client.post(
        reverse("submissions:submit"),
        {**tip, "agency_name": "Arkham Asylum Police", "agency_is_new": "on"},
    )
    assert Submission.objects.filter(status=SubmissionStatus.PENDING).count() == 2

    assert list(Partnership.objects.public()) == [existing]
    assert not Agency.objects.filter(name="Arkham Asylum Police").exists()
    assert not Source.objects.filter(url=tip["source_1_url"]).exists()
    pages = [
        reverse("web:home"),
        reverse("web:table"),
        reverse("web:map_counts") + "?level=state",
        reverse("web:map_counts") + "?level=county",
        reverse("web:region", args=["36"]),
        reverse("web:agency", args=[existing.agency_id]),
        reverse("web:technology", args=[existing.technology.slug]),
        reverse("changelog:changes"),
        reverse("changelog:feed"),
        reverse("api:partnership-list"),
        reverse("api:partnership-list") + "?format=csv",
        reverse("api:agency-list") + "?format=geojson",
        reverse("api:source-list"),
        reverse("api:vendor-list"),
        reverse("api:regions") + "?level=county",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        assert "Arkham" not in html, page
        assert "gotham-face-recognition" not in html, page
        assert "Clearview" not in html, page
        assert "The council approved a contract." not in html, page
    for export in ("api:export-partnerships-csv", "api:export-partnerships-geojson"):
        body = b"".join(client.get(reverse(export)).streaming_content).decode()
        for private in ("Arkham", "gotham-face-recognition", "Clearview", "Carol"):
            assert private not in body, export
    assert client.get(reverse("web:search"), {"q": "Arkham"}).json()["results"] == []
    lookup = client.get(reverse("submissions:agency_lookup"), {"q": "Arkham"}).json()
    assert lookup == {"agencies": []}


def test_the_queue_opens_on_pending_submissions_with_their_duplicate_counts(bob_client):
    agency = AgencyFactory(name="Gotham Police Department", state_id="NY")
    technology = TechnologyFactory()
    PartnershipFactory(agency=agency, technology=technology)
    pending = make_submission(technology=technology)
    rejected = make_submission(agency_name="Elsewhere PD", status=SubmissionStatus.REJECTED)
    response = bob_client.get(reverse("admin:submissions_submission_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [pending]
    assert rejected not in shown
    # The same agency (by name and state) and its partnership with this technology.
    assert shown[0].duplicate_count == 2
    html = response.content.decode()
    assert reverse("admin:submissions_submission_decide", args=[pending.pk]) in html


def test_duplicates_are_flagged_same_agency_and_technology_and_similar_names(bob_client):
    technology = TechnologyFactory()
    same = PartnershipFactory(
        agency=AgencyFactory(name="Gotham Police Department", state_id="NY"), technology=technology
    )
    similar = AgencyFactory(name="Gotham City Police Department", state_id="NY")
    AgencyFactory(name="Gotham Police Department", state_id="NJ")  # another state
    AgencyFactory(name="Metropolis Sheriff's Office", state_id="NY")  # not similar
    submission = make_submission(agency_name="Gotham Police Dept.", technology=technology)

    duplicates = likely_duplicates(submission)
    assert duplicates.partnerships == [same]
    assert [agency for agency, _ in duplicates.agencies] == [same.agency, similar]

    picked = make_submission(agency=same.agency, agency_name="", technology=technology)
    assert likely_duplicates(picked).partnerships == [same]

    html = bob_client.get(
        reverse("admin:submissions_submission_decide", args=[submission.pk])
    ).content.decode()
    assert "Same agency and technology" in html
    assert "Gotham City Police Department" in html


def test_approving_creates_the_agency_vendor_partnership_and_sources_and_logs_the_decision(
    bob_client, bob
):
    submission = make_submission(vendor_name="Clearview AI", start_text="2020")
    submission.start_date, submission.start_precision = (
        __import__("datetime").date(2020, 1, 1),
        "year",
    )
    submission.save()
    response = _decide(bob_client, submission, "approve", "Checked against the council minutes.")
    assert response.status_code == 302

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.reviewed_by == bob
    assert submission.reviewed_at is not None
    partnership = Partnership.objects.public().get()
    assert submission.result_partnership == partnership
    assert partnership.agency.name == "Gotham Police Department"
    assert partnership.agency.state_id == "NY"
    assert partnership.vendor.name == "Clearview AI"
    assert partnership.start.isoformat() == "2020"
    assert partnership.summary == "What the story shows."
    assert [s.url for s in partnership.sources.all()] == ["https://news.example.org/tip"]
    decision = submission.decisions.get()
    assert (decision.action, decision.moderator, decision.reason) == (
        DecisionAction.APPROVE,
        bob,
        "Checked against the council minutes.",
    )
    # The records' history says where they came from.
    assert "submission" in partnership.history.first().history_change_reason


def test_approving_merges_into_an_existing_agency_and_partnership_keeping_their_data(bob):
    source = SourceFactory(url="https://news.example.org/old", title="Old story")
    existing = PartnershipFactory(
        agency=AgencyFactory(name="Gotham Police Department", state_id="NY"),
        sources=[source],
        vendor=None,
        atlas_id="1234",
        attribution="EFF",
        status=PartnershipStatus.PILOT,
    )
    submission = make_submission(
        agency_name="GOTHAM POLICE DEPT",
        technology=existing.technology,
        partnership_status=PartnershipStatus.ACTIVE,
        url="https://news.example.org/old",
        source_title="A contributor's new title",
    )
    submission.sources.create(url="https://news.example.org/new", title="New story")
    submission_approve(submission=submission, moderator=bob)

    assert Agency.objects.count() == 1
    existing.refresh_from_db()
    assert Partnership.objects.count() == 1
    assert existing.status == PartnershipStatus.ACTIVE
    assert existing.atlas_id == "1234" and existing.attribution == "EFF"
    assert sorted(s.url for s in existing.sources.all()) == [
        "https://news.example.org/new",
        "https://news.example.org/old",
    ]
    source.refresh_from_db()
    assert source.title == "Old story"


def test_approval_is_all_or_nothing(bob):
    # The end is before the start: the partnership's checks refuse it after agency and sources
    # were written, and the whole approval rolls back.
    import datetime as dt

    submission = make_submission(
        start_date=dt.date(2021, 1, 1),
        start_precision="year",
        end_date=dt.date(2019, 12, 31),
        end_precision="year",
        vendor_name="Acme",
    )
    with pytest.raises(SubmissionError, match="end date is before the start"):
        submission_approve(submission=submission, moderator=bob)
    assert not Agency.objects.exists()
    assert not Source.objects.exists()
    assert not Vendor.objects.exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert not submission.decisions.exists()


def test_other_technology_must_be_chosen_before_approval_then_edit_then_approve(bob_client):
    technology = TechnologyFactory(name="Drones", slug="drones")
    submission = make_submission(technology=None, technology_other="flying cameras")
    submission.technology = None
    submission.save()
    response = _decide(bob_client, submission, "approve")
    assert response.status_code == 200
    assert "Choose one of survmap" in response.content.decode()
    assert not Partnership.objects.exists()

    # Edit in the admin: pick the technology and fix the agency's name, then approve.
    change = reverse("admin:submissions_submission_change", args=[submission.pk])
    form = bob_client.get(change).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        technology=str(technology.pk),
        agency_name="Gotham City Police Department",
        agency_state="NY",
        sources_TOTAL_FORMS="1",
        sources_INITIAL_FORMS="1",
        sources_MIN_NUM_FORMS="0",
        sources_MAX_NUM_FORMS="1000",
        **{
            "sources-0-id": str(submission.sources.get().pk),
            "sources-0-submission": str(submission.pk),
            "sources-0-url": "https://news.example.org/tip",
            "sources-0-title": "A story",
            "sources-0-published_text": "",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
            "decisions-MIN_NUM_FORMS": "0",
            "decisions-MAX_NUM_FORMS": "0",
        },
    )
    data = {k.replace("sources_", "sources-"): v for k, v in data.items()}
    response = bob_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _decide(bob_client, submission, "approve").status_code == 302
    partnership = Partnership.objects.public().get()
    assert partnership.technology == technology
    assert partnership.agency.name == "Gotham City Police Department"


def test_rejecting_needs_a_reason_that_the_contributor_then_sees(bob_client, bob):
    submission = make_submission()
    response = _decide(bob_client, submission, "reject", "")
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING

    _decide(bob_client, submission, "reject", "No source mentions Gotham.")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.decision_reason == "No source mentions Gotham."
    assert submission.decisions.get().moderator == bob
    assert not Partnership.objects.exists()


def test_undoing_an_approval_removes_what_it_created_and_returns_it_to_pending(bob):
    submission = make_submission(vendor_name="Clearview AI")
    submission_approve(submission=submission, moderator=bob, reason="ok")
    assert Partnership.objects.public().exists()

    submission_undo(submission=submission, moderator=bob, reason="Approved by mistake.")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert not Partnership.objects.exists()
    assert not Agency.objects.exists()
    assert not Source.objects.exists()
    assert not Vendor.objects.exists()
    assert [d.action for d in submission.decisions.all()] == [
        DecisionAction.APPROVE,
        DecisionAction.UNDO,
    ]
    assert submission.decisions.last().reason == "Approved by mistake."
    # And it can be decided again.
    submission_approve(submission=submission, moderator=bob)
    assert Partnership.objects.public().count() == 1


def test_undoing_a_merge_restores_the_existing_records_from_their_history(bob):
    old_source = SourceFactory(url="https://news.example.org/old")
    existing = PartnershipFactory(
        agency=AgencyFactory(name="Gotham Police Department", state_id="NY"),
        sources=[old_source],
        vendor=None,
        status=PartnershipStatus.PILOT,
    )
    submission = make_submission(
        agency=existing.agency,
        technology=existing.technology,
        partnership_status=PartnershipStatus.ENDED,
        url="https://news.example.org/new",
    )
    submission_approve(submission=submission, moderator=bob)
    existing.refresh_from_db()
    assert existing.status == PartnershipStatus.ENDED
    assert existing.sources.count() == 2

    submission_undo(submission=submission, moderator=bob)
    existing.refresh_from_db()
    assert existing.status == PartnershipStatus.PILOT
    assert list(existing.sources.all()) == [old_source]
    assert not Source.objects.filter(url="https://news.example.org/new").exists()
    assert Agency.objects.filter(pk=existing.agency_id).exists()


def test_undoing_a_rejection_returns_it_to_the_queue(bob_client, bob):
    submission = make_submission()
    submission_reject(submission=submission, moderator=bob, reason="No.")
    assert _decide(bob_client, submission, "undo", "Second look.").status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert [d.action for d in submission.decisions.all()] == [
        DecisionAction.REJECT,
        DecisionAction.UNDO,
    ]


def test_a_decision_cannot_be_made_twice(bob):
    submission = make_submission()
    submission_reject(submission=submission, moderator=bob, reason="No.")
    with pytest.raises(SubmissionError, match="rejected"):
        submission_approve(submission=submission, moderator=bob)
    with pytest.raises(SubmissionError):
        submission_undo(submission=make_submission(), moderator=bob)


def test_approving_a_correction_updates_the_partnership_with_its_source(bob):
    partnership = PartnershipFactory(status=PartnershipStatus.ACTIVE)
    correction = make_submission(
        kind="correction",
        target_partnership=partnership,
        target_agency=partnership.agency,
        agency_name="",
        agency_state=None,
        technology=partnership.technology,
        partnership_status=PartnershipStatus.ENDED,
        what_is_wrong="It ended.",
        url="https://news.example.org/ended",
    )
    submission_approve(submission=correction, moderator=bob)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ENDED
    assert partnership.sources.filter(url="https://news.example.org/ended").exists()


def test_the_queue_is_staff_only(client, alice_client):
    submission = make_submission()
    for c in (client, alice_client):
        response = c.get(reverse("admin:submissions_submission_decide", args=[submission.pk]))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
        assert (
            c.post(
                reverse("admin:submissions_submission_decide", args=[submission.pk]),
                {"action": "approve"},
            ).status_code
            == 302
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_similar_names_compare_place_words_not_the_shared_police_department():
    from survmap.geo.models import State
    from survmap.submissions.selectors import similar_agencies

    AgencyFactory(name="Shelbyville Police Department", state_id="NY")
    misspelt = AgencyFactory(name="Springfeild Police Department", state_id="NY")
    sheriff = AgencyFactory(name="Springfield County Sheriff's Office", state_id="NY")
    found = dict(similar_agencies("Springfield Police Dept", "NY"))
    assert set(found) == {misspelt, sheriff}
    assert found[sheriff] == 0.95
    assert 0.85 <= found[misspelt] < 0.95
    assert State.objects.filter(code="NY").exists()
