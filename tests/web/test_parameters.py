"""The pages that take the map's filters refuse a parameter they do not know (400 naming it),
and every link the site itself writes is one they accept."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, PartnershipFactory, PolicyEventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "args", "query", "unknown"),
    [
        ("web:home", [], "technolgy=drones", "technolgy"),
        ("web:table", [], "stat=MI", "stat"),
        ("web:table", [], "page_size=5", "page_size"),
        ("web:map_counts", [], "levels=state", "levels"),
        ("web:region", ["26"], "sort=name", "sort"),
    ],
)
def test_a_page_with_filters_refuses_an_unknown_parameter_naming_it(
    client, url_name, args, query, unknown
):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    response = client.get(reverse(url_name, args=args) + "?" + query)
    assert response.status_code == 400
    assert unknown in response.content.decode()


def test_the_map_counts_refuse_an_unknown_name_even_when_the_answer_is_cached(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    assert client.get(reverse("web:map_counts") + "?level=state").status_code == 200
    assert client.get(reverse("web:map_counts") + "?level=state&vendr=ring").status_code == 400


def test_the_agency_filter_narrows_the_table(client):
    kept = PartnershipFactory(agency=AgencyFactory(name="Kept Police Department"))
    PartnershipFactory(agency=AgencyFactory(name="Other Police Department"))
    html = client.get(reverse("web:table"), {"agency": kept.agency_id}).content.decode()
    assert "Kept Police Department" in html and "Other Police Department" not in html
    # The table's filter form carries it along without listing every agency.
    assert f'type="hidden" name="agency" value="{kept.agency_id}"' in html


def test_campaign_tags_on_a_link_to_the_map_are_accepted(client):
    PartnershipFactory()
    response = client.get(reverse("web:home") + "?utm_source=newspaper&utm_campaign=launch")
    assert response.status_code == 200


def _local_links(html: str, base: str) -> set[str]:
    links = set()
    for href in re.findall(r'href="([^"]+)"', html):
        url = urljoin(base, unescape(href))
        if url.startswith("/") and not url.startswith(("/static/", "/admin/")):
            links.add(url.split("#")[0])
    return links


def test_every_link_the_pages_write_is_accepted(client):
    """From the map, every page it links to and every link on those (sort, pagination,
    filters, regions, technologies, corrections): none is refused for its parameters."""
    for n in range(3):
        PartnershipFactory(
            agency=AgencyFactory(name=f"Link {n} Police Department", counties=["26099"])
        )
    event = PolicyEventFactory()
    event.partnerships.set(PartnershipFactory.create_batch(1))
    start = reverse("web:home") + "?technology=" + event.partnerships.get().technology.slug
    seen: set[str] = set()
    queue = [start, reverse("web:table") + "?ordering=-agency"]
    while queue and len(seen) < 150:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if "html" in response.get("Content-Type", ""):
            queue += sorted(_local_links(response.content.decode(), url) - seen)
    paths = {urlsplit(url).path for url in seen}
    assert reverse("web:table") in paths
    assert reverse("web:region", args=["26"]) in paths
    assert any(url.startswith(reverse("submissions:correction")) for url in seen)
