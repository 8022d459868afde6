"""Where someone looked: research checks (an agency and a technology searched, and what was
found, including nothing), the sources and public-records requests behind each, and the research
tasks that volunteers claim. A check is public only once a moderator approves it."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from survmap.common.dates import DatePrecision, PartialDate
from survmap.common.links import http_url_validator
from survmap.common.models import TimeStampedModel, clean_model_text
from survmap.common.text import clean_text_value
from survmap.moderation.models import ModeratedRecord, ModerationStatus
from survmap.records.models import Agency, Partnership, Technology
from survmap.records.normalize import clean_text
from survmap.submissions.models import Submission

# Nobody checked anything for survmap before it existed; older dates are typing mistakes.
EARLIEST_CHECK = dt.date(1990, 1, 1)


def stale_months() -> int:
    """After how many months a check is stale: SURVMAP_RESEARCH_STALE_MONTHS (default 18)."""
    return int(getattr(settings, "SURVMAP_RESEARCH_STALE_MONTHS", 18))


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Checks made before this day are stale: `stale_months()` months before today."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - stale_months()
    year, month = divmod(months, 12)
    month += 1
    # 31 August minus 18 months is the last day of February.
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


class ResearchRecord(TimeStampedModel):
    """The one cleaning every survmap record gets (`CleanedTextModel`, the base of
    `TimeStampedModel`: control characters out, years before 1000 refused), and what research
    asks besides: an address (URL) holding a character that cleaning would remove is refused,
    not repaired; one-line text has its spaces folded and is trimmed (the records'
    `clean_text`); free text is trimmed and held to its max_length (Django enforces a
    TextField's max_length in forms only)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list[str]] = {}
        fields = [
            field
            for field in self._meta.concrete_fields
            if not (exclude and field.name in exclude)
            and isinstance(getattr(self, field.attname), str)
        ]
        for field in fields:
            if isinstance(field, models.URLField):
                value = getattr(self, field.attname).strip()
                setattr(self, field.attname, value)
                if clean_text_value(value, multiline=False) != value:
                    errors[field.name] = ["An address cannot contain control characters."]
        clean_model_text(self)
        for field in fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.URLField):
                continue
            if isinstance(field, models.TextField):
                value = value.strip()
                setattr(self, field.attname, value)
                if field.max_length is not None and len(value) > field.max_length:
                    errors[field.name] = [f"At most {field.max_length} characters."]
            elif isinstance(field, models.CharField) and field.editable and not field.choices:
                setattr(self, field.attname, clean_text(value))
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class CheckOutcome(models.TextChoices):
    FOUND = "found", "Found"
    NONE_FOUND = "none_found", "Looked, none found"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


# A check's review stands as a tip's does.
CheckStatus = ModerationStatus


class SourceKind(models.TextChoices):
    """The research checklist: where a volunteer looks, in the order the task page lists."""

    COUNCIL_AGENDA = "council_agenda", "Council agendas and minutes"
    PROCUREMENT = "procurement", "Procurement portal, contracts and purchase orders"
    PRESS_RELEASE = "press_release", "The agency's press releases"
    SOCIAL_MEDIA = "social_media", "The agency's social media accounts"
    VENDOR_CUSTOMERS = "vendor_customers", "The vendor's own customer lists and case studies"
    NEWS = "news", "News reports"
    OTHER = "other", "Other"


class RequestAnswer(models.TextChoices):
    AWAITING = "awaiting", "Awaiting an answer"
    NO_RECORDS = "no_records", "No responsive records"
    RELEASED = "released", "Records released"
    PARTIAL = "partial", "Partly released"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


def _choices_constraint(field: str, choices: type[models.TextChoices], name: str) -> Any:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class ResearchCheckQuerySet(models.QuerySet["ResearchCheck"]):
    def public(self) -> ResearchCheckQuerySet:
        """What readers, the API, the exports and the map may see: approved checks only, and a
        'found' check only while the partnership it found is public."""
        return self.filter(status=CheckStatus.APPROVED).filter(
            ~Q(outcome=CheckOutcome.FOUND)
            | Q(partnership__in=Partnership.objects.public().values("pk"))
        )

    def fresh(self, today: dt.date | None = None) -> ResearchCheckQuerySet:
        return self.filter(checked_date__gte=stale_cutoff(today))

    def stale(self, today: dt.date | None = None) -> ResearchCheckQuerySet:
        return self.filter(checked_date__lt=stale_cutoff(today))


class ResearchCheck(ResearchRecord, ModeratedRecord):
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="research_checks",
        help_text="The law-enforcement agency whose use of the technology was searched for.",
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        related_name="research_checks",
        help_text="The surveillance technology searched for.",
    )
    outcome = models.CharField(
        max_length=20,
        choices=CheckOutcome.choices,
        db_index=True,
        help_text=(
            "What the search found: the technology in use (found, with the partnership), no "
            "trace of it (none found), or nothing either way (inconclusive)."
        ),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_checks",
        help_text="For a 'found' check: the partnership the search found. Empty otherwise.",
    )
    checked_date = models.DateField(
        help_text=(
            "When the search was made: the first day of the year or month if only that is "
            "known. A check is stale SURVMAP_RESEARCH_STALE_MONTHS (18) months after this day."
        )
    )
    checked_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="Whether the search date is known to the day, the month or the year.",
    )
    summary = models.TextField(
        max_length=2000,
        blank=True,
        help_text="What was searched and what it showed, in the researcher's words.",
    )
    credit_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name the researcher asked to be credited with; empty for anonymous.",
    )
    # Private from here on: never shown publicly, never exported.
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_checks",
        help_text="Private. The account of the volunteer who reported it, if they used one.",
    )
    task = models.ForeignKey(
        "ResearchTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
        help_text="Private. The research task this check reports on, if any.",
    )
    tip = models.ForeignKey(
        Submission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_checks",
        help_text="Private. The tip sent with a 'found' report, for the moderators to approve.",
    )

    objects: ClassVar[ResearchCheckQuerySet] = ResearchCheckQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(excluded_fields=["token", "ip_hash"])

    class Meta:
        ordering = ["-checked_date", "-pk"]
        indexes = [
            models.Index(fields=["agency", "technology", "status"], name="check_agency_tech_idx"),
            models.Index(fields=["technology", "status", "outcome"], name="check_tech_status_idx"),
            models.Index(fields=["ip_hash", "created_at"], name="check_ip_created_idx"),
        ]
        constraints = [
            _choices_constraint("outcome", CheckOutcome, "check_outcome_valid"),
            _choices_constraint("status", CheckStatus, "check_status_valid"),
            _choices_constraint("checked_precision", DatePrecision, "check_precision_valid"),
            models.CheckConstraint(
                condition=Q(partnership__isnull=True) | Q(outcome=CheckOutcome.FOUND),
                name="check_partnership_only_when_found",
                violation_error_message="Only a 'found' check links to a partnership.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status=CheckStatus.APPROVED,
                    outcome=CheckOutcome.FOUND,
                    partnership__isnull=True,
                ),
                name="check_approved_found_has_partnership",
                violation_error_message=(
                    "An approved 'found' check names the partnership it found."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=CheckStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="check_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=CheckStatus.REJECTED, decision_reason=""),
                name="check_rejection_has_reason",
                violation_error_message="Say why: the researcher sees the reason.",
            ),
            models.CheckConstraint(
                condition=Q(checked_date__gte=EARLIEST_CHECK),
                name="check_date_not_before_1990",
                violation_error_message="A check date before 1990 is a typing mistake.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.technology} ({self.get_outcome_display().lower()})"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> ResearchCheck:
        instance = super().from_db(db, field_names, values)
        # Whether it was public when read: a save that makes it public, or stops it being
        # public, changes the public data (see survmap.research.signals).
        instance._loaded_status = instance.__dict__.get("status")  # type: ignore[attr-defined]
        return instance

    @property
    def checked_on(self) -> PartialDate | None:
        return PartialDate.from_stored(self.checked_date, self.checked_precision)

    @property
    def is_stale(self) -> bool:
        return self.checked_date < stale_cutoff()

    @property
    def credit(self) -> str:
        return self.credit_name or "Anonymous"

    def clean(self) -> None:
        if self.checked_date and self.checked_date > timezone.localdate():
            raise ValidationError({"checked_date": "A check cannot be dated in the future."})
        if self.partnership_id and self.outcome != CheckOutcome.FOUND:
            raise ValidationError({"partnership": "Only a 'found' check links to a partnership."})
        if self.partnership is not None and (
            self.partnership.agency_id != self.agency_id
            or self.partnership.technology_id != self.technology_id
        ):
            raise ValidationError(
                {"partnership": "The partnership must be of this agency and technology."}
            )


class CheckSource(ResearchRecord):
    research_check = models.ForeignKey(
        ResearchCheck,
        on_delete=models.CASCADE,
        related_name="sources",
        help_text="The check this source was consulted for.",
    )
    kind = models.CharField(
        max_length=20,
        choices=SourceKind.choices,
        default=SourceKind.OTHER,
        help_text="Which item of the research checklist this source is.",
    )
    url = models.URLField(
        max_length=2000,
        validators=[http_url_validator],
        help_text="The address consulted (http or https only): a search page, an agenda, a list.",
    )
    title = models.CharField(
        max_length=300, blank=True, help_text="What the page is, e.g. 'City council agendas 2024'."
    )
    notes = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the source showed, or what was searched in it (e.g. 'searched \"drone\"').",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            _choices_constraint("kind", SourceKind, "check_source_kind_valid"),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="check_source_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def attribution(self) -> str:
        """Addresses consulted owe no credit of their own (the API's credit lists ask)."""
        return ""


class RecordsRequest(ResearchRecord):
    research_check = models.ForeignKey(
        ResearchCheck,
        on_delete=models.CASCADE,
        related_name="records_requests",
        help_text="The check this public-records request was made for.",
    )
    reference = models.CharField(
        max_length=100,
        help_text="The request's reference or tracking number, from the agency or the portal.",
    )
    url = models.URLField(
        max_length=2000,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the request and its answer can be read (e.g. a MuckRock page), if any.",
    )
    filed_date = models.DateField(
        null=True, blank=True, help_text="When the request was filed, if known."
    )
    answer = models.CharField(
        max_length=20,
        choices=RequestAnswer.choices,
        default=RequestAnswer.AWAITING,
        help_text="What the agency answered.",
    )
    answered_date = models.DateField(
        null=True, blank=True, help_text="When the agency answered, if it has."
    )
    answer_summary = models.TextField(
        max_length=2000, blank=True, help_text="What the answer says, in the researcher's words."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            _choices_constraint("answer", RequestAnswer, "records_request_answer_valid"),
            models.CheckConstraint(
                condition=~Q(reference=""), name="records_request_has_reference"
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="records_request_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(filed_date__isnull=True)
                | Q(answered_date__isnull=True)
                | Q(answered_date__gte=models.F("filed_date")),
                name="records_request_answer_not_before_filing",
                violation_error_message="The answer is dated before the request.",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.reference}"


class ResearchTaskQuerySet(models.QuerySet["ResearchTask"]):
    def available(self, now: dt.datetime | None = None) -> ResearchTaskQuerySet:
        """Tasks a volunteer may claim: open ones, and claimed ones whose claim ran out."""
        now = now or timezone.now()
        return self.filter(
            Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.CLAIMED, claimed_until__lt=now)
        )


class ResearchTask(ResearchRecord):
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="research_tasks",
        help_text="The agency to research.",
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.CASCADE,
        related_name="research_tasks",
        help_text="The technology to search for.",
    )
    status = models.CharField(
        max_length=10,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
        help_text="Open to claim, claimed by a volunteer, reported (a check awaits), or closed.",
    )
    priority = models.IntegerField(
        default=0, help_text="Higher first: how much survmap's readers gain from this task."
    )
    priority_reasons = models.CharField(
        max_length=300, blank=True, help_text="Why the task ranks where it does, for volunteers."
    )
    claim_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Private. The key of the current claim's private link; a new one each claim.",
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the current claim runs out and the task is open to others again.",
    )
    given_back_token = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text=(
            "Private. The key of the last claim its volunteer gave back, so that its private "
            "link says so instead of answering 'not found'."
        ),
    )
    given_back_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last claim was given back."
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_tasks",
        help_text="Private. The account of the volunteer who claimed it, if they used one.",
    )

    objects: ClassVar[ResearchTaskQuerySet] = ResearchTaskQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(excluded_fields=["claim_token", "given_back_token"])

    class Meta:
        ordering = ["-priority", "pk"]
        indexes = [models.Index(fields=["status", "-priority"], name="task_status_priority_idx")]
        constraints = [
            _choices_constraint("status", TaskStatus, "task_status_valid"),
            models.UniqueConstraint(
                fields=["agency", "technology"],
                condition=Q(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]),
                name="task_one_open_per_agency_technology",
                violation_error_message="This agency and technology already have an open task.",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.CLAIMED)
                | Q(claim_token__isnull=False, claimed_until__isnull=False),
                name="task_claim_has_token_and_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technology} at {self.agency.name}"

    def is_available(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == TaskStatus.OPEN or (
            self.status == TaskStatus.CLAIMED
            and self.claimed_until is not None
            and self.claimed_until < now
        )
