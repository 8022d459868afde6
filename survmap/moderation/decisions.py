"""The two steps every moderation decision takes, whatever is decided on: lock the record and
check it still stands where the moderator saw it, then record the decision on it (status, who,
when, why) with its history entry. What a decision does besides (writing a tip into the record,
closing a research task) stays with its app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.contrib.auth.models import User
from django.utils import timezone

from survmap.moderation.models import ModeratedRecord, ModerationStatus

Record = TypeVar("Record", bound=ModeratedRecord)


def locked(
    record: Record,
    expected: Sequence[ModerationStatus],
    *,
    noun: str,
    error: type[Exception],
) -> Record:
    """The record as stored, locked until the transaction ends (the caller's, which must be
    open), provided it still stands as one of `expected`: two moderators deciding at once
    decide once, and the second is told to reload (`error`, the app's own exception, which its
    pages show)."""
    current = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if current.status not in expected:
        raise error(
            f"This {noun} is {current.get_status_display().lower()}; "
            "reload the page to see the latest decision."
        )
    return current


def decide(
    record: Record,
    *,
    status: ModerationStatus,
    moderator: User,
    reason: str,
    change_reason: str,
) -> Record:
    """Record the decision on the record, validated, with `change_reason` as its history
    entry's reason. ValidationError passes to the caller, which words it for its moderators."""
    record.status = status
    record.reviewed_by = moderator
    record.reviewed_at = timezone.now()
    record.decision_reason = reason
    record._change_reason = change_reason[:100]  # type: ignore[attr-defined]  # simple-history
    record.full_clean()
    record.save()
    return record
