"""Tips and corrections sent by the public, kept apart from the public record until a moderator
approves them; every decision on them is logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from survmap.common.dates import DatePrecision, PartialDate, PartialPeriod
from survmap.common.links import http_url_validator
from survmap.common.models import CleanedTextModel
from survmap.geo.models import State
from survmap.moderation.models import ModeratedRecord, ModerationStatus
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Technology,
    Vendor,
)
from survmap.submissions.dates import parse_contributor_date

MAX_SOURCES = 3


class SubmissionKind(models.TextChoices):
    NEW_PARTNERSHIP = "new_partnership", "New partnership"
    CORRECTION = "correction", "Correction"


# A tip's and a research check's review stand the same way.
SubmissionStatus = ModerationStatus


class DecisionAction(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    UNDO = "undo", "Undo"


class Submission(PartialPeriod, ModeratedRecord):
    kind = models.CharField(
        max_length=20,
        choices=SubmissionKind.choices,
        default=SubmissionKind.NEW_PARTNERSHIP,
        help_text="A report of a new partnership, or a correction to a published record.",
    )
    # What the contributor typed about the agency: an existing one, or a new name.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The existing agency the contributor picked, if any.",
    )
    agency_name = models.CharField(
        max_length=200, blank=True, help_text="The agency's name as the contributor typed it."
    )
    agency_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The state of a new agency.",
    )
    agency_city = models.CharField(
        max_length=100, blank=True, help_text="The city or town of a new agency."
    )
    agency_kind = models.CharField(
        max_length=20,
        choices=AgencyKind.choices,
        default=AgencyKind.POLICE,
        help_text="What sort of agency a new agency is.",
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The technology, if it is one survmap already lists.",
    )
    technology_other = models.CharField(
        max_length=100,
        blank=True,
        help_text="The technology's name when the contributor chose 'other'.",
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The vendor, if it is one survmap already lists.",
    )
    vendor_name = models.CharField(
        max_length=150, blank=True, help_text="The vendor's name when it is not listed yet."
    )
    partnership_status = models.CharField(
        max_length=20,
        choices=PartnershipStatus.choices,
        blank=True,
        help_text="Where the partnership stands, according to the contributor.",
    )
    start_text = models.CharField(
        max_length=30, blank=True, help_text="The start date as typed (a year, month or day)."
    )
    start_date = models.DateField(
        null=True, blank=True, help_text="The start as read: the first day of its period."
    )
    start_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the start is known to the day, the month or the year.",
    )
    end_text = models.CharField(
        max_length=30, blank=True, help_text="The end date as typed (a year, month or day)."
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="The end as read: the last day of its period."
    )
    end_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the end is known to the day, the month or the year.",
    )
    description = models.TextField(
        max_length=2000, blank=True, help_text="What the contributor says the sources show."
    )
    # Corrections: the published record concerned, and what is wrong with it.
    target_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_submissions",
        help_text="For a correction: the agency whose page is wrong.",
    )
    target_partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_submissions",
        help_text="For a correction: the partnership that is wrong.",
    )
    what_is_wrong = models.TextField(
        max_length=2000, blank=True, help_text="For a correction: what is wrong, and what is right."
    )
    # Private: never shown publicly, never exported, never in the change log.
    contributor_name = models.CharField(
        max_length=100, blank=True, help_text="Private. The contributor's name, if given."
    )
    contributor_email = models.EmailField(
        max_length=254,
        blank=True,
        help_text="Private. Where moderators may write back, if the contributor wants it.",
    )
    result_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency the approval created or merged into.",
    )
    result_partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partnership the approval created or merged into.",
    )
    approval_changes = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=(
            "What the approval wrote, in order: model, id, outcome and the history entry to "
            "restore, so that an undo can take it back."
        ),
    )

    history = HistoricalRecords(excluded_fields=["token", "ip_hash"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ip_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.headline}"

    @property
    def headline(self) -> str:
        agency = self.agency.name if self.agency_id and self.agency else self.agency_name
        if self.kind == SubmissionKind.CORRECTION:
            target = self.target_partnership or self.target_agency
            return f"correction to {target}" if target else "correction"
        technology = self.technology.name if self.technology else self.technology_other
        return f"{agency or 'unnamed agency'}: {technology or 'unnamed technology'}"


class SubmissionSource(CleanedTextModel):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="sources",
        help_text="The submission that cites this source.",
    )
    url = models.URLField(
        max_length=2000,
        validators=[http_url_validator],
        help_text="Where the source can be read (http or https only).",
    )
    title = models.CharField(max_length=500, blank=True, help_text="Headline or title, optional.")
    published_text = models.CharField(
        max_length=30, blank=True, help_text="Publication date as typed, optional."
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://")
                | models.Q(url__startswith="https://"),
                name="submission_source_url_is_http",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def published(self) -> PartialDate | None:
        try:
            # As the form read it ("Sept 8, 2020" included); the form refused anything else.
            return parse_contributor_date(self.published_text)
        except ValueError:
            return None


class SubmissionDecision(CleanedTextModel):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="decisions",
        help_text="The submission decided on.",
    )
    action = models.CharField(
        max_length=10, choices=DecisionAction.choices, help_text="What the moderator did."
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submission_decisions",
        help_text="Who decided.",
    )
    decided_at = models.DateTimeField(auto_now_add=True, help_text="When.")
    reason = models.TextField(max_length=2000, blank=True, help_text="Why.")
    changes = models.JSONField(
        default=list, blank=True, help_text="The records this decision wrote or took back."
    )

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return (
            f"{self.get_action_display()} by {self.moderator} at {self.decided_at:%Y-%m-%d %H:%M}"
        )
