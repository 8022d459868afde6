"""Unknown query parameters are refused with a 400 that names them (a misspelt filter must not
answer the whole set), malformed ones never cause a 500, and `agency=<id>` filters."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import Record


@pytest.mark.parametrize(
    ("url_name", "query", "unknown"),
    [
        ("api:partnership-list", "technolgy=drones", "technolgy"),
        ("api:partnership-list", "page=2", "page"),
        ("api:agency-list", "limit=10", "limit"),
        ("api:technology-list", "state=MI", "state"),
        ("api:vendor-list", "q=ring", "q"),
        ("api:source-list", "offset=5", "offset"),
        ("api:policyevent-list", "year=2020", "year"),
        ("api:regions", "levle=county", "levle"),
        ("api:export-partnerships-csv", "stat=MI", "stat"),
        ("api:export-partnerships-geojson", "fields=all", "fields"),
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it(
    client: Client, record: Record, url_name: str, query: str, unknown: str
) -> None:
    response = client.get(reverse(url_name) + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [unknown]
    assert unknown in body["message"]
    assert "Unknown parameter" in body["errors"][unknown][0]


def test_a_detail_takes_only_a_format(client: Client, record: Record) -> None:
    url = reverse("api:partnership-detail", args=[record.doorbell.pk])
    assert client.get(url + "?format=csv").status_code == 200
    assert client.get(url + "?state=MI").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "format=csv",
        "ordering=-start&page_size=1",
        "technology=doorbell-network&status=active&as_of=2020-01-01",
        "utm_source=newsletter&utm_medium=email",
        "fbclid=abc",
    ],
)
def test_the_parameters_the_api_takes_and_campaign_tags_are_accepted(
    client: Client, record: Record, query: str
) -> None:
    assert client.get(reverse("api:partnership-list") + "?" + query).status_code == 200


def test_every_next_link_is_accepted(client: Client, record: Record) -> None:
    url = reverse("api:partnership-list") + "?page_size=1&ordering=agency&state=MI&state=CA"
    seen = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        seen += len(response.json()["results"])
        url = response.json()["next"]
    assert seen == 2


def test_agency_filters_partnerships_and_exports(client: Client, record: Record) -> None:
    warren = record.warren.pk
    response = client.get(reverse("api:partnership-list"), {"agency": warren})
    assert [row["id"] for row in response.json()["results"]] == [record.doorbell.pk]
    both = client.get(reverse("api:partnership-list"), {"agency": [warren, record.los_angeles.pk]})
    assert both.json()["count"] == 2
    csv = client.get(reverse("api:export-partnerships-csv"), {"agency": warren})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "Warren Police Department" in lines[1]


@pytest.mark.parametrize("value", ["abc", "²", "-1", "9" * 30, "1.5"])
def test_a_malformed_agency_id_is_a_400(client: Client, record: Record, value: str) -> None:
    response = client.get(reverse("api:partnership-list"), {"agency": value})
    assert response.status_code == 400
    assert "agency" in response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page_size=%C2%B2", "page_size"),
        ("page_size=%D9%A3", "page_size"),  # an Arabic-Indic digit: isdigit(), yet not ours
        ("cursor=" + base64.urlsafe_b64encode(b"[" * 2200).decode(), "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"[" * 900 + b"]" * 900).decode(), "cursor"),
        ("cursor=" + "A" * 5000, "cursor"),
    ],
)
def test_malformed_parameters_are_a_400_not_a_500(
    client: Client, record: Record, query: str, name: str
) -> None:
    response = client.get(reverse("api:partnership-list") + "?" + query)
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_options_on_the_docs_page_is_no_server_error(client: Client, db: None) -> None:
    response = client.options(reverse("api:docs"))
    assert response.status_code == 405
    assert client.get(reverse("api:docs")).status_code == 200


def test_a_csv_page_says_the_total_and_links_the_next_page(client: Client, record: Record) -> None:
    url = reverse("api:partnership-list") + "?format=csv&page_size=1"
    response = client.get(url)
    assert response.status_code == 200
    total = int(response["X-Total-Count"])
    assert total >= 2
    links = response["Link"]
    assert 'rel="license"' in links
    next_url = links.split(">", 1)[0].lstrip("<")
    assert 'rel="next"' in links.split(",")[0] and "cursor=" in next_url
    # Following the links walks every row, each once, and the last page has no next link.
    rows = 0
    while True:
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        rows += len(lines) - 1
        if 'rel="next"' not in response["Link"]:
            break
        response = client.get(response["Link"].split(">", 1)[0].lstrip("<"))
    assert rows == total


def test_typed_state_and_technology_names_are_accepted_by_the_api(
    client: Client, record: Record
) -> None:
    by_code = client.get(reverse("api:partnership-list") + "?state=MI&technology=doorbell-network")
    typed = client.get(
        reverse("api:partnership-list") + "?state=michigan&technology=Doorbell%20camera%20network"
    )
    assert typed.status_code == 200
    assert typed.json()["results"] == by_code.json()["results"] != []
