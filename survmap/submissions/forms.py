"""The public forms: report a partnership, or suggest a correction. Plain Django forms, so they
work without JavaScript; every field has a size limit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from survmap.common.dates import PartialDate
from survmap.common.links import http_url_validator
from survmap.geo.models import State
from survmap.moderation.forms import contact_email_field, honeypot_field, honeypot_filled
from survmap.records.models import Agency, AgencyKind, PartnershipStatus, Technology, Vendor
from survmap.submissions.dates import ACCEPTED_FORMS, AmbiguousDate, parse_contributor_date
from survmap.submissions.models import MAX_SOURCES, Submission, SubmissionKind
from survmap.submissions.selectors import agencies_listed, agency_matches, agency_named
from survmap.submissions.services import SourceInput

OTHER = "other"


DATE_HELP = f"A year, a month or a day: {ACCEPTED_FORMS}."


def _parse_date(value: str) -> PartialDate | None:
    try:
        return parse_contributor_date(value)
    except AmbiguousDate as error:
        raise ValidationError(str(error)) from error
    except ValueError as error:
        raise ValidationError(
            f"survmap cannot read '{value}' as a date. Write a year, a month or a day: "
            f"{ACCEPTED_FORMS}."
        ) from error


class SourcesAndContactMixin(forms.Form):
    """Source rows (at least one, at most MAX_SOURCES), the optional private contact details,
    and the honeypot."""

    contributor_name = forms.CharField(
        label="Your name (optional, never shown)", max_length=100, required=False
    )
    contributor_email = contact_email_field(
        "Your email (optional, never shown; only if we may write back)"
    )
    website = honeypot_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_SOURCES + 1):
            self.fields[f"source_{number}_url"] = forms.CharField(
                label=f"Source {number}: web address (http:// or https://)",
                max_length=2000,
                required=False,
                widget=forms.URLInput(),
            )
            self.fields[f"source_{number}_title"] = forms.CharField(
                label=f"Source {number}: title (optional)", max_length=500, required=False
            )
            self.fields[f"source_{number}_date"] = forms.CharField(
                label=f"Source {number}: published (optional)",
                max_length=30,
                required=False,
                help_text=DATE_HELP,
            )

    def source_rows(self) -> list[list[forms.BoundField]]:
        """The source fields grouped by row, for the template."""
        return [
            [self[f"source_{number}_{part}"] for part in ("url", "title", "date")]
            for number in range(1, MAX_SOURCES + 1)
        ]

    @property
    def is_spam(self) -> bool:
        return honeypot_filled(self.data)

    def clean_sources(self, cleaned: dict[str, Any]) -> None:
        sources: list[SourceInput] = []
        for number in range(1, MAX_SOURCES + 1):
            url = (cleaned.get(f"source_{number}_url") or "").strip()
            title = cleaned.get(f"source_{number}_title") or ""
            date = cleaned.get(f"source_{number}_date") or ""
            if not url:
                if title or date:
                    self.add_error(f"source_{number}_url", "Give the web address of this source.")
                continue
            try:
                http_url_validator(url)
            except ValidationError as error:
                self.add_error(f"source_{number}_url", error)
                continue
            if date:
                try:
                    _parse_date(date)
                except ValidationError as error:
                    self.add_error(f"source_{number}_date", error)
                    continue
            sources.append(SourceInput(url=url, title=title.strip(), published_text=date.strip()))
        if not sources and not any(
            f"source_{number}_url" in self.errors for number in range(1, MAX_SOURCES + 1)
        ):
            self.add_error("source_1_url", "Give at least one source: a link to what shows this.")
        self.sources = sources

    def clean_dates(self, cleaned: dict[str, Any]) -> None:
        start = end = None
        for name in ("start_text", "end_text"):
            if cleaned.get(name):
                try:
                    parsed = _parse_date(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                if name == "start_text":
                    start = parsed
                else:
                    end = parsed
        if start and end and end.last_day() < start.first_day():
            self.add_error("end_text", "The end is before the start.")
        self.start, self.end = start, end

    def fill_common(self, submission: Submission) -> None:
        data = self.cleaned_data
        submission.contributor_name = data["contributor_name"]
        submission.contributor_email = data["contributor_email"]
        if "start_text" in data:
            submission.start_text = data["start_text"]
            submission.end_text = data["end_text"]
            submission.partnership_status = data["partnership_status"]
            if self.start:
                submission.start_date = self.start.first_day()
                submission.start_precision = self.start.precision
            if self.end:
                submission.end_date = self.end.last_day()
                submission.end_precision = self.end.precision


def _status_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Status",
        choices=[("", "I don't know"), *PartnershipStatus.choices],
        required=False,
    )


class PartnershipSubmissionForm(SourcesAndContactMixin):
    agency = forms.ModelChoiceField(
        queryset=agencies_listed(),
        required=False,
        widget=forms.HiddenInput(),
        error_messages={"invalid_choice": "Pick an agency from the list, or name a new one."},
    )
    agency_name = forms.CharField(label="Agency", max_length=200, required=False)
    agency_state = forms.ModelChoiceField(
        label="State", queryset=State.objects.order_by("name"), required=False
    )
    agency_city = forms.CharField(label="City or town (optional)", max_length=100, required=False)
    agency_kind = forms.ChoiceField(
        label="Kind of agency", choices=AgencyKind.choices, initial=AgencyKind.POLICE
    )
    agency_is_new = forms.BooleanField(
        label="It is a new agency, none of those listed", required=False
    )
    technology = forms.ChoiceField(label="Technology")
    technology_other = forms.CharField(
        label="If other: which technology?", max_length=100, required=False
    )
    vendor = forms.ModelChoiceField(
        label="Vendor",
        queryset=Vendor.objects.order_by("name"),
        required=False,
        empty_label="Not listed / unknown",
    )
    vendor_name = forms.CharField(
        label="If not listed: the vendor's name", max_length=150, required=False
    )
    partnership_status = _status_field()
    start_text = forms.CharField(
        label="Started (year, month or day)", max_length=30, required=False, help_text=DATE_HELP
    )
    end_text = forms.CharField(
        label="Ended (year, month or day)", max_length=30, required=False, help_text=DATE_HELP
    )
    description = forms.CharField(
        label="What do the sources show? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    field_order = [
        "agency",
        "agency_name",
        "agency_state",
        "agency_city",
        "agency_kind",
        "agency_is_new",
        "technology",
        "technology_other",
        "vendor",
        "vendor_name",
        "partnership_status",
        "start_text",
        "end_text",
        "description",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technology"].choices = [  # type: ignore[attr-defined]
            ("", "Choose…"),
            *((str(t.pk), t.name) for t in Technology.objects.order_by("name")),
            (OTHER, "Other (name it below)"),
        ]
        self.agency_choices: list[Any] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("agency") is None:
            name = cleaned.get("agency_name", "")
            state = cleaned.get("agency_state")
            if not name:
                self.add_error("agency_name", "Name the agency, or pick it from the list.")
            if state is None:
                self.add_error("agency_state", "Choose the agency's state.")
            exact = agency_named(name, state.code) if name and state is not None else None
            if exact is not None and not cleaned.get("agency_is_new"):
                # The agency's own name, as survmap lists it: that is the pick.
                cleaned["agency"] = exact
            elif name and state is not None and not cleaned.get("agency_is_new"):
                # Without JavaScript this is the pick-from-matches step.
                self.agency_choices = agency_matches(name, state.code)
                if self.agency_choices:
                    self.add_error(
                        "agency_name",
                        "survmap already lists agencies with a similar name. Pick one of them "
                        "below, or tick 'It is a new agency'.",
                    )
        technology = cleaned.get("technology")
        if technology == OTHER:
            if not cleaned.get("technology_other"):
                self.add_error("technology_other", "Name the technology.")
        elif technology:
            cleaned["technology_obj"] = Technology.objects.filter(pk=technology).first()
        self.clean_dates(cleaned)
        self.clean_sources(cleaned)
        return cleaned

    def build(self, *, ip_hash: str) -> Submission:
        data = self.cleaned_data
        submission = Submission(kind=SubmissionKind.NEW_PARTNERSHIP, ip_hash=ip_hash)
        agency = data.get("agency")
        if agency is not None:
            submission.agency = agency
            submission.agency_name = agency.name
            submission.agency_state_id = agency.state_id
        else:
            submission.agency_name = data["agency_name"]
            submission.agency_state = data["agency_state"]
            submission.agency_city = data["agency_city"]
        submission.agency_kind = data["agency_kind"]
        submission.technology = data.get("technology_obj")
        submission.technology_other = (
            data["technology_other"] if data["technology"] == OTHER else ""
        )
        submission.vendor = data["vendor"]
        submission.vendor_name = "" if data["vendor"] else data["vendor_name"]
        submission.description = data["description"]
        self.fill_common(submission)
        return submission


class CorrectionForm(SourcesAndContactMixin):
    what_is_wrong = forms.CharField(
        label="What is wrong, and what is right?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    partnership_status = _status_field()
    start_text = forms.CharField(
        label="Correct start (optional)", max_length=30, required=False, help_text=DATE_HELP
    )
    end_text = forms.CharField(
        label="Correct end (optional)", max_length=30, required=False, help_text=DATE_HELP
    )

    field_order = ["what_is_wrong", "partnership_status", "start_text", "end_text"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_dates(cleaned)
        self.clean_sources(cleaned)
        return cleaned

    def build(self, *, ip_hash: str, target: Any) -> Submission:
        submission = Submission(kind=SubmissionKind.CORRECTION, ip_hash=ip_hash)
        if isinstance(target, Agency):
            submission.target_agency = target
        else:
            submission.target_partnership = target
            submission.target_agency = target.agency
        submission.what_is_wrong = self.cleaned_data["what_is_wrong"]
        self.fill_common(submission)
        return submission
