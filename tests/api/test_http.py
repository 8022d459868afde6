"""HTTP as data users expect: conditional requests, caching, CORS for GET only, throttling."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import http_date

from tests.api.conftest import Record
from tests.factories import PartnershipFactory


def test_etag_answers_304_until_the_data_changes(client: Client, record: Record) -> None:
    url = reverse("api:partnership-list")
    first = client.get(url, {"state": "MI"})
    etag = first["ETag"]
    assert etag
    again = client.get(url, {"state": "MI"}, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other_query = client.get(url, {"state": "CA"}, headers={"if-none-match": etag})
    assert other_query.status_code == 200
    PartnershipFactory(agency=record.warren, technology=record.face)
    changed = client.get(url, {"state": "MI"}, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_answers_304_to_if_modified_since(client: Client, record: Record) -> None:
    url = reverse("api:export-partnerships-csv")
    first = client.get(url)
    last_modified = first["Last-Modified"]
    assert last_modified
    again = client.get(url, headers={"if-modified-since": last_modified})
    assert again.status_code == 304
    older = client.get(url, headers={"if-modified-since": http_date(0)})
    assert older.status_code == 200


def test_public_data_is_cacheable(client: Client, record: Record) -> None:
    response = client.get(reverse("api:agency-list"))
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_cors_allows_get_from_anywhere_without_credentials(client: Client, record: Record) -> None:
    response = client.get(
        reverse("api:partnership-list"), headers={"origin": "https://newsroom.example"}
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        reverse("api:partnership-list"),
        headers={
            "origin": "https://newsroom.example",
            "access-control-request-method": "DELETE",
        },
    )
    allowed = preflight["Access-Control-Allow-Methods"]
    assert "GET" in allowed
    assert "DELETE" not in allowed and "POST" not in allowed
    # The rest of the site is not opened to other origins.
    page = client.get(reverse("web:home"), headers={"origin": "https://newsroom.example"})
    assert "Access-Control-Allow-Origin" not in page


@override_settings(SURVMAP_API_ANON_RATE="3/min")
def test_anonymous_clients_are_throttled_with_a_clear_429(client: Client, record: Record) -> None:
    url = reverse("api:technology-list")
    for _ in range(3):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    body = response.json()
    assert "Too many requests" in body["message"]
    assert body["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


@override_settings(SURVMAP_API_ANON_RATE="2/min")
def test_errors_carry_no_etag_to_revalidate(client: Client, record: Record) -> None:
    url = reverse("api:partnership-list")
    bad = client.get(url, {"as_of": "tomorrow"})
    assert bad.status_code == 400
    assert not bad.has_header("ETag") and not bad.has_header("Last-Modified")
    assert client.get(url).status_code == 200  # the 400 counted too: the allowance is spent
    throttled = client.get(url)
    assert throttled.status_code == 429
    assert not throttled.has_header("ETag")
