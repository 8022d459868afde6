"""The embeddable map: the only page other sites may frame; the map page offers its code and the
standalone download."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.common.test_security import directives
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ring():
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)
    return ring


def test_the_embed_may_be_framed_by_any_site_by_default(client: Client, ring):
    response = client.get(reverse("web:embed"), {"technology": "ring"}, secure=True)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["*"]
    # Only framing is relaxed: scripts and styles stay our own.
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def test_the_embeds_framers_come_from_the_setting(client: Client, ring, settings):
    settings.SURVMAP_EMBED_FRAME_ANCESTORS = ["https://news.example.org", "https://*.example.com"]
    response = client.get(reverse("web:embed"), secure=True)
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["https://news.example.org", "https://*.example.com"]


def test_every_other_page_still_refuses_to_be_framed(client: Client, ring):
    partnership = ring.partnerships.first()
    for url in (
        reverse("web:home"),
        reverse("web:table"),
        reverse("web:region", args=["26"]),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:technology", args=["ring"]),
        reverse("web:map_html"),
        reverse("web:region_share_image", args=["26"]),
    ):
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_the_embed_has_the_map_a_link_back_and_credits_without_the_site_chrome(
    client: Client, ring
):
    response = client.get(reverse("web:embed"), {"technology": "ring", "level": "county"})
    page = response.content.decode()
    assert 'id="map"' in page and 'id="map-config"' in page and 'id="map-counts"' in page
    assert "js/map.js" in page
    assert '<header class="site">' not in page and '<footer class="site">' not in page
    assert "Ring/Neighbors: agencies per county" in page
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">View on survmap</a>', page)
    assert link and html.unescape(link.group(1)) == (
        "http://testserver/?level=county&technology=ring"
    )
    assert "Atlas of Surveillance" in page and "CC BY 4.0" in page
    # Described for search engines and link previews, as every public page (Lighthouse SEO).
    assert '<meta name="description" content="Ring/Neighbors: agencies per county: ' in page


def test_a_bad_filter_in_an_embed_is_a_400_that_can_still_show_in_its_frame(client: Client, db):
    response = client.get(reverse("web:embed"), {"technology": "nope"})
    assert response.status_code == 400
    assert "X-Frame-Options" not in response


def test_the_map_page_offers_the_download_and_the_iframe_code_of_its_view(client: Client, ring):
    page = client.get(reverse("web:home"), {"technology": "ring", "focus": "26"}).content.decode()
    download = re.search(r'<a id="takeaway-download" href="([^"]+)"', page)
    assert download and html.unescape(download.group(1)) == (
        reverse("web:map_html") + "?technology=ring"
    )
    code = re.search(r'<textarea id="takeaway-iframe"[^>]*>(.*?)</textarea>', page, re.S)
    assert code
    iframe = html.unescape(code.group(1))
    assert iframe.startswith('<iframe src="http://testserver/embed/?technology=ring"')
    assert "<iframe" not in code.group(1)  # shown as text, never as an element
