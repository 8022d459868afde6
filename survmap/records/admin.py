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
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from survmap.records.models import (
    Agency,
    Conflict,
    ConflictStatus,
    Partnership,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
from survmap.records.plans import Writer
from survmap.records.services import agency_match, conflict_settle, record_edit


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


@admin.register(Vendor)
class VendorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "parent", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


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


@admin.register(Agency)
class AgencyAdmin(EditedThroughServices):
    form = AgencyForm
    list_display = ["name", "kind", "city", "state", "partnership_count"]
    ordering = ["name", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "city", "ori", "counties__name"]
    autocomplete_fields = ["counties"]
    readonly_fields = ["normalized_name", "created_at", "updated_at"]
    inlines = [PartnershipInline]

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
