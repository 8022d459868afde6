"""The moderators' workbench: search, filters, sources inline, and every record's history.
Edits of agencies, partnerships and sources go through the record services (records.services.
record_edit) as the moderator, with the reason they give, so provenance and the merge policy
know a person set those fields; import conflicts are settled here too."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from survmap.common.admin import ReadOnlyAdmin
from survmap.records.models import (
    Agency,
    AgencyAlias,
    Conflict,
    ConflictStatus,
    MergeKind,
    Partnership,
    PolicyEvent,
    RecordMerge,
    Source,
    Technology,
    Vendor,
    VendorAlias,
)
from survmap.records.plans import Writer
from survmap.records.services import (
    MergeRefused,
    MergeUndoRefused,
    agency_match,
    agency_merge,
    conflict_settle,
    merge_preview,
    merge_undo,
    merge_undo_check,
    record_edit,
    vendor_merge,
)

# Rows a merge may move in one admin request: each is saved with its history (3-4 ms apiece on
# the 2-core machine), so 5,000 take 15-20 s of the 30 s gunicorn allows. Larger merges (a
# vendor with every plate-reader sharing link) run from `manage.py merge_records`.
MERGE_ROWS_IN_ONE_REQUEST = 5_000


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        max_length=100,
        required=False,
        label="Why",
        help_text="Why you made this change (kept in the record's history).",
    )


class EditedThroughServices(SimpleHistoryAdmin):
    """A record's fields and links written by records.services.record_edit, as the moderator."""

    form = ReasonForm
    # Links edited through an inline of their through model, written through the services.
    through_links: dict[type[models.Model], tuple[str, str]] = {}

    def _writer(self, request: HttpRequest, form: forms.ModelForm) -> Writer:
        reason = form.cleaned_data.get("change_reason") or "Edited in the admin"
        return Writer.moderator(request.user, reason)

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        concrete = {
            field.name
            for field in obj._meta.concrete_fields
            if field.editable and not field.primary_key
        }
        names = form.changed_data if change else list(form.cleaned_data)
        values = {name: form.cleaned_data[name] for name in names if name in concrete}
        many = [
            field.name
            for field in obj._meta.many_to_many
            if field.name in form.cleaned_data and field.name in form.changed_data
        ]
        writer = self._writer(request, form)
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            record_edit(instance=stored, values=values, writer=writer)
            obj.provenance = stored.provenance  # type: ignore[attr-defined]
        else:
            record_edit(instance=obj, values=values, writer=writer)
            stored = obj
        for name in many:
            wanted = {str(item.pk): item for item in form.cleaned_data[name]}
            linked = {str(pk) for pk in getattr(stored, name).values_list("pk", flat=True)}
            record_edit(
                instance=stored,
                values={},
                writer=writer,
                add_links={name: [item for key, item in wanted.items() if key not in linked]},
                remove_links={name: [key for key in linked if key not in wanted]},
            )
        obj.provenance = stored.provenance  # type: ignore[attr-defined]

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        link = self.through_links.get(formset.model)
        if link is None:
            super().save_formset(request, form, formset, change)
            return
        name, target = link
        formset.save(commit=False)  # sorts the rows into new, changed and deleted ones
        add = [getattr(item, target) for item in formset.new_objects]
        remove = [getattr(item, target) for item in formset.deleted_objects]
        for item, _fields in formset.changed_objects:
            add.append(getattr(item, target))
            remove.append(getattr(type(item)._default_manager.get(pk=item.pk), target))
        kept = {item.pk for item in add}
        record_edit(
            instance=form.instance,
            values={},
            writer=self._writer(request, form),
            add_links={name: add},
            remove_links={name: [item for item in remove if item.pk not in kept]},
        )


class PartnershipSourceInline(admin.TabularInline):
    model = Partnership.sources.through
    extra = 1
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources"


class PolicyEventSourceInline(admin.TabularInline):
    model = PolicyEvent.sources.through
    extra = 1
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources"


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    fields = ["technology", "vendor", "status", "start_date", "end_date"]
    readonly_fields = ["technology", "vendor", "status", "start_date", "end_date"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class HasSourceFilter(admin.SimpleListFilter):
    title = "public"
    parameter_name = "public"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Public (has a source)"), ("no", "Hidden (no source)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        public = Partnership.objects.public().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=public)
        if self.value() == "no":
            return queryset.exclude(pk__in=public)
        return queryset


@admin.register(Technology)
class TechnologyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "slug"]
    list_filter = ["category"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class MergeForm(forms.Form):
    keep = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    remove = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(
        max_length=200,
        required=False,
        help_text="Why the two are one (kept with the merge and in both records' history).",
    )


class MergesRecords(admin.ModelAdmin):
    """An action on exactly two records ("Merge selected"), a preview of what moves with the
    choice of which record stays, and the merge on confirm (a POST with the reason)."""

    merge_kind: str = ""
    actions = ["merge_selected"]

    def _may_merge(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self._may_merge(request):
            actions.pop("merge_selected", None)
        return actions

    @admin.action(description="Merge the two selected (preview first)")
    def merge_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        picked = list(queryset.order_by("pk").values_list("pk", flat=True)[:3])
        if len(picked) != 2:
            self.message_user(request, "Select exactly two to merge.", messages.ERROR)
            return None
        meta = self.model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_merge")
        return HttpResponseRedirect(f"{url}?keep={picked[0]}&remove={picked[1]}")

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path(
                "merge/",
                self.admin_site.admin_view(self.merge_view),
                name=f"{meta.app_label}_{meta.model_name}_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may_merge(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        form = MergeForm(data)
        meta = self.model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        if not form.is_valid():
            self.message_user(request, "Pick two records to merge.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        manager = self.model._default_manager
        kept = manager.filter(pk=form.cleaned_data["keep"]).first()
        removed = manager.filter(pk=form.cleaned_data["remove"]).first()
        if kept is None or removed is None:
            self.message_user(request, "One of the two records no longer exists.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        preview = merge_preview(kind=self.merge_kind, kept=kept, removed=removed)
        error = preview.refused
        command = ""
        if not error and preview.rows > MERGE_ROWS_IN_ONE_REQUEST:
            command = (
                f"python manage.py merge_records {meta.model_name} {kept.pk} {removed.pk} "
                f'--moderator {request.user.get_username()} --reason "..."'
            )
            error = (
                f"This merge moves {preview.rows:,} rows, each saved with its history: more than "
                "one web request can do before the server's time limit stops it. Run it from a "
                "shell on the server instead (same merge, same undo):"
            )
        if request.method == "POST" and not error:
            reason = form.cleaned_data["reason"]
            writer = Writer.moderator(request.user, reason)
            merge_function = agency_merge if self.merge_kind == MergeKind.AGENCY else vendor_merge
            try:
                merge = merge_function(kept=kept, removed=removed, writer=writer, reason=reason)
            except MergeRefused as refused:
                error = str(refused)
            else:
                self.message_user(
                    request,
                    f"{removed} merged into {kept}; its name is kept as an alias. The merge can "
                    "be undone from its page.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:records_recordmerge_change", args=[merge.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": meta,
            "title": f"Merge two {meta.verbose_name_plural}",
            "preview": preview,
            "error": error,
            "command": command,
            "reason": form.cleaned_data.get("reason") or "",
            "swap_url": f"?keep={removed.pk}&remove={kept.pk}",
        }
        return TemplateResponse(
            request, "admin/records/merge_preview.html", context, status=400 if error else 200
        )


class VendorAliasInline(admin.TabularInline):
    model = VendorAlias
    extra = 0
    fields = ["name", "source", "note"]


@admin.register(Vendor)
class VendorAdmin(MergesRecords, SimpleHistoryAdmin):
    merge_kind = MergeKind.VENDOR
    list_display = ["name", "parent", "website"]
    search_fields = ["name", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [VendorAliasInline]


class AgencyForm(ReasonForm):
    """A new agency is checked with the matcher first: an agency survmap already has under
    another spelling, ORI or known name is not added twice."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("name") and data.get("state"):
            found = agency_match(
                name=data["name"],
                state=data["state"].pk,
                ori=data.get("ori") or "",
                city=data.get("city") or "",
                kind=data.get("kind") or "",
            )
            if found.agency is not None:
                raise forms.ValidationError(
                    f"survmap has this agency already: {found.agency} (id {found.agency.pk}, "
                    f"found by {found.rule}). Edit that one instead."
                )
            if found.candidates:
                raise forms.ValidationError(
                    f"This could be an agency survmap has: {found.describe()}. Edit that one, "
                    "or give a name that tells the new agency apart."
                )
        return data


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 0
    fields = ["name", "source", "note"]


@admin.register(Agency)
class AgencyAdmin(MergesRecords, EditedThroughServices):
    merge_kind = MergeKind.AGENCY
    form = AgencyForm
    list_display = ["name", "kind", "city", "state", "partnership_count"]
    ordering = ["name", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "city", "ori", "counties__name", "aliases__name"]
    autocomplete_fields = ["counties"]
    readonly_fields = ["normalized_name", "created_at", "updated_at"]
    inlines = [AgencyAliasInline, PartnershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("state")
            .annotate(partnership_total=Count("partnerships"))
        )

    @admin.display(description="partnerships", ordering="partnership_total")
    def partnership_count(self, obj: Agency) -> int:
        return obj.partnership_total  # type: ignore[attr-defined]


class DateDrillDownChangeList(ChangeList):
    """Django reads the date drill-down's year, month and day with int() and catches only
    ValueError: `?published_date__year=` with thirty digits overflowed into a 500. Such a query
    is a bad lookup, answered as the admin answers any other (the list, with an error flag)."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(Source)
class SourceAdmin(EditedThroughServices):
    list_display = ["__str__", "publisher", "published_date", "url"]
    search_fields = ["title", "url", "publisher", "notes"]
    list_filter = ["published_precision", "attribution"]
    date_hierarchy = "published_date"
    readonly_fields = ["created_at", "updated_at"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DateDrillDownChangeList


@admin.register(Partnership)
class PartnershipAdmin(EditedThroughServices):
    list_display = ["agency", "state", "technology", "vendor", "status", "start_date", "end_date"]
    list_filter = [
        HasSourceFilter,
        "status",
        "technology",
        ("vendor", admin.RelatedOnlyFieldListFilter),
        "agency__state",
        "agency__kind",
    ]
    list_select_related = ["agency", "agency__state", "technology", "vendor"]
    search_fields = ["agency__name", "agency__city", "summary", "product", "atlas_id"]
    autocomplete_fields = ["agency", "technology", "vendor", "other_vendors"]
    exclude = ["sources"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PartnershipSourceInline]
    through_links = {Partnership.sources.through: ("sources", "source")}

    @admin.display(description="state", ordering="agency__state")
    def state(self, obj: Partnership) -> str:
        return obj.agency.state_id


@admin.register(PolicyEvent)
class PolicyEventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "date", "actor", "technology", "state"]
    list_filter = ["kind", "technology", "state"]
    search_fields = ["title", "actor", "summary"]
    autocomplete_fields = ["vendor", "technology", "state", "county", "partnerships"]
    exclude = ["sources"]
    inlines = [PolicyEventSourceInline]


def _conflict_record(conflict: Conflict) -> models.Model | None:
    try:
        model = apps.get_model(conflict.record_model)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=conflict.record_id).first()


def _readable(stored: str) -> str:
    """A conflict's value as a person reads it: stored as JSON ('"Ours."'), shown as text."""
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


def _field_label(conflict: Conflict, record: models.Model | None) -> str:
    if record is not None:
        try:
            field = record._meta.get_field(conflict.field)
            return str(getattr(field, "verbose_name", conflict.field))
        except FieldDoesNotExist:
            pass
    return conflict.field


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    """Values an import did not write because a person had changed the field: a moderator keeps
    the person's value or takes the source's."""

    list_display = ["record", "field", "ours", "theirs", "source", "line", "status"]
    # The conflict's page opens from its field; the record's name links to the record.
    list_display_links = ["field"]
    list_filter = ["status", "record_model", "source"]
    search_fields = ["field", "ours", "theirs", "label"]
    readonly_fields = [field.name for field in Conflict._meta.fields]
    actions = ["keep_ours", "take_theirs"]
    change_form_template = "admin/records/conflict/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A conflict is settled, never deleted: deleting it would lose what was decided.
        return False

    @admin.display(description="record")
    def record(self, conflict: Conflict) -> str:
        """The record by its name, linked to its admin page."""
        found = _conflict_record(conflict)
        if found is None:
            return f"{conflict.record_model} {conflict.record_id} (deleted)"
        meta = found._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[found.pk])
        kind = str(meta.verbose_name).capitalize()
        return format_html('<a href="{}">{}: {}</a>', url, kind, found)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/settle/",
                self.admin_site.admin_view(self.settle_view),
                name="records_conflict_settle",
            ),
            *super().get_urls(),
        ]

    def settle_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Keep or take, from the conflict's own page (a POST of its two buttons)."""
        conflict = get_object_or_404(Conflict, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, conflict):
            raise PermissionDenied
        take = "take" in request.POST
        self._settle(request, Conflict.objects.filter(pk=pk), take=take)
        return HttpResponseRedirect(reverse("admin:records_conflict_changelist"))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        conflict = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if conflict is not None:
            found = _conflict_record(conflict)
            context.update(
                conflict=conflict,
                conflict_record=found,
                field_label=_field_label(conflict, found),
                ours_value=_readable(conflict.ours),
                theirs_value=_readable(conflict.theirs),
                public_url=getattr(found, "get_absolute_url", lambda: "")() if found else "",
            )
        return super().change_view(request, object_id, form_url, context)

    def _settle(self, request: HttpRequest, queryset: QuerySet, *, take: bool) -> None:
        writer = Writer.moderator(
            request.user, "Took the import's value" if take else "Kept the person's value"
        )
        settled = 0
        for conflict in queryset.filter(status=ConflictStatus.OPEN):
            try:
                conflict_settle(conflict=conflict, take_source=take, writer=writer)
            except ValidationError as error:
                # The others are settled all the same; this one stays open, and says why.
                self.message_user(
                    request, f"Conflict {conflict.pk}: {' '.join(error.messages)}", messages.ERROR
                )
                continue
            settled += 1
        self.message_user(request, f"{settled} conflict(s) settled.", messages.SUCCESS)

    @admin.action(description="Keep the person's value")
    def keep_ours(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._settle(request, queryset, take=False)

    @admin.action(description="Take the source's value")
    def take_theirs(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._settle(request, queryset, take=True)


@admin.register(RecordMerge)
class RecordMergeAdmin(ReadOnlyAdmin):
    """Merges of two agencies or two vendors: who, when, why, what moved; undone from here
    (a preview of the undo, then a POST). What a merge did is its record: read-only, and never
    deleted, which would lose what undoes it."""

    list_display = ["__str__", "kind", "merged_by_label", "created_at", "undone_at"]
    list_filter = ["kind", ("undone_at", admin.EmptyFieldListFilter)]
    search_fields = ["kept_name", "removed_name", "reason"]
    readonly_fields = [
        "kind",
        "kept_link",
        "removed_name",
        "removed_id",
        "reason",
        "merged_by",
        "merged_by_label",
        "created_at",
        "moved",
        "undone_at",
        "undone_by",
        "undo_reason",
        "undo_link",
    ]
    exclude = ["state", "summary", "kept_id", "kept_name", "updated_at"]

    def _model_admin(self, merge: RecordMerge) -> admin.ModelAdmin:
        model = Agency if merge.kind == MergeKind.AGENCY else Vendor
        return self.admin_site._registry[model]

    def _may_undo(self, request: HttpRequest, merge: RecordMerge) -> bool:
        model_admin = self._model_admin(merge)
        return model_admin.has_change_permission(request) and model_admin.has_add_permission(
            request
        )

    @admin.display(description="kept")
    def kept_link(self, merge: RecordMerge) -> str:
        model = Agency if merge.kind == MergeKind.AGENCY else Vendor
        if not model._default_manager.filter(pk=merge.kept_id).exists():
            return f"{merge.kept_name} (id {merge.kept_id}, deleted)"
        url = reverse(f"admin:records_{model._meta.model_name}_change", args=[merge.kept_id])
        return format_html('<a href="{}">{}</a>', url, merge.kept_name)

    @admin.display(description="what moved")
    def moved(self, merge: RecordMerge) -> str:
        counts = merge.summary.get("counts", {})
        parts = [f"{number} {label}" for label, number in sorted(counts.items())]
        notes = merge.summary.get("notes", [])
        return "; ".join(parts or ["nothing"]) + ("".join(f" Note: {n}" for n in notes))

    @admin.display(description="undo")
    def undo_link(self, merge: RecordMerge) -> str:
        if merge.is_undone:
            return "Undone."
        url = reverse("admin:records_recordmerge_undo", args=[merge.pk])
        return format_html('<a class="button" href="{}">Undo this merge…</a>', url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/undo/",
                self.admin_site.admin_view(self.undo_view),
                name="records_recordmerge_undo",
            ),
            *super().get_urls(),
        ]

    def undo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        merge = get_object_or_404(RecordMerge, pk=pk)
        if not self._may_undo(request, merge):
            raise PermissionDenied
        problems = merge_undo_check(merge)
        if not problems and len(merge.state.get("steps", [])) > MERGE_ROWS_IN_ONE_REQUEST:
            problems = [
                f"This merge moved {len(merge.state['steps']):,} rows: more than one web request "
                "can move back before the server's time limit. Run the undo from a shell on the "
                f"server: python manage.py merge_records undo {merge.pk} --moderator "
                f'{request.user.get_username()} --reason "..."'
            ]
        reason = str(request.POST.get("reason", ""))[:200] if request.method == "POST" else ""
        if request.method == "POST" and not problems:
            try:
                merge_undo(
                    merge=merge, writer=Writer.moderator(request.user, reason), reason=reason
                )
            except MergeUndoRefused as refused:
                problems = [str(refused)]
            else:
                self.message_user(
                    request,
                    f"Merge undone: {merge.removed_name} is back under id {merge.removed_id}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:records_recordmerge_change", args=[merge.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": RecordMerge._meta,
            "title": f"Undo merge {merge.pk}",
            "merge": merge,
            "problems": problems,
            "steps": _undo_summary(merge),
        }
        return TemplateResponse(
            request,
            "admin/records/recordmerge/undo.html",
            context,
            status=400 if problems and request.method == "POST" else 200,
        )


def _undo_summary(merge: RecordMerge) -> list[str]:
    """What an undo would do, in words, for its preview."""
    counted: dict[str, int] = {}
    for step in merge.state.get("steps", []):
        if step["op"] == "move":
            what = f"{step['model'].split('.')[1]} rows moved back"
        elif step["op"] == "relink":
            what = f"{step['model'].split('.')[1]} links moved back"
        elif step["op"] == "combine":
            what = "combined partnerships split again"
        elif step["op"] == "alias":
            what = "aliases the merge added removed"
        else:
            continue
        counted[what] = counted.get(what, 0) + 1
    lines = [f"{merge.removed_name} comes back under id {merge.removed_id}."]
    lines += [f"{number} {what}." for what, number in counted.items()]
    return lines
