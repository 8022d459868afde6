"""The moderated record: what the public sends and a moderator decides on. Abstract, so each app
keeps its own table; tips (submissions) and research checks (research) share its fields and
statuses, and a change here is a change for both (and a migration in each)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from survmap.common.models import TimeStampedModel

TOKEN_BYTES = 32


def new_token() -> str:
    """An unguessable key for the sender's private status page (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ModeratedRecord(TimeStampedModel):
    """What the public sends and a moderator decides on (tips, corrections, research checks):
    its review and the private keys that go with it. Moderation is data: a status, who
    reviewed, when and why."""

    token = models.CharField(
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
        help_text="Private. The key of the sender's status page for it.",
    )
    ip_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Private. A keyed hash of the sender's address, for rate limiting only.",
    )
    status = models.CharField(
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
        db_index=True,
        help_text=(
            "Where the review stands. Only approval makes it public or writes anything to "
            "the public record."
        ),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Private. The moderator who made the latest decision.",
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the latest decision was made."
    )
    decision_reason = models.TextField(
        max_length=2000,
        blank=True,
        help_text="Why it was approved or rejected; the sender sees it on the status page.",
    )

    class Meta:
        abstract = True
