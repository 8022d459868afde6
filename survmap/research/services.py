"""Writes for research: storing a check, the moderators' approve / reject / undo, and the
research tasks (generated in priority order, claimed for a while, reported on). Each function
validates with full_clean and runs in one transaction; a report is saved whole or not at all."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from survmap.common.dates import PartialDate
from survmap.moderation.decisions import decide, locked
from survmap.records.models import Agency, Partnership, Technology, Vendor
from survmap.research.models import (
    CheckOutcome,
    CheckSource,
    CheckStatus,
    RecordsRequest,
    RequestAnswer,
    ResearchCheck,
    ResearchTask,
    SourceKind,
    TaskStatus,
)
from survmap.research.priority import rank_pairs
from survmap.submissions.models import Submission, SubmissionKind
from survmap.submissions.services import SourceInput, submission_create

MAX_SOURCES = 8
MAX_REQUESTS = 3


class ResearchError(Exception):
    """A decision or a step that cannot be taken as asked; the message says why."""


@dataclass(frozen=True)
class ConsultedSource:
    url: str
    kind: SourceKind | str = SourceKind.OTHER
    title: str = ""
    notes: str = ""


@dataclass(frozen=True)
class RequestInput:
    reference: str
    url: str = ""
    filed: dt.date | None = None
    answer: RequestAnswer | str = RequestAnswer.AWAITING
    answered: dt.date | None = None
    answer_summary: str = ""


@dataclass
class Report:
    """What task_report stored: the pending check, and the tip when something was found."""

    research_check: ResearchCheck
    tip: Submission | None = None
    notes: list[str] = field(default_factory=list)


def _save(instance: models.Model, reason: str) -> None:
    instance.full_clean()
    instance._change_reason = reason[:100]  # type: ignore[attr-defined]  # read by simple-history
    instance.save()


@transaction.atomic
def check_submit(
    *,
    agency: Agency,
    technology: Technology,
    outcome: CheckOutcome | str,
    checked_on: PartialDate,
    summary: str = "",
    credit_name: str = "",
    sources: Sequence[ConsultedSource] = (),
    records_requests: Sequence[RequestInput] = (),
    partnership: Partnership | None = None,
    tip: Submission | None = None,
    task: ResearchTask | None = None,
    volunteer: User | AnonymousUser | None = None,
    ip_hash: str = "",
) -> ResearchCheck:
    """Store a pending check with what was searched. Nothing here is public. A check says where
    someone looked: it needs at least one source consulted or one records request."""
    if not sources and not records_requests:
        raise ValidationError(
            "Say where you looked: at least one address consulted or one records request."
        )
    if len(sources) > MAX_SOURCES or len(records_requests) > MAX_REQUESTS:
        raise ValidationError(
            f"At most {MAX_SOURCES} sources and {MAX_REQUESTS} records requests per check."
        )
    research_check = ResearchCheck(
        agency=agency,
        technology=technology,
        outcome=outcome,
        partnership=partnership,
        checked_date=checked_on.first_day(),
        checked_precision=checked_on.precision,
        summary=summary,
        credit_name=credit_name,
        tip=tip,
        task=task,
        volunteer=volunteer if isinstance(volunteer, User) else None,
        ip_hash=ip_hash,
        status=CheckStatus.PENDING,
    )
    _save(research_check, "Submitted")
    for source in sources:
        row = CheckSource(
            research_check=research_check,
            kind=source.kind,
            url=source.url,
            title=source.title,
            notes=source.notes,
        )
        row.full_clean()
        row.save()
    for request in records_requests:
        records_request = RecordsRequest(
            research_check=research_check,
            reference=request.reference,
            url=request.url,
            filed_date=request.filed,
            answer=request.answer,
            answered_date=request.answered,
            answer_summary=request.answer_summary,
        )
        records_request.full_clean()
        records_request.save()
    return research_check


def _decide(
    research_check: ResearchCheck,
    *,
    status: CheckStatus,
    moderator: User,
    reason: str,
    label: str,
) -> ResearchCheck:
    try:
        return decide(
            research_check,
            status=status,
            moderator=moderator,
            reason=reason,
            change_reason=f"{label}: {reason}" if reason else label,
        )
    except ValidationError as error:
        raise ResearchError("; ".join(error.messages)) from error


@transaction.atomic
def check_approve(
    *,
    research_check: ResearchCheck,
    moderator: User,
    reason: str = "",
    partnership: Partnership | None = None,
) -> ResearchCheck:
    """Publish the check. A 'found' check needs its partnership: the one given, or the one its
    tip became when a moderator approved the tip."""
    research_check = locked(
        research_check, [CheckStatus.PENDING], noun="check", error=ResearchError
    )
    if research_check.outcome == CheckOutcome.FOUND:
        if partnership is None and research_check.partnership is None:
            tip = research_check.tip
            if tip is not None and tip.result_partnership is not None:
                partnership = tip.result_partnership
            elif tip is not None:
                raise ResearchError(
                    "Approve the tip sent with this check first: the check links to the "
                    "partnership the tip becomes."
                )
            else:
                raise ResearchError("Choose the partnership this check found.")
        if partnership is not None:
            research_check.partnership = partnership
        assert research_check.partnership is not None
        if not Partnership.objects.public().filter(pk=research_check.partnership.pk).exists():
            raise ResearchError("The partnership it found is not public (it cites no source).")
    task = research_check.task
    approved = _decide(
        research_check,
        status=CheckStatus.APPROVED,
        moderator=moderator,
        reason=reason,
        label="Approved",
    )
    if task is not None and task.status != TaskStatus.CLOSED:
        task.status = TaskStatus.CLOSED
        _save(task, f"Closed: check {approved.pk} approved")
    return approved


@transaction.atomic
def check_reject(*, research_check: ResearchCheck, moderator: User, reason: str) -> ResearchCheck:
    """Refuse the check; the reason is shown to the researcher. Its task opens again."""
    if not reason.strip():
        raise ResearchError("Say why: the researcher sees the reason.")
    research_check = locked(
        research_check, [CheckStatus.PENDING], noun="check", error=ResearchError
    )
    rejected = _decide(
        research_check,
        status=CheckStatus.REJECTED,
        moderator=moderator,
        reason=reason,
        label="Rejected",
    )
    task = rejected.task
    if task is not None and task.status in {TaskStatus.REPORTED, TaskStatus.CLAIMED}:
        _reopen(task, f"Reopened: check {rejected.pk} rejected")
    return rejected


@transaction.atomic
def check_undo(
    *, research_check: ResearchCheck, moderator: User, reason: str = ""
) -> ResearchCheck:
    """Take back the latest decision: the check returns to the queue (and leaves the public
    record if it was approved)."""
    research_check = locked(
        research_check,
        [CheckStatus.APPROVED, CheckStatus.REJECTED],
        noun="check",
        error=ResearchError,
    )
    if research_check.tip_id is not None:
        # Found through a tip: linked again when the check is approved again.
        research_check.partnership = None
    return decide(
        research_check,
        status=CheckStatus.PENDING,
        moderator=moderator,
        reason=reason,
        change_reason=f"Undone: {reason}" if reason else "Undone",
    )


def _reopen(task: ResearchTask, reason: str) -> None:
    task.status = TaskStatus.OPEN
    task.claim_token = None
    task.claimed_until = None
    task.claimed_by = None
    _save(task, reason)


@transaction.atomic
def task_generate(
    *,
    limit: int = 200,
    technologies: Sequence[Technology] | None = None,
    today: dt.date | None = None,
) -> list[ResearchTask]:
    """Open up to `limit` new tasks for the agency-and-technology pairs that most need looking
    at (see survmap.research.priority): never checked, or checked so long ago the check is
    stale, with no task open and no check awaiting review."""
    if limit < 1:
        raise ValidationError("Generate at least one task.")
    created = []
    for pair in rank_pairs(technologies=technologies, today=today, limit=limit):
        task = ResearchTask(
            agency_id=pair.agency_id,
            technology_id=pair.technology_id,
            priority=pair.score,
            priority_reasons="; ".join(pair.reasons)[:300],
        )
        _save(task, "Generated")
        created.append(task)
    return created


def _claim_hours() -> int:
    return int(getattr(settings, "SURVMAP_RESEARCH_CLAIM_HOURS", 72))


@transaction.atomic
def task_claim(
    *, task: ResearchTask, user: User | AnonymousUser | None = None, now: dt.datetime | None = None
) -> ResearchTask:
    """Hold the task for SURVMAP_RESEARCH_CLAIM_HOURS behind a new private link (its token).
    A claim that ran out can be taken by anyone; the old link then stops working."""
    now = now or timezone.now()
    locked = ResearchTask.objects.select_for_update().get(pk=task.pk)
    if not locked.is_available(now):
        raise ResearchError("Someone else is working on this task; choose another one.")
    locked.status = TaskStatus.CLAIMED
    locked.claim_token = secrets.token_urlsafe(32)
    locked.claimed_until = now + dt.timedelta(hours=_claim_hours())
    locked.claimed_by = user if isinstance(user, User) else None
    _save(locked, "Claimed")
    return locked


@transaction.atomic
def task_release(*, token: str) -> ResearchTask:
    """The volunteer gives the task back before the claim runs out."""
    task = ResearchTask.objects.select_for_update().filter(claim_token=token).first()
    if task is None or task.status != TaskStatus.CLAIMED:
        raise ResearchError("This claim is no longer yours: the task may have been reclaimed.")
    task.given_back_token, task.given_back_at = token, timezone.now()
    _reopen(task, "Released by the volunteer")
    return task


@transaction.atomic
def task_report(
    *,
    token: str,
    outcome: CheckOutcome | str,
    checked_on: PartialDate,
    summary: str = "",
    credit_name: str = "",
    sources: Sequence[ConsultedSource] = (),
    records_requests: Sequence[RequestInput] = (),
    vendor: Vendor | None = None,
    vendor_name: str = "",
    contributor_email: str = "",
    ip_hash: str = "",
    volunteer: User | AnonymousUser | None = None,
) -> Report:
    """The volunteer's report on a claimed task becomes a pending check; when something was
    found it also becomes a tip (a Submission) for the moderators, citing the sources given.
    A report on a claim that ran out is still accepted while nobody else has claimed the task
    (the token is the claim): the work is not lost."""
    task = (
        ResearchTask.objects.select_for_update()
        .select_related("agency", "technology")
        .filter(claim_token=token)
        .first()
    )
    if task is None or task.status != TaskStatus.CLAIMED:
        raise ResearchError(
            "This claim is no longer valid: the task was reported or claimed again."
        )
    tip = None
    if outcome == CheckOutcome.FOUND:
        if not sources:
            raise ValidationError("Give the address of what shows the technology in use.")
        tip = submission_create(
            submission=Submission(
                kind=SubmissionKind.NEW_PARTNERSHIP,
                agency=task.agency,
                technology=task.technology,
                vendor=vendor,
                vendor_name="" if vendor is not None else vendor_name,
                description=summary,
                contributor_name=credit_name,
                contributor_email=contributor_email,
                ip_hash=ip_hash,
            ),
            sources=[
                SourceInput(url=source.url, title=source.title[:500]) for source in sources[:3]
            ],
        )
    research_check = check_submit(
        agency=task.agency,
        technology=task.technology,
        outcome=outcome,
        checked_on=checked_on,
        summary=summary,
        credit_name=credit_name,
        sources=sources,
        records_requests=records_requests,
        tip=tip,
        task=task,
        volunteer=volunteer if isinstance(volunteer, User) else None,
        ip_hash=ip_hash,
    )
    task.status = TaskStatus.REPORTED
    task.claim_token = None
    task.claimed_until = None
    _save(task, f"Reported: check {research_check.pk}")
    return Report(research_check=research_check, tip=tip)


@transaction.atomic
def task_close(*, task: ResearchTask, reason: str) -> ResearchTask:
    """A moderator withdraws a task (a duplicate agency, a technology that does not apply)."""
    locked = ResearchTask.objects.select_for_update().get(pk=task.pk)
    locked.status = TaskStatus.CLOSED
    locked.claim_token = None
    locked.claimed_until = None
    _save(locked, f"Closed: {reason}" if reason else "Closed")
    return locked
