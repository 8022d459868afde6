"""The research write path: submit, approve / reject / undo, tasks generated, claimed and
reported; every step validated and atomic, the data version moved only by public changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from survmap.common import data_version
from survmap.common.dates import PartialDate
from survmap.records.models import AgencyKind
from survmap.research.models import (
    CheckOutcome,
    CheckStatus,
    ResearchCheck,
    ResearchTask,
    TaskStatus,
)
from survmap.research.services import (
    ConsultedSource,
    RequestInput,
    ResearchError,
    check_approve,
    check_reject,
    check_undo,
    task_claim,
    task_generate,
    task_release,
    task_report,
)
from survmap.submissions.models import Submission, SubmissionStatus
from survmap.submissions.services import submission_approve
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check, make_task

pytestmark = pytest.mark.django_db

SOURCE = ConsultedSource(url="https://city.example.gov/news?q=drone", kind="press_release")


def test_a_submitted_check_is_pending_and_not_public():
    research_check = make_check()
    assert research_check.status == CheckStatus.PENDING
    assert not ResearchCheck.objects.public().exists()


def test_a_check_needs_somewhere_looked():
    with pytest.raises(ValidationError, match="Say where you looked"):
        make_check(sources=[])


def test_a_records_request_alone_is_somewhere_looked():
    research_check = make_check(
        sources=[],
        records_requests=[RequestInput(reference="R-2026-114", answer="no_records")],
    )
    assert research_check.records_requests.get().reference == "R-2026-114"


def test_a_bad_source_address_saves_nothing():
    with pytest.raises(ValidationError):
        make_check(sources=[SOURCE, ConsultedSource(url="javascript:alert(1)")])
    assert not ResearchCheck.objects.exists()


def test_approval_publishes_and_moves_the_data_version_after_commit(
    bob, django_capture_on_commit_callbacks
):
    research_check = make_check()
    before = data_version.current().token
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        check_approve(research_check=research_check, moderator=bob)
    assert callbacks
    assert ResearchCheck.objects.public().filter(pk=research_check.pk).exists()
    assert data_version.current().token != before


def test_pending_and_rejected_checks_leave_the_data_version_alone(
    bob, django_capture_on_commit_callbacks
):
    agency, technology = AgencyFactory(), TechnologyFactory()
    before = data_version.current().token
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        research_check = make_check(agency=agency, technology=technology)
        check_reject(research_check=research_check, moderator=bob, reason="Wrong agency")
    assert callbacks == []
    assert data_version.current().token == before


def test_undoing_an_approval_unpublishes_and_moves_the_data_version(
    bob, django_capture_on_commit_callbacks
):
    research_check = check_approve(research_check=make_check(), moderator=bob)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        check_undo(research_check=research_check, moderator=bob, reason="Second look")
    assert callbacks
    assert not ResearchCheck.objects.public().exists()


def test_a_rejection_needs_a_reason():
    research_check = make_check()
    with pytest.raises(ResearchError, match="Say why"):
        check_reject(research_check=research_check, moderator=None, reason="  ")  # type: ignore[arg-type]


def test_a_decided_check_cannot_be_decided_twice(bob):
    research_check = check_approve(research_check=make_check(), moderator=bob)
    with pytest.raises(ResearchError, match="approved"):
        check_reject(research_check=research_check, moderator=bob, reason="no")


def test_a_found_check_is_approved_with_its_partnership(bob):
    partnership = PartnershipFactory()
    research_check = make_check(
        agency=partnership.agency, technology=partnership.technology, outcome=CheckOutcome.FOUND
    )
    with pytest.raises(ResearchError, match="Choose the partnership"):
        check_approve(research_check=research_check, moderator=bob)
    check_approve(research_check=research_check, moderator=bob, partnership=partnership)
    research_check.refresh_from_db()
    assert research_check.partnership == partnership


def test_a_found_check_cannot_link_another_agencys_partnership(bob):
    other = PartnershipFactory()
    research_check = make_check(technology=other.technology, outcome=CheckOutcome.FOUND)
    with pytest.raises(ResearchError, match="this agency and technology"):
        check_approve(research_check=research_check, moderator=bob, partnership=other)


def test_approval_closes_the_task_and_rejection_reopens_it(bob):
    task = task_claim(task=make_task())
    report = task_report(
        token=task.claim_token or "",
        outcome=CheckOutcome.NONE_FOUND,
        checked_on=PartialDate(2026, 6),
        sources=[SOURCE],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.claim_token is None
    check_reject(research_check=report.research_check, moderator=bob, reason="Not searched")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    task = task_claim(task=task)
    report = task_report(
        token=task.claim_token or "",
        outcome=CheckOutcome.NONE_FOUND,
        checked_on=PartialDate(2026, 6),
        sources=[SOURCE],
    )
    check_approve(research_check=report.research_check, moderator=bob)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED


def test_a_found_report_becomes_a_tip_and_the_check_follows_its_approval(bob):
    task = task_claim(task=make_task())
    report = task_report(
        token=task.claim_token or "",
        outcome=CheckOutcome.FOUND,
        checked_on=PartialDate(2026, 6, 2),
        summary="The council bought two drones.",
        credit_name="Dana",
        sources=[ConsultedSource(url="https://council.example.gov/minutes/2026-05.pdf")],
        vendor_name="SkyCo",
    )
    tip = report.tip
    assert tip is not None and tip.status == SubmissionStatus.PENDING
    assert tip.agency == task.agency and tip.technology == task.technology
    assert tip.sources.get().url == "https://council.example.gov/minutes/2026-05.pdf"
    with pytest.raises(ResearchError, match="Approve the tip"):
        check_approve(research_check=report.research_check, moderator=bob)
    submission_approve(submission=tip, moderator=bob)
    check_approve(research_check=report.research_check, moderator=bob)
    research_check = ResearchCheck.objects.public().get()
    tip.refresh_from_db()
    assert research_check.partnership == tip.result_partnership


def test_a_found_report_without_an_address_is_refused_whole():
    task = task_claim(task=make_task())
    with pytest.raises(ValidationError):
        task_report(
            token=task.claim_token or "",
            outcome=CheckOutcome.FOUND,
            checked_on=PartialDate(2026),
            records_requests=[RequestInput(reference="R-1")],
        )
    assert not Submission.objects.exists() and not ResearchCheck.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED


def test_a_claimed_task_cannot_be_claimed_again_until_the_claim_runs_out(settings):
    settings.SURVMAP_RESEARCH_CLAIM_HOURS = 2
    task = task_claim(task=make_task())
    first_token = task.claim_token
    with pytest.raises(ResearchError, match="Someone else"):
        task_claim(task=task)
    later = timezone.now() + dt.timedelta(hours=3)
    assert ResearchTask.objects.available(later).filter(pk=task.pk).exists()
    task = task_claim(task=task, now=later)
    assert task.claim_token != first_token
    # The first volunteer's link is no longer a claim.
    with pytest.raises(ResearchError, match="no longer valid"):
        task_report(
            token=first_token or "",
            outcome=CheckOutcome.NONE_FOUND,
            checked_on=PartialDate(2026),
            sources=[SOURCE],
        )


def test_a_report_after_the_claim_ran_out_is_kept_while_nobody_reclaimed(settings):
    settings.SURVMAP_RESEARCH_CLAIM_HOURS = 1
    task = task_claim(task=make_task(), now=timezone.now() - dt.timedelta(hours=5))
    report = task_report(
        token=task.claim_token or "",
        outcome=CheckOutcome.INCONCLUSIVE,
        checked_on=PartialDate(2026),
        sources=[SOURCE],
    )
    assert report.research_check.status == CheckStatus.PENDING


def test_a_released_task_is_open_again():
    task = task_claim(task=make_task())
    task_release(token=task.claim_token or "")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.claim_token is None


def test_generated_tasks_put_large_agencies_and_neighbours_of_found_records_first(bob):
    drones = TechnologyFactory(name="Drones", slug="drones")
    plates = TechnologyFactory(name="Plate readers", slug="plates")
    # A sheriff serving two counties, with partnerships recorded, beside an agency using drones.
    sheriff = AgencyFactory(
        name="Macomb County Sheriff", kind=AgencyKind.SHERIFF, counties=["26099", "26125"]
    )
    PartnershipFactory(agency=sheriff, technology=plates)
    neighbour = AgencyFactory(counties=["26099"])
    PartnershipFactory(agency=neighbour, technology=drones)
    small = AgencyFactory(kind=AgencyKind.SCHOOL, counties=["26163"])
    PartnershipFactory(agency=small, technology=plates)
    tasks = task_generate(limit=10)
    pairs = [(task.agency_id, task.technology_id) for task in tasks]
    # Already recorded pairs get no task.
    assert (sheriff.pk, plates.pk) not in pairs and (neighbour.pk, drones.pk) not in pairs
    assert pairs[0] == (sheriff.pk, drones.pk)
    assert "neighbouring agency uses it" in tasks[0].priority_reasons
    assert pairs[-1][0] == small.pk
    # Generating again opens nothing new for pairs that already have a task.
    assert task_generate(limit=10) == []


def test_generation_skips_fresh_checks_and_reopens_stale_ones(bob):
    plates = TechnologyFactory(name="Plate readers", slug="plates")
    drones = TechnologyFactory(name="Drones", slug="drones")
    fresh_agency = AgencyFactory()
    PartnershipFactory(agency=fresh_agency, technology=plates)
    stale_agency = AgencyFactory()
    PartnershipFactory(agency=stale_agency, technology=plates)
    PartnershipFactory(technology=drones)  # tasks are opened for technologies on the record
    check_approve(
        research_check=make_check(
            agency=fresh_agency,
            technology=drones,
            checked_on=PartialDate.parse(dt.date.today().isoformat()),
        ),
        moderator=bob,
    )
    check_approve(
        research_check=make_check(
            agency=stale_agency, technology=drones, checked_on=PartialDate(2020, 1)
        ),
        moderator=bob,
    )
    tasks = task_generate(limit=10)
    pairs = {(task.agency_id, task.technology_id): task for task in tasks}
    assert (fresh_agency.pk, drones.pk) not in pairs
    assert "stale" in pairs[(stale_agency.pk, drones.pk)].priority_reasons


def test_the_command_prints_what_it_opened(bob):
    from io import StringIO

    from django.core.management import call_command

    PartnershipFactory()
    TechnologyFactory(name="Drones", slug="drones")
    PartnershipFactory(technology=TechnologyFactory(slug="drones"))
    out = StringIO()
    call_command("generate_research_tasks", "--limit", "5", stdout=out)
    assert "Opened 2 research tasks." in out.getvalue()
    assert ResearchTask.objects.count() == 2


def test_undoing_the_tip_takes_its_found_check_back_to_the_queue(bob):
    from survmap.submissions.services import submission_undo

    task = task_claim(task=make_task())
    report = task_report(
        token=task.claim_token or "",
        outcome=CheckOutcome.FOUND,
        checked_on=PartialDate(2026, 6, 2),
        sources=[ConsultedSource(url="https://council.example.gov/minutes/2026-05.pdf")],
    )
    assert report.tip is not None
    submission_approve(submission=report.tip, moderator=bob)
    check_approve(research_check=report.research_check, moderator=bob)
    submission_undo(submission=report.tip, moderator=bob, reason="Wrong agency")
    research_check = ResearchCheck.objects.get()
    assert research_check.status == CheckStatus.PENDING
    assert research_check.partnership is None
    assert not ResearchCheck.objects.public().exists()
