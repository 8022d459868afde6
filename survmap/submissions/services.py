"""Writes for submissions: storing a tip, and the moderators' approve / reject / undo. Approval is
the only path by which anything a contributor typed reaches the public record, and it goes
through the same record services as the importer, in one transaction."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from survmap.records.models import Agency, Partnership, PartnershipStatus, Source, Vendor
from survmap.records.normalize import normalize_name
from survmap.records.services import (
    Outcome,
    agency_upsert,
    history_restore,
    partnership_upsert,
    record_delete,
    source_upsert,
    vendor_get_or_create,
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


def ip_hash(address: str) -> str:
    """A keyed hash of the sender's address: enough to count submissions, useless to identify."""
    return hmac.new(
        settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256
    ).hexdigest()


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


class _Changes:
    """What an approval wrote, with the history entry each updated record had before, so an
    undo can delete what was created and restore what was changed."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    @staticmethod
    def before(instance: models.Model | None) -> int | None:
        if instance is None:
            return None
        latest = instance.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]
        return latest.history_id if latest is not None else None

    def add(self, instance: models.Model, outcome: Outcome, before: int | None) -> None:
        if outcome == Outcome.UNCHANGED:
            return
        self.entries.append(
            {
                "model": instance._meta.label_lower,
                "pk": instance.pk,
                "outcome": str(outcome),
                "history_id": before,
            }
        )


def _sources(submission: Submission, changes: _Changes, reason: str) -> list[Source]:
    """The cited sources, reusing those survmap already has (their stored titles are kept)."""
    sources = []
    for cited in submission.sources.all():
        existing = Source.objects.filter(url=cited.url).first()
        if existing is not None:
            sources.append(existing)
            continue
        source, outcome = source_upsert(
            url=cited.url, title=cited.title, published=cited.published, reason=reason
        )
        changes.add(source, outcome, None)
        sources.append(source)
    if not sources:
        raise SubmissionError(
            "The submission cites no source; a record without one is never public."
        )
    return sources


def _merge_into(
    partnership: Partnership,
    *,
    sources: list[Source],
    submission: Submission,
    changes: _Changes,
    reason: str,
) -> Partnership:
    """Add the sources and the contributor's status and dates to an existing partnership,
    keeping everything the contributor did not give (Atlas id, attribution, summary...)."""
    before = changes.before(partnership)
    merged, outcome = partnership_upsert(
        instance=partnership,
        agency=partnership.agency,
        technology=partnership.technology,
        vendor=partnership.vendor,
        sources=sources,
        status=submission.partnership_status or partnership.status,
        start=submission.start or partnership.start,
        end=submission.end or partnership.end,
        summary=partnership.summary or submission.description,
        product=partnership.product,
        atlas_id=partnership.atlas_id,
        attribution=partnership.attribution,
        reason=reason,
    )
    changes.add(merged, outcome, before)
    return merged


def _approve_new_partnership(submission: Submission, changes: _Changes, reason: str) -> None:
    if submission.technology is None:
        raise SubmissionError(
            "Choose one of survmap's technologies first (edit the submission): "
            f"the contributor wrote '{submission.technology_other}'."
        )
    agency = submission.agency
    if agency is None:
        if not submission.agency_name or submission.agency_state_id is None:
            raise SubmissionError("The submission names no agency and state.")
        # Same normalised name in the same state: the agency is already known, merge into it.
        agency = Agency.objects.filter(
            normalized_name=normalize_name(submission.agency_name),
            state_id=submission.agency_state_id,
        ).first()
        if agency is None:
            agency, outcome = agency_upsert(
                name=submission.agency_name,
                state=submission.agency_state_id,
                city=submission.agency_city,
                kind=submission.agency_kind,
                reason=reason,
            )
            changes.add(agency, outcome, None)
    vendor: Vendor | None = submission.vendor
    if vendor is None and submission.vendor_name:
        vendor, outcome = vendor_get_or_create(name=submission.vendor_name, reason=reason)
        changes.add(vendor, outcome, None)
    sources = _sources(submission, changes, reason)
    existing = Partnership.objects.filter(
        agency=agency, technology=submission.technology, vendor=vendor
    ).first()
    if existing is not None:
        partnership = _merge_into(
            existing, sources=sources, submission=submission, changes=changes, reason=reason
        )
    else:
        partnership, outcome = partnership_upsert(
            agency=agency,
            technology=submission.technology,
            vendor=vendor,
            sources=sources,
            status=submission.partnership_status or PartnershipStatus.ACTIVE,
            start=submission.start,
            end=submission.end,
            summary=submission.description,
            reason=reason,
        )
        changes.add(partnership, outcome, None)
    submission.result_agency = agency
    submission.result_partnership = partnership


def _approve_correction(submission: Submission, changes: _Changes, reason: str) -> None:
    """A correction to a partnership adds its sources and the status and dates it gives. A
    correction to an agency's details is made by the moderator in the agency's admin page;
    approving it records the decision and shows the contributor the reason."""
    if submission.target_partnership is not None:
        sources = _sources(submission, changes, reason)
        partnership = _merge_into(
            submission.target_partnership,
            sources=sources,
            submission=submission,
            changes=changes,
            reason=reason,
        )
        submission.result_partnership = partnership
        submission.result_agency = partnership.agency
    elif submission.target_agency is not None:
        submission.result_agency = submission.target_agency


def _decide(
    submission: Submission,
    *,
    action: DecisionAction,
    moderator: User,
    reason: str,
    changes: list[dict[str, Any]],
) -> Submission:
    submission.reviewed_by = moderator
    submission.reviewed_at = timezone.now()
    submission.decision_reason = reason
    submission._change_reason = f"{action.label}: {reason}"[:100]  # type: ignore[attr-defined]
    submission.full_clean()
    submission.save()
    SubmissionDecision.objects.create(
        submission=submission,
        action=action,
        moderator=moderator,
        reason=reason,
        changes=changes,
    )
    return submission


def _locked(submission: Submission, expected: Sequence[SubmissionStatus]) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in expected:
        raise SubmissionError(
            f"This submission is {locked.get_status_display().lower()}; "
            "reload the page to see the latest decision."
        )
    return locked


@transaction.atomic
def submission_approve(*, submission: Submission, moderator: User, reason: str = "") -> Submission:
    """Write the submission into the public record (all of it or, on any error, none of it)."""
    submission = _locked(submission, [SubmissionStatus.PENDING])
    changes = _Changes()
    history_reason = f"Approved contributor submission {submission.pk}"
    try:
        if submission.kind == SubmissionKind.CORRECTION:
            _approve_correction(submission, changes, history_reason)
        else:
            _approve_new_partnership(submission, changes, history_reason)
    except ValidationError as error:
        raise SubmissionError("; ".join(error.messages)) from error
    submission.status = SubmissionStatus.APPROVED
    submission.approval_changes = changes.entries
    return _decide(
        submission,
        action=DecisionAction.APPROVE,
        moderator=moderator,
        reason=reason,
        changes=changes.entries,
    )


@transaction.atomic
def submission_reject(*, submission: Submission, moderator: User, reason: str) -> Submission:
    """Refuse the submission; the reason is shown to the contributor."""
    if not reason.strip():
        raise SubmissionError("Say why: the contributor sees the reason.")
    submission = _locked(submission, [SubmissionStatus.PENDING])
    submission.status = SubmissionStatus.REJECTED
    return _decide(
        submission, action=DecisionAction.REJECT, moderator=moderator, reason=reason, changes=[]
    )


def _is_cited(instance: models.Model) -> bool:
    if isinstance(instance, Source):
        return instance.partnerships.exists() or instance.policy_events.exists()
    if isinstance(instance, Agency):
        return instance.partnerships.exists()
    if isinstance(instance, Vendor):
        return instance.partnerships.exists() or instance.policy_events.exists()
    return False


def _take_back(entries: list[dict[str, Any]], reason: str) -> list[dict[str, Any]]:
    """Delete what the approval created and restore what it changed, newest first."""
    undone = []
    for entry in reversed(entries):
        model = apps.get_model(entry["model"])
        instance = model._default_manager.filter(pk=entry["pk"]).first()
        if instance is None:
            continue
        if entry["outcome"] == Outcome.CREATED:
            if _is_cited(instance):
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


@transaction.atomic
def submission_undo(*, submission: Submission, moderator: User, reason: str = "") -> Submission:
    """Take back the latest approval or rejection and return the submission to the queue."""
    submission = _locked(submission, [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED])
    undone: list[dict[str, Any]] = []
    if submission.status == SubmissionStatus.APPROVED:
        undone = _take_back(
            submission.approval_changes, f"Undid approval of contributor submission {submission.pk}"
        )
    submission.status = SubmissionStatus.PENDING
    submission.approval_changes = []
    submission.result_agency = None
    submission.result_partnership = None
    return _decide(
        submission, action=DecisionAction.UNDO, moderator=moderator, reason=reason, changes=undone
    )
