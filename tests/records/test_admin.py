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
        },
    )
    assert response.status_code == 200
    assert b"already recorded in MI" in response.content
