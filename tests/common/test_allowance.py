"""Expensive answers (map files, share images, embeds, filtered pages) have a cost-based
allowance per client that answers 429 with Retry-After, and what the page cache holds is free."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from survmap.common import allowance
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@override_settings(SURVMAP_COSTLY_ALLOWANCE=3 * allowance.SHARE_IMAGE)
def test_share_images_past_the_allowance_get_a_429_with_retry_after(client: Client):
    PartnershipFactory()
    counties = ["48001", "48003", "48005", "48007"]
    answers = [
        client.get(reverse("web:region_share_image", args=[fips]), REMOTE_ADDR="198.51.100.90")
        for fips in counties
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 600
    assert refused["Cache-Control"] == "no-store"
    # Another client has its own allowance; the same client's other /64 addresses do not.
    other = client.get(reverse("web:region_share_image", args=["48009"]), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


@override_settings(SURVMAP_COSTLY_ALLOWANCE=2 * allowance.MAP_FILE_COUNTY)
def test_map_files_and_filtered_pages_spend_the_same_allowance(client: Client):
    PartnershipFactory()
    address = {"REMOTE_ADDR": "198.51.100.91"}
    assert client.get(reverse("web:map_html"), {"level": "county"}, **address).status_code == 200
    assert client.get(reverse("web:map_html"), {"level": "county"}, **address).status_code == 200
    refused = client.get(reverse("web:table"), {"status": "active"}, **address)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    # A page without a query string costs nothing.
    assert client.get(reverse("web:table"), **address).status_code == 200


@override_settings(SURVMAP_COSTLY_ALLOWANCE=allowance.SHARE_IMAGE, SURVMAP_PAGE_CACHE_SECONDS=60)
def test_an_answer_from_the_page_cache_costs_nothing():
    PartnershipFactory()
    url = reverse("web:region_share_image", args=["26"])
    answers = [Client().get(url, REMOTE_ADDR="198.51.100.92").status_code for _ in range(5)]
    assert answers == [200] * 5
    # An image the cache does not hold yet is charged, and refused past the allowance.
    other = reverse("web:region_share_image", args=["39"])
    assert Client().get(other, REMOTE_ADDR="198.51.100.92").status_code == 429


@override_settings(SURVMAP_COSTLY_ALLOWANCE=allowance.SHARE_IMAGE)
def test_staff_are_not_counted(bob_client: Client):
    PartnershipFactory()
    for fips in ("26", "39", "18"):
        assert bob_client.get(reverse("web:region_share_image", args=[fips])).status_code == 200
