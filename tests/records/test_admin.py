"""The moderators' admin: it works for a moderator and refuses everyone else."""

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:records_partnership_changelist",
    "admin:records_agency_changelist",
    "admin:records_source_changelist",
    "admin:records_policyevent_changelist",
    "admin:records_technology_changelist",
    "admin:records_vendor_changelist",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_contributor_without_staff_rights_is_refused(alice_client):
    response = alice_client.get(reverse("admin:records_partnership_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_a_moderator_can_open_every_list(bob_client, name):
    PartnershipFactory()
    assert bob_client.get(reverse(name)).status_code == 200


def test_a_moderator_can_search_and_filter_partnerships(bob_client):
    warren = PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"))
    PartnershipFactory(agency=AgencyFactory(name="Detroit Police Department"))
    hidden = PartnershipFactory(sources=[])
    url = reverse("admin:records_partnership_changelist")

    found = bob_client.get(url, {"q": "Warren"}).context["cl"].result_list
    assert list(found) == [warren]

    by_state = bob_client.get(url, {"agency__state__code__exact": "MI"}).context["cl"]
    assert by_state.result_count == 3
    hidden_only = bob_client.get(url, {"public": "no"}).context["cl"].result_list
    assert list(hidden_only) == [hidden]


def test_a_moderator_adds_a_partnership_with_a_source_inline(bob_client):
    agency = AgencyFactory()
    source = SourceFactory()
    other = PartnershipFactory()
    response = bob_client.post(
        reverse("admin:records_partnership_add"),
        {
            "agency": agency.pk,
            "technology": other.technology_id,
            "vendor": other.vendor_id,
            "status": "pilot",
            "start_date": "2019-05-01",
            "start_precision": "month",
            "summary": "",
            "product": "",
            "Partnership_sources-TOTAL_FORMS": "1",
            "Partnership_sources-INITIAL_FORMS": "0",
            "Partnership_sources-0-source": source.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = agency.partnerships.get()
    assert list(created.sources.all()) == [source]


def test_agency_autocomplete_answers_a_moderator(bob_client):
    AgencyFactory(name="Warren Police Department")
    response = bob_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "warr",
            "app_label": "records",
            "model_name": "partnership",
            "field_name": "agency",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Warren Police Department (MI)"]


def test_the_admin_explains_a_duplicate_agency_instead_of_failing(bob_client):
    AgencyFactory(name="Warren Police Department")
    response = bob_client.post(
        reverse("admin:records_agency_add"),
        {
            "name": "Warren Police Dept",
            "kind": "police",
            "state": "MI",
            "city": "",
            "ori": "",
            "attribution": "",
            "partnerships-TOTAL_FORMS": "0",
            "partnerships-INITIAL_FORMS": "0",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert b"already recorded in MI" in response.content


def test_the_admin_asks_the_matcher_before_adding_an_agency(bob_client):
    from survmap.records.models import Agency

    warren = AgencyFactory(name="Warren Police Department")
    form = {
        "name": "City of Warren Police",
        "kind": "police",
        "state": "MI",
        "city": "",
        "ori": "",
        "attribution": "",
        "partnerships-TOTAL_FORMS": "0",
        "partnerships-INITIAL_FORMS": "0",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    response = bob_client.post(reverse("admin:records_agency_add"), form)
    assert response.status_code == 200
    assert (
        f"survmap has this agency already: Warren Police Department (MI) (id {warren.pk}".encode()
        in (response.content)
    )
    assert Agency.objects.count() == 1
    # Another agency of another name is added as before.
    response = bob_client.post(
        reverse("admin:records_agency_add"), {**form, "name": "Warren County Sheriff"}
    )
    assert response.status_code == 302
    assert Agency.objects.count() == 2


def test_a_moderators_edit_is_written_as_theirs_with_their_reason(bob, bob_client):
    from survmap.records import provenance

    partnership = PartnershipFactory(status="active")
    source = partnership.sources.get()
    other = SourceFactory()
    response = bob_client.post(
        reverse("admin:records_partnership_change", args=[partnership.pk]),
        {
            "agency": partnership.agency_id,
            "technology": partnership.technology_id,
            "vendor": partnership.vendor_id or "",
            "status": "ended",
            "start_date": "",
            "start_precision": "",
            "end_date": "",
            "end_precision": "",
            "summary": partnership.summary,
            "product": partnership.product,
            "atlas_id": "",
            "attribution": partnership.attribution,
            "change_reason": "Council minutes of 2021-03-02",
            "Partnership_sources-TOTAL_FORMS": "2",
            "Partnership_sources-INITIAL_FORMS": "1",
            "Partnership_sources-0-id": partnership.sources.through.objects.get().pk,
            "Partnership_sources-0-partnership": partnership.pk,
            "Partnership_sources-0-source": source.pk,
            "Partnership_sources-0-DELETE": "on",
            "Partnership_sources-1-source": other.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership.refresh_from_db()
    assert partnership.status == "ended"
    assert list(partnership.sources.all()) == [other]
    assert provenance.last_writer(partnership, "status")[0] == f"moderator:{bob.pk}"
    assert provenance.last_writer(partnership, f"sources:{source.pk}")[0] == f"moderator:{bob.pk}"
    reasons = set(partnership.history.values_list("history_change_reason", flat=True))
    assert "Council minutes of 2021-03-02" in reasons


def test_a_moderator_settles_a_conflict_by_taking_the_sources_value(bob, bob_client):
    from survmap.records.models import Conflict, ConflictStatus

    partnership = PartnershipFactory(summary="Ours.")
    conflict = Conflict.objects.create(
        record_model="records.partnership",
        record_id=partnership.pk,
        field="summary",
        ours='"Ours."',
        theirs='"The Atlas says so."',
        set_by="moderator bob",
        source="atlas",
        line=7,
    )
    response = bob_client.post(
        reverse("admin:records_conflict_changelist"),
        {"action": "take_theirs", "_selected_action": [conflict.pk]},
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.summary == "The Atlas says so."
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.TAKEN and conflict.settled_by == bob


def test_taking_the_sources_value_for_a_deleted_record_says_so_and_settles_the_rest(
    bob, bob_client
):
    from survmap.records.models import Conflict, ConflictStatus

    def conflict_on(partnership):
        return Conflict.objects.create(
            record_model="records.partnership",
            record_id=partnership.pk,
            field="summary",
            ours='"Ours."',
            theirs='"The Atlas says so."',
            set_by="moderator bob",
            source="atlas",
            line=7,
        )

    gone, kept = PartnershipFactory(summary="Ours."), PartnershipFactory(summary="Ours.")
    orphan, live = conflict_on(gone), conflict_on(kept)
    gone.delete()
    response = bob_client.post(
        reverse("admin:records_conflict_changelist"),
        {"action": "take_theirs", "_selected_action": [orphan.pk, live.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Conflict {orphan.pk}: The partnership {orphan.record_id} was deleted" in html
    assert "was deleted since the import" in html
    assert "1 conflict(s) settled." in html
    orphan.refresh_from_db()
    live.refresh_from_db()
    assert orphan.status == ConflictStatus.OPEN
    assert live.status == ConflictStatus.TAKEN
    # Keeping the person's value closes it.
    bob_client.post(
        reverse("admin:records_conflict_changelist"),
        {"action": "keep_ours", "_selected_action": [orphan.pk]},
    )
    orphan.refresh_from_db()
    assert orphan.status == ConflictStatus.KEPT


@pytest.mark.parametrize(
    "query",
    [
        "published_date__year=" + "9" * 30,
        "published_date__year=2020&published_date__month=" + "9" * 30,
        "published_date__year=2020&published_date__month=1&published_date__day=" + "9" * 30,
        "published_date__year=abc",
    ],
)
def test_a_date_drill_down_out_of_any_range_is_a_bad_lookup_not_a_500(bob_client, query):
    SourceFactory()
    response = bob_client.get(reverse("admin:records_source_changelist") + "?" + query)
    # The admin's answer to a bad lookup: back to the list, flagged.
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
