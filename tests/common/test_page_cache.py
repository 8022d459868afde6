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
    with override_settings(SURVMAP_PAGE_CACHE_SECONDS=60):
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
