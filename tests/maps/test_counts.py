"""The map's numbers have one definition: the map page, its counts endpoint, the embed and the
standalone file show the same counts for the same filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from survmap.geo.boundaries import Level
from survmap.geo.models import State
from survmap.records.models import PartnershipStatus
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.maps.test_standalone import styles_by_fips

pytestmark = pytest.mark.django_db


@pytest.fixture
def records() -> None:
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    faces = TechnologyFactory(slug="face-recognition", name="Face recognition")
    PartnershipFactory(
        agency=AgencyFactory(counties=["26099"]),
        technology=ring,
        start_date=dt.date(2019, 5, 1),
        start_precision="day",
    )
    PartnershipFactory(
        agency=AgencyFactory(counties=["26099", "26163"]),
        technology=ring,
        status=PartnershipStatus.ENDED,
        start_date=dt.date(2018, 1, 1),
        start_precision="day",
        end_date=dt.date(2021, 6, 30),
        end_precision="day",
    )
    PartnershipFactory(
        agency=AgencyFactory(counties=["06037"], state=State.objects.get(code="CA")),
        technology=faces,
    )


def _standalone(client: Client, query: dict, level: Level) -> dict[str, int]:
    response = client.get(reverse("web:map_html"), {**query, "level": str(level)})
    assert response.status_code == 200
    counts = {}
    for fips, properties in styles_by_fips(response.content.decode(), level).items():
        if match := re.fullmatch(r"([0-9,]+) agenc(y|ies)", properties["t"]):
            counts[fips] = int(match.group(1).replace(",", ""))
    return counts


def _page_context(client: Client, name: str, query: dict, level: Level) -> dict[str, int]:
    response = client.get(reverse(name), {**query, "level": str(level)})
    assert response.status_code == 200
    return {fips: n for fips, n in response.context["counts"]["counts"].items() if n}


def _endpoint(client: Client, query: dict, level: Level) -> dict[str, int]:
    response = client.get(reverse("web:map_counts"), {**query, "level": str(level)})
    assert response.status_code == 200
    return {fips: n for fips, n in response.json()["counts"].items() if n}


@pytest.mark.parametrize(
    ("query", "level", "expected"),
    [
        ({}, Level.COUNTY, {"26099": 2, "26163": 1, "06037": 1}),
        ({"technology": "ring"}, Level.COUNTY, {"26099": 2, "26163": 1}),
        ({"technology": "ring"}, Level.STATE, {"26": 2}),
        ({"status": "ended"}, Level.STATE, {"26": 1}),
        # The plain form's "All" (a blank status) is no filter, on every one of them.
        ({"technology": "ring", "status": ""}, Level.COUNTY, {"26099": 2, "26163": 1}),
        ({"as_of": "2022-01-01"}, Level.COUNTY, {"26099": 1}),
        ({"state": "CA"}, Level.STATE, {"06": 1}),
    ],
)
def test_the_map_page_the_embed_and_the_standalone_file_agree(
    client: Client, records, query, level, expected
):
    shown = {}
    for name, read in {
        "map page": lambda: _page_context(client, "web:home", query, level),
        "counts endpoint": lambda: _endpoint(client, query, level),
        "embed": lambda: _page_context(client, "web:embed", query, level),
        "standalone file": lambda: _standalone(client, query, level),
    }.items():
        # Each computes its own answer, not the one another left in the cache.
        cache.clear()
        shown[name] = read()
    assert shown == dict.fromkeys(shown, expected)
