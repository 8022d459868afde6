"""Read-only lookups of the census states and counties, for autocomplete in the records admin."""

from django.contrib import admin

from survmap.common.admin import ReadOnlyAdmin
from survmap.geo.models import County, State


@admin.register(State)
class StateAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "fips"]
    search_fields = ["name", "code", "fips"]


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "state", "fips"]
    list_filter = ["state"]
    search_fields = ["name", "full_name", "fips"]
