"""The volunteer's report on a claimed task: the outcome, a row per item of the research
checklist, a public-records request, and the optional credit. A plain Django form, so it works
without JavaScript; every field has a size limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UsernameField
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from survmap.common.dates import ACCEPTED_FORMS, AmbiguousDate, PartialDate, parse_written_date
from survmap.common.links import http_url_validator
from survmap.moderation.forms import contact_email_field, honeypot_field, honeypot_filled
from survmap.records.models import Vendor
from survmap.research.models import CheckOutcome, RequestAnswer, SourceKind
from survmap.research.services import ConsultedSource, RequestInput

# The checklist, in the order a volunteer works through it, with what to look for.
CHECKLIST: list[tuple[SourceKind, str]] = [
    (
        SourceKind.COUNCIL_AGENDA,
        "Search the city or county council's agendas and minutes for the technology and the "
        "vendor's name: purchases and grants are approved there.",
    ),
    (
        SourceKind.PROCUREMENT,
        "Search the procurement or bids portal and the checkbook or contracts database for the "
        "vendor's name.",
    ),
    (
        SourceKind.PRESS_RELEASE,
        "Read the agency's press releases and annual reports for the technology.",
    ),
    (
        SourceKind.SOCIAL_MEDIA,
        "Search the agency's social media accounts (and the city's) for the technology.",
    ),
    (
        SourceKind.VENDOR_CUSTOMERS,
        "Look at the vendor's customer lists, maps, case studies and press releases.",
    ),
    (SourceKind.NEWS, "Search local news for the agency and the technology."),
    (SourceKind.OTHER, "Anything else you consulted."),
]


def _parse_partial(value: str) -> PartialDate:
    # The one date reader, as the tip form uses it: the same answers and the same questions.
    try:
        parsed = parse_written_date(value)
    except AmbiguousDate as error:
        raise ValidationError(str(error)) from error
    except ValueError as error:
        raise ValidationError(
            f"survmap cannot read '{value}' as a date. Write a year, a month or a day: "
            f"{ACCEPTED_FORMS}."
        ) from error
    if parsed is None:
        raise ValidationError("Say when you searched.")
    if parsed.first_day() > timezone.localdate():
        raise ValidationError("That date is in the future.")
    return parsed


def _parse_day(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parse_written_date(value)
    except AmbiguousDate as error:
        raise ValidationError({field: str(error)}) from None
    except ValueError:
        parsed = None
    if parsed is None or parsed.day is None:
        raise ValidationError({field: "Write the day, as 2024-03-05 or March 5, 2024."})
    return parsed.first_day()


class ReportForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did you find?",
        choices=CheckOutcome.choices,
        widget=forms.RadioSelect,
    )
    checked_on = forms.CharField(
        label="When did you search? (a day, a month or a year)", max_length=30
    )
    summary = forms.CharField(
        label="What you searched and what it showed",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    vendor = forms.ModelChoiceField(
        label="If found: the vendor",
        queryset=Vendor.objects.order_by("name"),
        required=False,
    )
    vendor_name = forms.CharField(
        label="If found: the vendor's name, when it is not listed", max_length=150, required=False
    )
    request_reference = forms.CharField(
        label="Public-records request: reference or tracking number", max_length=100, required=False
    )
    request_url = forms.CharField(
        label="Where it can be read (http:// or https://, optional)",
        max_length=2000,
        required=False,
        widget=forms.URLInput(),
    )
    request_filed = forms.CharField(label="Filed on (YYYY-MM-DD)", max_length=10, required=False)
    request_answer = forms.ChoiceField(
        label="The answer", choices=RequestAnswer.choices, initial=RequestAnswer.AWAITING
    )
    request_answered = forms.CharField(
        label="Answered on (YYYY-MM-DD)", max_length=10, required=False
    )
    request_summary = forms.CharField(
        label="What the answer says",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    credit_name = forms.CharField(
        label="Credit me as (optional; empty: anonymous)", max_length=100, required=False
    )
    contributor_email = contact_email_field(
        "Your email (optional, never shown; only if moderators may write back)"
    )
    website = honeypot_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("checked_on", timezone.localdate().isoformat())
        for kind, _hint in CHECKLIST:
            self.fields[f"{kind}_url"] = forms.CharField(
                label="Address you consulted (http:// or https://)",
                max_length=2000,
                required=False,
                widget=forms.URLInput(),
            )
            self.fields[f"{kind}_notes"] = forms.CharField(
                label="What you searched for there, and what it showed",
                max_length=500,
                required=False,
            )

    def checklist(self) -> list[dict[str, Any]]:
        """The checklist rows with their fields, for the template."""
        return [
            {
                "kind": kind,
                "label": kind.label,
                "hint": hint,
                "url": self[f"{kind}_url"],
                "notes": self[f"{kind}_notes"],
            }
            for kind, hint in CHECKLIST
        ]

    @property
    def is_spam(self) -> bool:
        return honeypot_filled(self.data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("checked_on"):
            try:
                self.checked = _parse_partial(cleaned["checked_on"])
            except ValidationError as error:
                self.add_error("checked_on", error)
        sources: list[ConsultedSource] = []
        for kind, _hint in CHECKLIST:
            url = (cleaned.get(f"{kind}_url") or "").strip()
            notes = cleaned.get(f"{kind}_notes") or ""
            if not url:
                if notes.strip():
                    self.add_error(f"{kind}_url", "Give the address you consulted.")
                continue
            try:
                http_url_validator(url)
            except ValidationError as error:
                self.add_error(f"{kind}_url", error)
                continue
            sources.append(ConsultedSource(url=url, kind=kind, title=kind.label, notes=notes))
        self.sources = sources
        requests: list[RequestInput] = []
        reference = (cleaned.get("request_reference") or "").strip()
        request_url = (cleaned.get("request_url") or "").strip()
        if request_url:
            try:
                http_url_validator(request_url)
            except ValidationError as error:
                self.add_error("request_url", error)
        if reference:
            try:
                filed = _parse_day(cleaned.get("request_filed") or "", "request_filed")
                answered = _parse_day(cleaned.get("request_answered") or "", "request_answered")
            except ValidationError as error:
                self.add_error(None, error)
            else:
                if filed and answered and answered < filed:
                    self.add_error("request_answered", "The answer is dated before the request.")
                requests.append(
                    RequestInput(
                        reference=reference,
                        url=request_url,
                        filed=filed,
                        answer=cleaned.get("request_answer") or RequestAnswer.AWAITING,
                        answered=answered,
                        answer_summary=cleaned.get("request_summary") or "",
                    )
                )
        elif request_url or (cleaned.get("request_summary") or "").strip():
            self.add_error("request_reference", "Give the request's reference number.")
        self.requests = requests
        if not self.errors:
            if not sources and not requests:
                self.add_error(
                    f"{CHECKLIST[0][0]}_url",
                    "Say where you looked: at least one address, or a records request.",
                )
            elif cleaned.get("outcome") == CheckOutcome.FOUND and not sources:
                self.add_error(
                    f"{CHECKLIST[0][0]}_url",
                    "You found it: give the address of what shows it, so a moderator can check.",
                )
        return cleaned


class SignupForm(BaseUserCreationForm):
    """An account to follow one's research: a username and a password, nothing else.

    The form never says whether a username is taken (Django's UserCreationForm would, which
    told anyone the moderators' names): a valid form gets the same answer whether the account
    was made or the name was someone else's (`save_if_free`), and the volunteer then signs in."""

    website = honeypot_field()

    class Meta:
        model = User
        fields = ("username",)
        field_classes = {"username": UsernameField}

    @property
    def is_spam(self) -> bool:
        return honeypot_filled(self.data)

    def validate_unique(self) -> None:
        # Uniqueness is the database's to enforce, in save_if_free, without telling.
        return None

    def save_if_free(self) -> User | None:
        """The new account, or None when the name (in any case) is taken; as slow either way,
        since the password is hashed in both."""
        username = self.cleaned_data["username"]
        password = self.cleaned_data["password1"]
        if User.objects.filter(username__iexact=username).exists():
            make_password(password)
            return None
        try:
            with transaction.atomic():
                user: User = self.save()
        except IntegrityError:
            return None
        return user
