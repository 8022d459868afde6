"""Anonymous readers are served public pages from the cache, and an edit shows at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PartnershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on():
    cache.clear()
    # The data version is read again once its lifetime runs out; on a loaded machine a test can
    # outlast 30 s, and that read is not what these tests are about.
    with override_settings(SURVMAP_PAGE_CACHE_SECONDS=60, SURVMAP_DATA_VERSION_SECONDS=3600):
        yield
    cache.clear()


def test_a_repeated_anonymous_request_is_answered_without_the_database(
    django_assert_num_queries,
):
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    first = Client().get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_an_edit_shows_at_once():
    partnership = PartnershipFactory(agency__name="Westville Police Department")
    url = reverse("web:agency", args=[partnership.agency_id])
    assert "Westville Police" in Client().get(url).content.decode()
    partnership.agency.name = "Westville Township Police Department"
    partnership.agency.save()
    assert "Westville Township Police" in Client().get(url).content.decode()


def test_signed_in_readers_bypass_the_cache(bob_client, django_assert_num_queries):
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url)
    with django_assert_num_queries(0):
        Client().get(url)
    # A signed-in moderator may see a personal page: never served from, nor stored in, the cache.
    with CaptureQueriesContext(connection) as queries:
        assert bob_client.get(url).status_code == 200
    assert len(queries) > 0


def test_the_admin_and_writes_are_never_cached(rf):
    from survmap.common.page_cache import PublicPageCacheMiddleware

    assert PublicPageCacheMiddleware._cacheable_request(rf.get(reverse("web:home")))
    assert not PublicPageCacheMiddleware._cacheable_request(rf.get(reverse("admin:index")))
    assert not PublicPageCacheMiddleware._cacheable_request(rf.post(reverse("web:home")))


def test_pages_that_set_a_cookie_are_not_stored():
    from django.http import HttpResponse

    from survmap.common.page_cache import PublicPageCacheMiddleware

    response = HttpResponse("personal")
    response.set_cookie("csrftoken", "x")
    assert not PublicPageCacheMiddleware._cacheable_response(response)
    response = HttpResponse("form")
    response["Vary"] = "Cookie"
    assert not PublicPageCacheMiddleware._cacheable_response(response)
    assert PublicPageCacheMiddleware._cacheable_response(HttpResponse("public"))


def test_an_api_answer_negotiated_on_accept_is_stored_per_accept_value():
    PartnershipFactory()
    url = reverse("api:partnership-list")
    for _ in range(3):
        as_csv = Client().get(url, HTTP_ACCEPT="text/csv")
        assert as_csv["Content-Type"].startswith("text/csv")
    as_json = Client().get(url, HTTP_ACCEPT="application/json")
    assert as_json["Content-Type"] == "application/json"
    assert as_json.json()["count"] == 1
    # Nor does a client that says nothing get the CSV another one asked for.
    plain = Client().get(url)
    assert plain["Content-Type"] == "application/json"


def test_geojson_regions_are_never_served_to_a_json_client():
    PartnershipFactory(agency__counties=["26099"])
    url = reverse("api:regions") + "?level=state"
    for _ in range(2):
        geojson = Client().get(url, HTTP_ACCEPT="application/geo+json")
        assert geojson.json()["type"] == "FeatureCollection"
    as_json = Client().get(url, HTTP_ACCEPT="application/json")
    assert "results" in as_json.json() and "features" not in as_json.json()


def test_gzipped_outlines_are_never_served_to_a_client_that_did_not_ask_for_gzip():
    from survmap.geo.boundaries import Level
    from survmap.geo.topology import geometry_asset

    asset = geometry_asset(Level.STATE)
    url = reverse("web:map_geometry", kwargs={"level": "state", "digest": asset.digest})
    for _ in range(2):
        gzipped = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert gzipped["Content-Encoding"] == "gzip"
    plain = Client().get(url)
    assert not plain.has_header("Content-Encoding")
    assert plain.content == asset.body
    # And the cache does serve each variant once learnt.
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert again["Content-Encoding"] == "gzip" and len(queries) == 0


def test_a_cached_variant_is_answered_without_the_database(django_assert_num_queries):
    PartnershipFactory()
    url = reverse("api:partnership-list")
    Client().get(url, HTTP_ACCEPT="text/csv")
    Client().get(url, HTTP_ACCEPT="application/json")
    with django_assert_num_queries(0):
        assert Client().get(url, HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")
        assert Client().get(url, HTTP_ACCEPT="application/json").json()["count"] == 1


def test_the_host_is_part_of_the_key(settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    PartnershipFactory()
    PartnershipFactory()
    url = reverse("api:partnership-list") + "?page_size=1"
    first = Client().get(url, HTTP_HOST="a.example").json()
    second = Client().get(url, HTTP_HOST="b.example").json()
    assert first["next"].startswith("http://a.example/")
    assert second["next"].startswith("http://b.example/")


def test_a_gzip_hit_sends_the_bytes_stored_without_compressing_again(monkeypatch):
    import gzip

    from django.middleware import gzip as gzip_middleware

    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    plain = Client().get(url).content
    first = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    calls = []
    original = gzip_middleware.compress_string
    monkeypatch.setattr(
        gzip_middleware,
        "compress_string",
        lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs),
    )
    # Another browser's way of saying the same thing shares the entry.
    again = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert again["Content-Encoding"] == first["Content-Encoding"] == "gzip"
    assert again.content == first.content
    assert gzip.decompress(again.content) == plain
    assert "Accept-Encoding" in again["Vary"]
    assert calls == []


def test_a_reader_without_gzip_gets_the_stored_page_unpacked(django_assert_num_queries):
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(0):
        plain = Client().get(url)
    assert not plain.has_header("Content-Encoding")
    assert b"<html" in plain.content


@pytest.mark.parametrize("first_encoding", ["gzip", "identity"])
def test_a_reader_without_gzip_costs_one_unpacking_not_one_per_hit(monkeypatch, first_encoding):
    from survmap.common import page_cache

    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url, HTTP_ACCEPT_ENCODING=first_encoding)  # stored
    unpacked = []
    original = page_cache.gzip.decompress
    monkeypatch.setattr(
        page_cache.gzip, "decompress", lambda data: unpacked.append(1) or original(data)
    )
    answers = [Client().get(url).content for _ in range(3)]
    gzipped = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert len(unpacked) == (1 if first_encoding == "gzip" else 0)
    assert answers[0] == answers[1] == answers[2] == original(gzipped.content)
    assert gzipped["Content-Encoding"] == "gzip"


def test_a_cookie_survmap_did_not_set_does_not_bypass_the_cache(django_assert_num_queries):
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url)
    stranger = Client()
    stranger.cookies["_ga"] = "GA1.2.3"
    stranger.cookies["x"] = "1"
    with django_assert_num_queries(0):
        assert stranger.get(url).status_code == 200


def test_survmaps_own_cookies_still_bypass_the_cache(settings):
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url)
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"):
        client = Client()
        client.cookies[name] = "anything"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) > 0, name


def test_a_page_over_the_size_limit_is_not_stored(settings):
    settings.SURVMAP_PAGE_CACHE_MAX_BYTES = 100
    partnership = PartnershipFactory()
    url = reverse("web:agency", args=[partnership.agency_id])
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    assert len(queries) > 0


@pytest.mark.parametrize("route", ["page", "api"])
def test_an_anonymous_client_revalidating_a_cached_answer_gets_a_304(route):
    partnership = PartnershipFactory()
    url = (
        reverse("web:agency", args=[partnership.agency_id])
        if route == "page"
        else reverse("api:technology-list")
    )
    first = Client().get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    # The second answer comes from the page cache, and is conditional all the same.
    again = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert Client().get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
