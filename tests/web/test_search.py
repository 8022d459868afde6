"""The search box: agencies, cities, counties, states, technologies and vendors; ranked; tolerant
of case and accents."""

import pytest
from django.urls import reverse

from survmap.geo.models import State
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _search(client, q):
    response = client.get(reverse("web:search"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_it_finds_a_county_whatever_the_accents_and_case(client):
    results = _search(client, "DONA ana")
    assert results[0]["label"] == "Doña Ana County, NM"
    assert results[0]["kind"] == "county"
    assert results[0]["url"] == reverse("web:region", args=["35013"])
    assert results[0]["fips"] == "35013"


def test_it_ranks_a_whole_name_before_a_partial_one(client):
    results = _search(client, "michigan")
    assert results[0]["label"] == "Michigan"
    assert results[0]["kind"] == "state"


def test_it_finds_agencies_cities_technologies_and_vendors(client):
    PartnershipFactory(
        agency=AgencyFactory(
            name="Policía de Mayagüez",
            city="Mayagüez",
            state=State.objects.get(code="PR"),
            counties=["72097"],
        ),
        technology=TechnologyFactory(slug="face-recognition", name="Face recognition"),
        vendor=VendorFactory(slug="clearview-ai", name="Clearview AI"),
    )
    agency = _search(client, "policia mayaguez")
    assert agency[0]["kind"] == "agency"
    assert agency[0]["label"] == "Policía de Mayagüez"
    city = [r for r in _search(client, "mayaguez") if r["kind"] == "city"]
    assert city[0]["url"] == reverse("web:region", args=["72097"])
    technology = _search(client, "face recog")
    assert technology[0]["url"] == reverse("web:technology", args=["face-recognition"])
    vendor = _search(client, "clearview")
    assert vendor[0]["kind"] == "vendor"
    assert vendor[0]["url"] == reverse("web:home") + "?vendor=clearview-ai"


def test_it_never_finds_an_agency_without_a_public_record(client):
    PartnershipFactory(agency=AgencyFactory(name="Secretive Police Department"), sources=[])
    assert _search(client, "secretive") == []


def test_an_empty_query_finds_nothing(client):
    assert _search(client, "  ") == []


def test_a_city_comes_before_the_counties_that_share_its_name_and_no_kind_crowds_out_others(
    client,
):
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", city="Warren", counties=["26099"])
    )
    results = _search(client, "warren")
    assert results[0]["label"] == "Warren, MI"
    assert results[0]["kind"] == "city"
    assert results[0]["count"] == 1
    assert results[0]["detail"] == "in Macomb County, MI"
    kinds = [result["kind"] for result in results]
    # 30 Warren counties in the census would fill the list; the agency still makes it in.
    assert "agency" in kinds
    assert kinds.count("county") == 10
    assert len(results) == 12


def test_a_kind_fills_the_list_when_nothing_else_matches(client):
    results = _search(client, "warren county")
    assert len(results) == 12
    assert {result["kind"] for result in results} == {"county"}
