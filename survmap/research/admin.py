"""The moderators' research queue, in the admin: pending checks with what was searched, a
decision page to approve (linking a 'found' check to its partnership), reject with a reason the
researcher sees, or undo; and the research tasks, with a button to generate more."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from survmap.records.models import Partnership
from survmap.research.models import (
    CheckSource,
    CheckStatus,
    RecordsRequest,
    ResearchCheck,
    ResearchTask,
    TaskStatus,
)
from survmap.research.services import (
    ResearchError,
    check_approve,
    check_reject,
    check_undo,
    task_close,
    task_generate,
)

APPROVE, REJECT, UNDO = "approve", "reject", "undo"


class CheckDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (REJECT, "Reject"), (UNDO, "Undo")],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Shown to the researcher on their status page. Required to reject.",
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        help_text="For a 'found' check: the public partnership it found (or approve its tip).",
    )

    def __init__(self, *args: Any, research_check: ResearchCheck, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["partnership"])
        field.queryset = Partnership.objects.public().filter(
            agency=research_check.agency, technology=research_check.technology
        )


class CheckSourceInline(admin.TabularInline):
    model = CheckSource
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["kind", "url", "title", "notes"]


class RecordsRequestInline(admin.TabularInline):
    model = RecordsRequest
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["reference", "url", "filed_date", "answer", "answered_date", "answer_summary"]


class PendingFirst(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [*CheckStatus.choices, ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        # The queue opens on what needs a decision.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or CheckStatus.PENDING) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value() or CheckStatus.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(ResearchCheck)
class ResearchCheckAdmin(SimpleHistoryAdmin):
    list_display = [
        "created_at",
        "agency",
        "technology",
        "outcome",
        "checked_date",
        "status",
        "decide",
    ]
    list_filter = [PendingFirst, "outcome", "technology"]
    list_select_related = ["agency", "technology"]
    list_per_page = 50
    search_fields = ["agency__name", "technology__name", "summary", "credit_name"]
    autocomplete_fields = ["agency", "technology", "partnership"]
    readonly_fields = [
        "status",
        "tip",
        "task",
        "volunteer",
        "reviewed_by",
        "reviewed_at",
        "decision_reason",
        "created_at",
        "updated_at",
    ]
    fields = [
        "agency",
        "technology",
        "outcome",
        "partnership",
        ("checked_date", "checked_precision"),
        "summary",
        "credit_name",
        "status",
        "tip",
        "task",
        "volunteer",
        "reviewed_by",
        "reviewed_at",
        "decision_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [CheckSourceInline, RecordsRequestInline]
    change_form_template = "admin/research/researchcheck/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Checks come from volunteers' reports; moderators decide on them here.
        return False

    @admin.display(description="")
    def decide(self, obj: ResearchCheck) -> str:
        url = reverse("admin:research_researchcheck_decide", args=[obj.pk])
        return format_html('<a href="{}">Review and decide</a>', url)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="research_researchcheck_decide",
            )
        ]
        return custom + super().get_urls()

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        research_check = get_object_or_404(
            ResearchCheck.objects.select_related("agency", "technology", "tip", "partnership"),
            pk=object_id,
        )
        if not self.has_change_permission(request, research_check):
            raise PermissionDenied
        form = CheckDecisionForm(request.POST or None, research_check=research_check)
        if request.method == "POST" and form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"]
            moderator = cast(User, request.user)  # admin_view lets only staff users in
            try:
                if action == APPROVE:
                    check_approve(
                        research_check=research_check,
                        moderator=moderator,
                        reason=reason,
                        partnership=form.cleaned_data["partnership"],
                    )
                elif action == REJECT:
                    check_reject(research_check=research_check, moderator=moderator, reason=reason)
                else:
                    check_undo(research_check=research_check, moderator=moderator, reason=reason)
            except ResearchError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"{action.capitalize()}d: {research_check}.")
                return HttpResponseRedirect(reverse("admin:research_researchcheck_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Decide: {research_check}",
            "research_check": research_check,
            "form": form,
            "sources": research_check.sources.all(),
            "requests": research_check.records_requests.all(),
            "earlier": ResearchCheck.objects.filter(
                agency=research_check.agency, technology=research_check.technology
            )
            .exclude(pk=research_check.pk)
            .order_by("-checked_date"),
        }
        return TemplateResponse(request, "admin/research/researchcheck/decide.html", context)


class GenerateForm(forms.Form):
    limit = forms.IntegerField(
        min_value=1, max_value=5000, initial=100, help_text="How many new tasks to open."
    )


@admin.register(ResearchTask)
class ResearchTaskAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "technology", "priority", "status", "claimed_until"]
    list_filter = ["status", "technology"]
    list_select_related = ["agency", "technology"]
    search_fields = ["agency__name", "technology__name"]
    autocomplete_fields = ["agency", "technology"]
    readonly_fields = ["claimed_until", "claimed_by", "created_at", "updated_at"]
    actions = ["close_tasks"]
    change_list_template = "admin/research/researchtask/change_list.html"

    @admin.action(description="Close the selected tasks")
    def close_tasks(self, request: HttpRequest, queryset: QuerySet[ResearchTask]) -> None:
        closed = 0
        for task in queryset.exclude(status=TaskStatus.CLOSED):
            task_close(task=task, reason="Closed by a moderator")
            closed += 1
        messages.success(request, f"Closed {closed} task{'s' if closed != 1 else ''}.")

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="research_researchtask_generate",
            )
        ]
        return custom + super().get_urls()

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = task_generate(limit=form.cleaned_data["limit"])
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))
            else:
                messages.success(request, f"Opened {len(created)} new research tasks.")
                return HttpResponseRedirect(reverse("admin:research_researchtask_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Generate research tasks",
            "form": form,
        }
        return TemplateResponse(request, "admin/research/researchtask/generate.html", context)
