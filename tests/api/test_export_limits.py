"""The whole-set exports have their own low allowance, and an unfiltered export is answered from
the latest release file when there is one."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.urls import reverse

from survmap.api import releases
from tests.api.conftest import Record
from tests.factories import PartnershipFactory


def test_exports_have_their_own_allowance_apart_from_the_list_pages(
    client: Client, record: Record, settings
) -> None:
    settings.SURVMAP_API_EXPORT_RATE = "2/hour"
    settings.SURVMAP_API_ANON_RATE = "100/min"
    url = reverse("api:export-partnerships-csv") + "?state=MI"
    assert client.get(url).status_code == 200
    assert client.get(reverse("api:export-partnerships-geojson") + "?state=MI").status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.json()["retry_after"] > 0
    # The list pages keep their own, larger allowance.
    assert client.get(reverse("api:partnership-list")).status_code == 200
    # Another client is not held back.
    assert client.get(url, REMOTE_ADDR="192.0.2.99").status_code == 200


def test_an_unfiltered_export_is_the_latest_release_and_costs_no_allowance(
    client: Client, record: Record, settings
) -> None:
    settings.SURVMAP_API_EXPORT_RATE = "1/hour"
    releases.build_release(settings.SURVMAP_RELEASES_DIR, today=dt.date(2026, 1, 2))
    latest = releases.build_release(settings.SURVMAP_RELEASES_DIR, today=dt.date(2026, 3, 4))
    PartnershipFactory(summary="Added after the release.")
    for _ in range(3):
        response = client.get(reverse("api:export-partnerships-csv"))
        assert response.status_code == 200
        assert response["X-Survmap-Release"] == latest.name == "2026-03-04"
        body = b"".join(response.streaming_content)
        assert body == (latest.path / releases.CSV_NAME).read_bytes()
        assert "Added after the release." not in body.decode()
        assert "survmap-partnerships-2026-03-04.csv" in response["Content-Disposition"]
        assert 'rel="license"' in response["Link"]
    geojson = client.get(reverse("api:export-partnerships-geojson"))
    assert geojson["Content-Type"] == "application/geo+json"
    collection = json.loads(b"".join(geojson.streaming_content))
    assert collection["type"] == "FeatureCollection"
    # A filtered export is written from the live records, and counted.
    filtered = client.get(reverse("api:export-partnerships-csv") + "?status=active")
    assert filtered.status_code == 200
    assert "Added after the release." in b"".join(filtered.streaming_content).decode()
    assert client.get(reverse("api:export-partnerships-csv") + "?status=active").status_code == 429


def test_without_a_release_an_unfiltered_export_is_written_live(
    client: Client, record: Record
) -> None:
    response = client.get(reverse("api:export-partnerships-csv"))
    assert response.status_code == 200
    assert not response.has_header("X-Survmap-Release")
    assert "Warren Police Department" in b"".join(response.streaming_content).decode()
