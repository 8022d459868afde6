"""The moderators' workbench: search, filters, sources inline, and every record's history."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from survmap.records.models import (
    Agency,
    Partnership,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
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


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
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


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "publisher", "published_date", "url"]
    search_fields = ["title", "url", "publisher", "notes"]
    list_filter = ["published_precision", "attribution"]
    date_hierarchy = "published_date"
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["agency", "technology", "vendor"]
    exclude = ["sources"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PartnershipSourceInline]

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
