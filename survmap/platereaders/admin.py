"""Moderators' screens for the plate-reader records: an organisation a label named is matched to
its directory agency here (its links and figures move to the agency, and a re-load keeps the
match); sharing links and observations are shown as their sources gave them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from survmap.platereaders import services
from survmap.platereaders.models import Observation, Organisation, Sharing
from survmap.records.plans import Writer


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "state", "kind", "agency")
    list_filter = ("kind",)
    search_fields = ("name", "label", "note")
    raw_id_fields = ("agency",)
    readonly_fields = ("label", "note", "attribution")
    fields = ("name", "state", "kind", "agency", "label", "note", "attribution")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        before = Organisation.objects.filter(pk=obj.pk).values_list("agency_id", flat=True).first()
        writer = Writer.moderator(request.user, "Matched to its agency in the admin")
        if obj.agency is not None and obj.agency_id != before:
            moved = services.organisation_match(organisation=obj, agency=obj.agency, writer=writer)
            messages.info(request, f"{moved} sharing link(s) moved to {obj.agency}.")
            return
        obj._change_reason = "Edited in the admin"  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)


class ShownAsRead(SimpleHistoryAdmin):
    """As the source gave it: no adding or changing here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sharing)
class SharingAdmin(ShownAsRead):
    list_display = ("__str__", "technology", "vendor", "as_of")
    raw_id_fields = (
        "from_agency",
        "from_organisation",
        "to_agency",
        "to_organisation",
        "source",
    )
    list_select_related = (
        "from_agency",
        "from_organisation",
        "to_agency",
        "to_organisation",
        "technology",
        "vendor",
    )


@admin.register(Observation)
class ObservationAdmin(ShownAsRead):
    list_display = ("__str__", "partnership", "organisation", "cameras", "retention_days")
    raw_id_fields = ("partnership", "organisation")
    list_select_related = ("partnership__agency", "organisation")
