"""Writes for submissions: storing a tip, and the moderators' approve / reject / undo. Approval is
the only path by which anything a contributor typed reaches the public record, and it goes
through the same record services as the importer, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from survmap.moderation.decisions import decide, locked
from survmap.records.models import Agency, Partnership, PartnershipStatus, Source, Technology
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Applied,
    LaterChange,
    Match,
    PartnershipPlan,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
)
from survmap.records.services import (
    AgencyUnmatched,
    Outcome,
    agency_find,
    history_restore,
    is_cited,
    journal_revert,
    partnership_find,
    plan_apply,
    record_delete,
    vendor_find,
)
from survmap.submissions.models import (
    DecisionAction,
    Submission,
    SubmissionDecision,
    SubmissionKind,
    SubmissionSource,
    SubmissionStatus,
)


class SubmissionError(Exception):
    """A decision that cannot be made as asked; the message says why, for the moderator."""


@dataclass(frozen=True)
class SourceInput:
    url: str
    title: str = ""
    published_text: str = ""


@transaction.atomic
def submission_create(*, submission: Submission, sources: Sequence[SourceInput]) -> Submission:
    """Store the submission and its sources before anything else happens, so nothing typed is
    lost to a later failure. Nothing is written to the public record here."""
    if not sources:
        raise ValidationError("A submission needs at least one source.")
    submission.status = SubmissionStatus.PENDING
    submission.full_clean()
    submission._change_reason = "Submitted"  # type: ignore[attr-defined]
    submission.save()
    for source in sources:
        row = SubmissionSource(
            submission=submission,
            url=source.url,
            title=source.title,
            published_text=source.published_text,
        )
        row.full_clean()
        row.save()
    return submission


def _source_plans(submission: Submission) -> tuple[SourcePlan, ...]:
    """The cited sources: those survmap already has are cited as they stand (their stored
    titles are kept); new ones get the contributor's title and date."""
    plans = []
    for cited in submission.sources.all():
        if Source.objects.filter(url=cited.url).exists():
            plans.append(SourcePlan(url=cited.url))
            continue
        published = cited.published
        plans.append(
            SourcePlan(
                url=cited.url,
                title=cited.title or UNSET,
                published=published if published is not None else UNSET,
            )
        )
    if not plans:
        raise SubmissionError(
            "The submission cites no source; a record without one is never public."
        )
    return tuple(plans)


def _given(submission: Submission, existing: Partnership | None) -> dict[str, Any]:
    """What the contributor supplies: the status and dates given, and the description as the
    summary of a partnership that has none."""
    values: dict[str, Any] = {}
    if submission.partnership_status:
        values["status"] = submission.partnership_status
    elif existing is None:
        values["status"] = PartnershipStatus.ACTIVE
    if submission.start is not None:
        values["start"] = submission.start
    if submission.end is not None:
        values["end"] = submission.end
    if submission.description and (existing is None or not existing.summary):
        values["summary"] = submission.description
    return values


def _existing(
    agency: Agency | None, technology: Technology, vendor: VendorRef | None
) -> Partnership | None:
    """The partnership the approval will update, as the write path finds it (match ANY)."""
    if agency is None:
        return None
    found_vendor = None
    if vendor is not None:
        found_vendor = vendor_find(name=vendor.name, slug=vendor.slug)
        if found_vendor is None:
            return None  # a new vendor: a new partnership
    plan = PartnershipPlan(agency=AgencyPlan(pk=agency.pk), match=Match.ANY)
    return partnership_find(
        plan, agency=agency, technology=technology, vendor=found_vendor
    ).partnership


def _approve_new_partnership(submission: Submission, writer: Writer) -> Applied:
    if submission.technology is None:
        raise SubmissionError(
            "Choose one of survmap's technologies first (edit the submission): "
            f"the contributor wrote '{submission.technology_other}'."
        )
    agency = submission.agency
    if agency is None:
        if not submission.agency_name or submission.agency_state_id is None:
            raise SubmissionError("The submission names no agency and state.")
        # The agency is already known (the matcher says which): merge into it. A name that
        # could be several agencies is the moderator's to choose.
        try:
            agency = agency_find(
                AgencyPlan(
                    name=submission.agency_name,
                    state=str(submission.agency_state_id),
                    city=submission.agency_city or UNSET,
                    kind=submission.agency_kind or UNSET,
                )
            )
        except AgencyUnmatched as unmatched:
            raise SubmissionError(
                f"Choose the agency first (edit the submission): {unmatched}."
            ) from None
    if agency is not None:
        agency_plan = AgencyPlan(pk=agency.pk)
    else:
        agency_plan = AgencyPlan(
            name=submission.agency_name,
            state=str(submission.agency_state_id),
            city=submission.agency_city or UNSET,
            kind=submission.agency_kind,
        )
    vendor: VendorRef | None = None
    if submission.vendor is not None:
        vendor = VendorRef(name=submission.vendor.name, slug=submission.vendor.slug)
    elif submission.vendor_name:
        vendor = VendorRef(name=submission.vendor_name)
    existing = _existing(agency, submission.technology, vendor)
    technology = submission.technology
    return plan_apply(
        plan=PartnershipPlan(
            agency=agency_plan,
            technology=TechnologyRef(name=technology.name, slug=technology.slug),
            vendor=vendor,
            add_sources=_source_plans(submission),
            match=Match.ANY,
            **_given(submission, existing),
        ),
        writer=writer,
    )


def _approve_correction(submission: Submission, writer: Writer) -> Applied | None:
    """A correction to a partnership adds its sources and the status and dates it gives. A
    correction to an agency's details is made by the moderator in the agency's admin page;
    approving it records the decision and shows the contributor the reason."""
    target = submission.target_partnership
    if target is None:
        submission.result_agency = submission.target_agency
        return None
    return plan_apply(
        plan=PartnershipPlan(
            agency=AgencyPlan(pk=target.agency_id),
            pk=target.pk,
            add_sources=_source_plans(submission),
            **_given(submission, target),
        ),
        writer=writer,
    )


def _decide(
    submission: Submission,
    *,
    status: SubmissionStatus,
    action: DecisionAction,
    moderator: User,
    reason: str,
    changes: list[dict[str, Any]],
) -> Submission:
    decide(
        submission,
        status=status,
        moderator=moderator,
        reason=reason,
        change_reason=f"{action.label}: {reason}",
    )
    SubmissionDecision.objects.create(
        submission=submission,
        action=action,
        moderator=moderator,
        reason=reason,
        changes=changes,
    )
    return submission


@transaction.atomic
def submission_approve(*, submission: Submission, moderator: User, reason: str = "") -> Submission:
    """Write the submission into the public record (all of it or, on any error, none of it),
    through the records service as an approved submission, keeping the journal of exactly what
    it changed for an undo."""
    submission = locked(
        submission, [SubmissionStatus.PENDING], noun="submission", error=SubmissionError
    )
    writer = Writer.submission(submission.pk, moderator)
    try:
        if submission.kind == SubmissionKind.CORRECTION:
            applied = _approve_correction(submission, writer)
        else:
            applied = _approve_new_partnership(submission, writer)
    except ValidationError as error:
        raise SubmissionError("; ".join(error.messages)) from error
    journal = applied.journal if applied is not None else []
    if applied is not None:
        partnership = applied.record
        assert isinstance(partnership, Partnership)
        submission.result_partnership = partnership
        submission.result_agency = partnership.agency
    submission.approval_changes = journal
    return _decide(
        submission,
        status=SubmissionStatus.APPROVED,
        action=DecisionAction.APPROVE,
        moderator=moderator,
        reason=reason,
        changes=journal,
    )


@transaction.atomic
def submission_reject(*, submission: Submission, moderator: User, reason: str) -> Submission:
    """Refuse the submission; the reason is shown to the contributor."""
    if not reason.strip():
        raise SubmissionError("Say why: the contributor sees the reason.")
    submission = locked(
        submission, [SubmissionStatus.PENDING], noun="submission", error=SubmissionError
    )
    return _decide(
        submission,
        status=SubmissionStatus.REJECTED,
        action=DecisionAction.REJECT,
        moderator=moderator,
        reason=reason,
        changes=[],
    )


def _take_back(entries: list[dict[str, Any]], reason: str) -> list[dict[str, Any]]:
    """Delete what the approval created and restore what it changed, newest first."""
    undone = []
    for entry in reversed(entries):
        model = apps.get_model(entry["model"])
        instance = model._default_manager.filter(pk=entry["pk"]).first()
        if instance is None:
            continue
        if entry["outcome"] == Outcome.CREATED:
            if is_cited(instance):
                # Something else cites it now (a later approval or a moderator's edit): keep it.
                continue
            record_delete(instance=instance, reason=reason)
            undone.append({**entry, "undone": "deleted"})
        else:
            record = None
            if entry["history_id"] is not None:
                record = model.history.filter(history_id=entry["history_id"]).first()
            if record is None:
                # Written without history (a bulk import): say so in the decision log.
                undone.append({**entry, "undone": "not restored: no earlier version in history"})
                continue
            history_restore(record=record, reason=reason)
            undone.append({**entry, "undone": "restored"})
    return undone


def _revert(submission: Submission, moderator: User, *, confirm: bool) -> list[dict[str, Any]]:
    entries = submission.approval_changes
    reason = f"Undid approval of contributor submission {submission.pk}"
    if entries and "outcome" in entries[0]:
        return _take_back(entries, reason)  # written before journals existed
    writer = Writer.moderator(moderator, reason)
    try:
        return journal_revert(journal=entries, writer=writer)
    except LaterChange as later:
        if not confirm:
            raise SubmissionError(str(later)) from None
        # Undo both: later approvals first (their contributors see them pending again), then
        # this one over whatever else changed since.
        for other in later.submission_ids:
            if other != submission.pk:
                submission_undo(
                    submission=Submission(pk=other),
                    moderator=moderator,
                    reason=f"Undone together with submission {submission.pk}",
                    confirm=True,
                )
        return journal_revert(journal=entries, writer=writer, confirm=True)


@transaction.atomic
def submission_undo(
    *, submission: Submission, moderator: User, reason: str = "", confirm: bool = False
) -> Submission:
    """Take back the latest approval or rejection and return the submission to the queue. An
    approval's undo takes back exactly what it changed; where a later change touched the same
    fields or links it refuses, naming it, unless `confirm` (then it undoes both)."""
    submission = locked(
        submission,
        [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED],
        noun="submission",
        error=SubmissionError,
    )
    undone: list[dict[str, Any]] = []
    if submission.status == SubmissionStatus.APPROVED:
        undone = _revert(submission, moderator, confirm=confirm)
    submission.approval_changes = []
    submission.result_agency = None
    submission.result_partnership = None
    return _decide(
        submission,
        status=SubmissionStatus.PENDING,
        action=DecisionAction.UNDO,
        moderator=moderator,
        reason=reason,
        changes=undone,
    )
