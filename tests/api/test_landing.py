"""/api/v1/ introduces the API: a page for a browser, a JSON index for a program, both listing
every endpoint, the licence, how to cite a release and the limits."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_program_gets_a_json_index_of_every_endpoint(client: Client):
    response = client.get(reverse("api:root"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    data = response.json()
    urls = {endpoint["url"] for endpoint in data["endpoints"]}
    for name in (
        "api:partnership-list",
        "api:agency-list",
        "api:policyevent-list",
        "api:regions",
        "api:export-partnerships-csv",
        "api:docs",
    ):
        assert f"http://testserver{reverse(name)}" in urls
    assert data["license"]["name"] == "CC BY 4.0"
    assert data["citation"]["releases"].endswith(reverse("downloads:list"))
    assert data["limits"]["anonymous_rate"] == "120/min"
    assert "technology" in {f["name"] for f in data["filters"]}


def test_a_client_that_accepts_anything_gets_json_too(client: Client):
    response = client.get(reverse("api:root"), HTTP_ACCEPT="*/*")
    assert response["Content-Type"] == "application/json"


def test_a_browser_gets_a_page_with_the_same_facts(client: Client):
    response = client.get(reverse("api:root"), HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The survmap data API</h1>" in html
    assert f'href="{reverse("api:docs")}"' in html
    assert "How to cite" in html
    assert "120/min requests" in html
    assert "http://testserver" + reverse("api:export-partnerships-geojson") in html


def test_an_agencys_json_links_to_its_partnerships(client: Client):
    partnership = PartnershipFactory()
    PartnershipFactory()  # another agency's
    agency = client.get(reverse("api:agency-detail", args=[partnership.agency_id])).json()
    listed = client.get(agency["partnerships_url"]).json()
    assert [row["id"] for row in listed["results"]] == [partnership.pk]
