"""Read-only lookups of the census states and counties, for autocomplete in the records admin."""

from django.contrib import admin
from django.http import HttpRequest

from survmap.geo.models import County, State


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(State)
class StateAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "fips"]
    search_fields = ["name", "code", "fips"]


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "state", "fips"]
    list_filter = ["state"]
    search_fields = ["name", "full_name", "fips"]
