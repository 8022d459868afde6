"""A region page filtered (say to plate readers) names the filter, and its count, list and
chart follow it; a county page lists its neighbouring counties, across state lines too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def macomb() -> None:
    readers = TechnologyFactory(
        name="Automated license plate readers", slug="plate-readers", category="alpr"
    )
    ring = TechnologyFactory(name="Ring/Neighbors partnership", slug="ring")
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"]),
        technology=readers,
        start_date=dt.date(2019, 1, 1),
        start_precision="year",
    )
    for number in range(3):
        PartnershipFactory(
            agency=AgencyFactory(name=f"Macomb Ring {number} Police", counties=["26099"]),
            technology=ring,
            start_date=dt.date(2020, 1, 1),
            start_precision="year",
        )
    PartnershipFactory(
        agency=AgencyFactory(name="Detroit Police Department", counties=["26163"]),
        technology=readers,
    )


def test_a_filtered_county_page_names_the_filter_and_counts_what_it_shows(client, macomb):
    response = client.get(reverse("web:region", args=["26099"]) + "?technology=alpr")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Filtered to <strong>technology: Automated license plate readers</strong>" in text
    assert "1 agency with 1 sourced partnership: Automated license plate readers (1)." in text
    assert "Ring/Neighbors partnership (3)" not in text
    assert "Macomb Ring 0 Police" not in text
    assert response.context["chart"]["total_started"] == 1


def test_an_unfiltered_county_page_counts_everything_and_names_no_filter(client, macomb):
    text = client.get(reverse("web:region", args=["26099"])).content.decode()
    assert "Filtered to" not in text
    assert "4 agencies with 4 sourced partnerships" in text


def test_a_county_page_lists_its_neighbouring_counties_with_their_counts(client, macomb):
    response = client.get(reverse("web:region", args=["26099"]) + "?technology=alpr")
    neighbours = {n["name"]: n["count"] for n in response.context["neighbours"]}
    assert neighbours == {
        "Lapeer County": 0,
        "Oakland County": 0,
        "St. Clair County": 0,
        "Wayne County": 1,
    }
    assert reverse("web:region", args=["26163"]) + "?technology=alpr" in response.content.decode()


def test_a_border_county_names_its_neighbours_in_the_next_state(client, macomb):
    # Monroe County, Michigan, borders Lucas County, Ohio.
    response = client.get(reverse("web:region", args=["26115"]))
    names = [n["name"] for n in response.context["neighbours"]]
    assert "Lucas County, OH" in names
