"""Merging in the admin: a moderator picks two agencies or vendors, sees what moves, confirms
with a reason, and can undo from the merge's page; nobody else can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.records.models import Agency, Partnership, RecordMerge, Vendor
from tests.factories import AgencyFactory, PartnershipFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    kept = AgencyFactory(name="New York City Police Department", state_id="NY")
    removed = AgencyFactory(name="New York Police Department", state_id="NY")
    moved = PartnershipFactory(agency=removed)
    return kept, removed, moved


def _action(client, kept, removed):
    return client.post(
        reverse("admin:records_agency_changelist"),
        {"action": "merge_selected", "_selected_action": [kept.pk, removed.pk]},
    )


def test_a_moderator_previews_merges_and_undoes(bob_client, pair):
    kept, removed, moved = pair
    response = _action(bob_client, kept, removed)
    assert response.status_code == 302
    preview_url = response["Location"]
    assert preview_url.startswith(reverse("admin:records_agency_merge"))

    page = bob_client.get(preview_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Partnerships that move (1)" in text
    assert str(moved.pk) in text and "New York Police Department" in text
    assert "Keep New York Police Department" in text  # which name stays can be switched
    assert Agency.objects.filter(pk=removed.pk).exists()  # a preview writes nothing

    done = bob_client.post(
        reverse("admin:records_agency_merge"),
        {"keep": kept.pk, "remove": removed.pk, "reason": "One NYPD"},
    )
    merge = RecordMerge.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:records_recordmerge_change", args=[merge.pk])
    assert Partnership.objects.get(pk=moved.pk).agency == kept
    assert merge.merged_by.username == "bob" and merge.reason == "One NYPD"
    assert bob_client.get(done["Location"]).status_code == 200

    undo_url = reverse("admin:records_recordmerge_undo", args=[merge.pk])
    undo_page = bob_client.get(undo_url)
    assert undo_page.status_code == 200
    assert "comes back under id" in undo_page.content.decode()
    assert not RecordMerge.objects.get().is_undone  # GET writes nothing
    undone = bob_client.post(undo_url, {"reason": "two after all"})
    assert undone.status_code == 302
    assert Partnership.objects.get(pk=moved.pk).agency_id == removed.pk
    assert RecordMerge.objects.get().is_undone


def test_the_undo_page_says_why_it_cannot(bob_client, pair):
    kept, removed, moved = pair
    bob_client.post(
        reverse("admin:records_agency_merge"),
        {"keep": kept.pk, "remove": removed.pk, "reason": "One NYPD"},
    )
    merge = RecordMerge.objects.get()
    Partnership.objects.filter(pk=moved.pk).update(agency=AgencyFactory(state_id="NY"))
    undo_url = reverse("admin:records_recordmerge_undo", args=[merge.pk])
    assert "cannot be undone" in bob_client.get(undo_url).content.decode()
    refused = bob_client.post(undo_url, {"reason": "x"})
    assert refused.status_code == 400
    assert not RecordMerge.objects.get().is_undone


def test_vendors_merge_the_same_way(bob_client):
    kept = VendorFactory(name="Flock Safety", slug="flock-safety")
    removed = VendorFactory(name="Flock", slug="flock")
    response = bob_client.post(
        reverse("admin:records_vendor_changelist"),
        {"action": "merge_selected", "_selected_action": [kept.pk, removed.pk]},
    )
    assert bob_client.get(response["Location"]).status_code == 200
    bob_client.post(
        reverse("admin:records_vendor_merge"),
        {"keep": kept.pk, "remove": removed.pk, "reason": "Flock is Flock Safety"},
    )
    assert not Vendor.objects.filter(pk=removed.pk).exists()
    assert kept.aliases.get().name == "Flock"


def test_the_action_wants_exactly_two(bob_client, pair):
    kept, removed, _ = pair
    third = AgencyFactory(state_id="NY")
    response = bob_client.post(
        reverse("admin:records_agency_changelist"),
        {"action": "merge_selected", "_selected_action": [kept.pk, removed.pk, third.pk]},
        follow=True,
    )
    assert "Select exactly two" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "?keep=1", "?keep=x&remove=y", "?keep=99999999999&remove=1", "?keep=999&remove=998"],
)
def test_bad_input_is_no_500(bob_client, query):
    response = bob_client.get(reverse("admin:records_agency_merge") + query)
    assert response.status_code == 302


def test_a_refused_merge_says_why_and_writes_nothing(bob_client):
    kept = AgencyFactory(state_id="NY")
    removed = AgencyFactory(state_id="NJ")
    url = reverse("admin:records_agency_merge")
    page = bob_client.post(url, {"keep": kept.pk, "remove": removed.pk, "reason": "one"})
    assert page.status_code == 400
    assert "two states" in page.content.decode()
    assert Agency.objects.filter(pk=removed.pk).exists()
    assert not RecordMerge.objects.exists()


def test_others_cannot_merge_or_undo(client, alice_client, pair):
    kept, removed, _moved = pair
    url = reverse("admin:records_agency_merge")
    data = {"keep": kept.pk, "remove": removed.pk, "reason": "x"}
    for someone in (client, alice_client):
        response = someone.post(url, data)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert Agency.objects.filter(pk=removed.pk).exists()


def test_staff_without_the_permissions_cannot(db, pair):
    from django.contrib.auth.models import User
    from django.test import Client

    kept, removed, _ = pair
    staff = User.objects.create_user("carol", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("admin:records_agency_merge"),
        {"keep": kept.pk, "remove": removed.pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert Agency.objects.filter(pk=removed.pk).exists()


def test_a_merge_too_large_for_a_request_points_to_the_command_and_writes_nothing(
    bob_client, pair, monkeypatch
):
    from survmap.records import admin as records_admin

    kept, removed, _moved = pair
    PartnershipFactory(agency=removed)
    monkeypatch.setattr(records_admin, "MERGE_ROWS_IN_ONE_REQUEST", 1)
    url = reverse("admin:records_agency_merge")
    page = bob_client.get(url, {"keep": kept.pk, "remove": removed.pk})
    text = page.content.decode()
    assert "moves 2 rows" in text
    assert f"merge_records agency {kept.pk} {removed.pk} --moderator bob" in text
    assert 'name="reason"' not in text  # no form to send
    posted = bob_client.post(url, {"keep": kept.pk, "remove": removed.pk, "reason": "One"})
    assert posted.status_code == 400
    assert Agency.objects.filter(pk=removed.pk).exists()
    assert not RecordMerge.objects.exists()


def test_the_command_merges_and_undoes_as_the_moderator_named(pair, django_user_model):
    from io import StringIO

    from django.core.management import CommandError, call_command

    kept, removed, moved = pair
    django_user_model.objects.create_user("carol", is_staff=True)
    out = StringIO()
    call_command(
        "merge_records", "agency", kept.pk, removed.pk, "--reason=One NYPD",
        "--moderator=carol", "--dry-run", stdout=out,
    )  # fmt: skip
    assert "1 partnerships" in out.getvalue() and "nothing written" in out.getvalue()
    assert Agency.objects.filter(pk=removed.pk).exists()

    for bad, message in (
        (["agency", kept.pk, removed.pk, "--moderator=nobody"], "No staff member"),
        (["agency", kept.pk, 999_999, "--moderator=carol"], "No agency with id 999999"),
        (["agency", kept.pk, "--moderator=carol"], "two ids"),
        (["agency", kept.pk, kept.pk, "--moderator=carol"], "Refused"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("merge_records", *bad, "--reason=x", stdout=StringIO())
    assert not RecordMerge.objects.exists()

    call_command(
        "merge_records", "agency", kept.pk, removed.pk, "--reason=One NYPD",
        "--moderator=carol", stdout=out,
    )  # fmt: skip
    merge = RecordMerge.objects.get()
    assert merge.merged_by.username == "carol" and merge.reason == "One NYPD"
    assert Partnership.objects.get(pk=moved.pk).agency == kept
    call_command("merge_records", "undo", merge.pk, "--reason=two", "--moderator=carol", stdout=out)
    assert Partnership.objects.get(pk=moved.pk).agency_id == removed.pk
    assert RecordMerge.objects.get().is_undone
    with pytest.raises(CommandError, match="undone"):
        call_command("merge_records", "undo", merge.pk, "--reason=x", "--moderator=carol")
