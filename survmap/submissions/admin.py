"""The moderation queue, in the admin: pending submissions with their likely duplicates, and a
decision page to approve, reject (with a reason the contributor sees) or undo."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from survmap.common.dates import ACCEPTED_FORMS, AmbiguousDate, parse_written_date
from survmap.submissions.models import (
    DecisionAction,
    Submission,
    SubmissionDecision,
    SubmissionSource,
    SubmissionStatus,
)
from survmap.submissions.preview import approval_preview
from survmap.submissions.selectors import duplicate_counts, likely_duplicates
from survmap.submissions.services import (
    SubmissionError,
    submission_approve,
    submission_reject,
    submission_undo,
)

# The admin's front page says how many submissions wait (see the template).
admin.site.index_template = "admin/submissions/index.html"


def decision_message(submission: Submission, action: DecisionAction) -> str:
    """What the moderator just did, with links to the record it touched and to take it back."""
    decide_url = reverse("admin:submissions_submission_decide", args=[submission.pk])
    parts = [format_html("{}: {}.", action.label, submission.headline)]
    partnership = submission.result_partnership
    agency = submission.result_agency
    if partnership is not None:
        parts.append(
            format_html(
                '<a href="{}">See it on the public page</a> · <a href="{}">edit the record</a>',
                partnership.get_absolute_url(),
                reverse("admin:records_partnership_change", args=[partnership.pk]),
            )
        )
    elif agency is not None:
        parts.append(format_html('<a href="{}">See the agency</a>', agency.get_absolute_url()))
    if submission.status != SubmissionStatus.PENDING:
        parts.append(format_html('<a href="{}">Undo this decision</a>', decide_url))
    else:
        parts.append(format_html('<a href="{}">Decide again</a>', decide_url))
    return format_html_join(" · ", "{}", ((part,) for part in parts))


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=DecisionAction.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Shown to the contributor on their status page. Required to reject.",
    )
    confirm = forms.BooleanField(
        required=False,
        label="Also undo the later changes to the same fields (later approvals go back to pending)",
    )


class SubmissionSourceInline(admin.TabularInline):
    model = SubmissionSource
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["url", "title", "published_text"]


class SubmissionDecisionInline(admin.TabularInline):
    model = SubmissionDecision
    extra = 0
    fields = ["decided_at", "action", "moderator", "reason"]
    readonly_fields = ["decided_at", "action", "moderator", "reason"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PendingFirst(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [*SubmissionStatus.choices, ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        # The queue opens on what needs a decision.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or SubmissionStatus.PENDING) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or SubmissionStatus.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


class SubmissionEditForm(forms.ModelForm):
    """ "Edit before deciding": the start and the end as one field each, written as a person
    writes them and read by the one date reader (its date and precision follow)."""

    class Meta:
        model = Submission
        # The admin's fieldsets name the form's fields; these two are the ones read here.
        fields = ["start_text", "end_text"]
        help_texts = {
            "start_text": f"A year, a month or a day: {ACCEPTED_FORMS}.",
            "end_text": f"A year, a month or a day: {ACCEPTED_FORMS}.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for part in ("start", "end"):
            text = cleaned.get(f"{part}_text") or ""
            try:
                written = parse_written_date(text)
            except ValueError as error:  # AmbiguousDate asks its question
                message = (
                    str(error)
                    if isinstance(error, AmbiguousDate)
                    else f"survmap cannot read '{text}' as a date: {ACCEPTED_FORMS}."
                )
                self.add_error(f"{part}_text", message)
                continue
            day = None
            if written is not None:
                day = written.first_day() if part == "start" else written.last_day()
            setattr(self.instance, f"{part}_date", day)
            setattr(self.instance, f"{part}_precision", written.precision if written else "")
        return cleaned


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    # The decision link first: it is what a moderator comes for, and never scrolls out of view.
    # Few, narrow columns, so that the queue fits beside the admin's sidebar at 1280 px.
    list_display = ["decide", "sent", "headline", "state", "status", "duplicates"]
    list_display_links = ["sent"]
    list_filter = [PendingFirst, "kind"]
    # Each row looks for similar agency names in its state; a page of 50 stays quick.
    list_per_page = 50
    search_fields = [
        "agency_name",
        "agency__name",
        "technology_other",
        "vendor_name",
        "description",
    ]
    list_select_related = ["agency", "technology", "target_agency", "target_partnership"]
    autocomplete_fields = ["agency", "technology", "vendor", "target_agency", "target_partnership"]
    readonly_fields = [
        "status",
        "reviewed_by",
        "reviewed_at",
        "decision_reason",
        "result_agency",
        "result_partnership",
        "created_at",
        "updated_at",
    ]
    form = SubmissionEditForm
    fieldsets = [
        # No status here: the decision page decides it, with its history.
        (None, {"fields": ["kind"]}),
        (
            "Agency",
            {"fields": ["agency", "agency_name", "agency_state", "agency_city", "agency_kind"]},
        ),
        (
            "Partnership",
            {
                "fields": [
                    "technology",
                    "technology_other",
                    "vendor",
                    "vendor_name",
                    "partnership_status",
                    # One field each, read by the one date reader, as the public form reads it.
                    "start_text",
                    "end_text",
                    "description",
                ]
            },
        ),
        ("Correction", {"fields": ["target_agency", "target_partnership", "what_is_wrong"]}),
        ("Contributor (private)", {"fields": ["contributor_name", "contributor_email"]}),
        (
            "Decision",
            {
                "fields": [
                    "reviewed_by",
                    "reviewed_at",
                    "decision_reason",
                    "result_agency",
                    "result_partnership",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [SubmissionSourceInline, SubmissionDecisionInline]
    change_form_template = "admin/submissions/submission/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Submissions come from the public form; moderators add records in Records.
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # No bulk delete: deleting submissions loses their moderation history. Reject instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    class Media:
        css = {"all": ["submissions/admin.css"]}

    @admin.display(description="sent", ordering="created_at")
    def sent(self, obj: Submission) -> str:
        return f"{obj.created_at:%Y-%m-%d %H:%M}"

    @admin.display(description="state")
    def state(self, obj: Submission) -> str:
        if obj.agency_id and obj.agency:
            return obj.agency.state_id
        return obj.agency_state_id or ""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        # Counted for the whole page at once, each state's agencies read once.
        counts = duplicate_counts(list(changelist.result_list))
        for submission in changelist.result_list:
            submission.duplicate_count = counts[submission.pk]
        return changelist

    @admin.display(description="duplicates?")
    def duplicates(self, obj: Submission) -> int:
        return getattr(obj, "duplicate_count", 0)

    @admin.display(description="")
    def decide(self, obj: Submission) -> str:
        url = reverse("admin:submissions_submission_decide", args=[obj.pk])
        return format_html('<a href="{}">Review and decide</a>', url)

    def response_change(self, request: HttpRequest, obj: Submission) -> HttpResponse:
        """Edit, then approve: saving a pending submission goes back to its decision page,
        whose preview now shows what the edited submission would change."""
        if obj.status == SubmissionStatus.PENDING and "_save" in request.POST:
            messages.success(request, "Saved. Check what approval will change, then decide.")
            return HttpResponseRedirect(
                reverse("admin:submissions_submission_decide", args=[obj.pk]) + "#preview"
            )
        return super().response_change(request, obj)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="submissions_submission_decide",
            )
        ]
        return custom + super().get_urls()

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        submission = get_object_or_404(
            Submission.objects.select_related(
                "agency", "technology", "vendor", "agency_state", "target_agency"
            ),
            pk=object_id,
        )
        if not self.has_change_permission(request, submission):
            raise PermissionDenied
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"]
            moderator = cast(User, request.user)  # admin_view lets only staff users in
            try:
                if action == DecisionAction.APPROVE:
                    submission_approve(submission=submission, moderator=moderator, reason=reason)
                elif action == DecisionAction.REJECT:
                    submission_reject(submission=submission, moderator=moderator, reason=reason)
                else:
                    submission_undo(
                        submission=submission,
                        moderator=moderator,
                        reason=reason,
                        confirm=form.cleaned_data["confirm"],
                    )
            except SubmissionError as error:
                messages.error(request, str(error))
            else:
                submission.refresh_from_db()
                messages.success(request, decision_message(submission, DecisionAction(action)))
                return HttpResponseRedirect(reverse("admin:submissions_submission_changelist"))
        preview = None
        if submission.status == SubmissionStatus.PENDING:
            preview = approval_preview(submission=submission, moderator=cast(User, request.user))
        context = {
            **self.admin_site.each_context(request),
            "preview": preview,
            "opts": self.model._meta,
            "title": f"Decide: {submission}",
            "submission": submission,
            "duplicates": likely_duplicates(submission),
            "form": form,
            "decisions": submission.decisions.select_related("moderator"),
        }
        return TemplateResponse(request, "admin/submissions/submission/decide.html", context)
