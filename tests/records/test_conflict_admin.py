"""A conflict reads for a person: the record by name with a link, both values side by side, and
keep/take on its own page; a conflict is settled, never deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.records.models import Conflict, ConflictStatus
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict() -> Conflict:
    agency = AgencyFactory(name="Macomb County Sheriff's Office")
    return Conflict.objects.create(
        record_model="records.agency",
        record_id=agency.pk,
        field="city",
        ours='"Mount Clemens"',
        theirs='"Clinton Township"',
        set_by="moderator bob, 2026-11-02",
        source="atlas",
        label="Atlas_of_Surveillance-20201007.csv",
        line=16,
    )


def test_the_conflicts_list_names_and_links_the_record(bob_client, conflict):
    html = bob_client.get(reverse("admin:records_conflict_changelist")).content.decode()
    agency_url = reverse("admin:records_agency_change", args=[conflict.record_id])
    assert f'<a href="{agency_url}">Agency: Macomb County Sheriff&#x27;s Office (MI)</a>' in html
    assert "Mount Clemens" in html and "Clinton Township" in html


def test_a_conflicts_page_shows_both_values_and_settles_it(bob_client, bob, conflict):
    page = bob_client.get(reverse("admin:records_conflict_change", args=[conflict.pk]))
    html = page.content.decode()
    assert "Macomb County Sheriff&#x27;s Office (MI): city" in html
    assert "Kept now: the person's value" in html and "The source's value" in html
    settle = reverse("admin:records_conflict_settle", args=[conflict.pk])
    assert f'action="{settle}"' in html
    assert "deletelink" not in html  # no Delete on a conflict's page
    response = bob_client.post(settle, {"take": "1"})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.TAKEN and conflict.settled_by == bob
    agency = AgencyFactory._meta.model.objects.get(pk=conflict.record_id)
    assert agency.city == "Clinton Township"


def test_keeping_the_persons_value_from_the_conflicts_page(bob_client, conflict):
    bob_client.post(reverse("admin:records_conflict_settle", args=[conflict.pk]), {"keep": "1"})
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.KEPT


def test_conflicts_cannot_be_deleted_one_by_one_or_in_bulk(bob_client, conflict):
    changelist = bob_client.get(reverse("admin:records_conflict_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist
    delete = reverse("admin:records_conflict_delete", args=[conflict.pk])
    assert bob_client.post(delete, {"post": "yes"}).status_code == 403
    assert Conflict.objects.filter(pk=conflict.pk).exists()
