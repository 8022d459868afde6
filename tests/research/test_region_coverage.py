"""How far research has reached each region's agencies, the directory's included: every
agency is recorded, checked (with nothing recorded) or not researched, on region pages and in
/api/v1/coverage/?level=..."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from survmap.geo.boundaries import Level
from survmap.records.models import DIRECTORY_ATTRIBUTION, Agency, Technology
from survmap.research.models import CheckOutcome
from survmap.research.selectors import coverage, coverage_by_region
from tests.factories import (
    AgencyFactory,
    DirectoryAgencyFactory,
    PartnershipFactory,
    TechnologyFactory,
)
from tests.research.conftest import approved_check, make_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def macomb(bob) -> dict[str, Any]:
    """Macomb County (26099): six agencies a reader can see, two nobody can."""
    drones = TechnologyFactory(name="Drones", slug="drones")
    plates = TechnologyFactory(name="Plate readers", slug="plate-readers")
    PartnershipFactory(agency=DirectoryAgencyFactory(counties=["26099"]), technology=drones)
    # Recorded for plate readers, checked for drones: recorded, not checked.
    both = PartnershipFactory(
        agency=DirectoryAgencyFactory(counties=["26099", "26125"]), technology=plates
    ).agency
    approved_check(bob, agency=both, technology=drones, outcome=CheckOutcome.NONE_FOUND)
    none_found = DirectoryAgencyFactory(counties=["26099"])
    approved_check(bob, agency=none_found, technology=drones, outcome=CheckOutcome.NONE_FOUND)
    inconclusive = AgencyFactory(counties=["26099"])  # no ORI: known through its check
    approved_check(bob, agency=inconclusive, technology=plates, outcome=CheckOutcome.INCONCLUSIVE)
    for _ in range(2):
        DirectoryAgencyFactory(counties=["26099"])
    # Unseen: a pending check, an unsourced partnership.
    make_check(agency=AgencyFactory(counties=["26099"]), technology=drones)
    PartnershipFactory(sources=[], agency=AgencyFactory(counties=["26099"]), technology=drones)
    # Elsewhere in Michigan, and a directory agency placed in no county.
    DirectoryAgencyFactory(counties=["26125"])
    DirectoryAgencyFactory()
    return {"drones": drones, "plates": plates, "both": both}


def _counts(row: Any) -> tuple[int, ...]:
    return (row.agencies, row.recorded, row.checked, row.none_found, row.not_researched)


def test_each_county_counts_its_agencies_recorded_checked_and_not_researched(macomb):
    counties = coverage_by_region(Level.COUNTY)
    assert set(counties) == {"26099", "26125"}
    assert _counts(counties["26099"]) == (6, 2, 2, 1, 2)
    assert counties["26099"].name == "Macomb County" and counties["26099"].state == "MI"
    assert counties["26099"].directory == 5
    # An agency serving two counties counts in each.
    assert _counts(counties["26125"]) == (2, 1, 0, 0, 1)


def test_each_state_counts_its_agencies_once(macomb):
    states = coverage_by_region(Level.STATE)
    assert set(states) == {"26"}
    assert _counts(states["26"]) == (8, 2, 2, 1, 4)
    assert states["26"].name == "Michigan"


def test_the_technologies_asked_for_decide_what_counts_as_recorded_and_checked(macomb):
    drones = Technology.objects.filter(slug="drones")
    counties = coverage_by_region(Level.COUNTY, technologies=drones)
    # The plate-reader agency is now checked for drones (none found); the inconclusive
    # plate-reader check no longer counts.
    assert _counts(counties["26099"]) == (6, 1, 2, 2, 3)


def test_the_selection_narrows_the_agencies(macomb):
    sheriffs = Agency.objects.filter(kind="sheriff")
    assert coverage_by_region(Level.COUNTY, sheriffs) == {}
    mine = Agency.objects.filter(pk=macomb["both"].pk)
    assert _counts(coverage_by_region(Level.COUNTY, mine)["26125"]) == (1, 1, 0, 0, 0)


def test_the_counts_are_one_grouped_query_whatever_the_number_of_agencies(
    macomb, django_assert_num_queries
):
    # The checked agencies, those that found none, the grouped counts, the names.
    with django_assert_num_queries(4):
        coverage_by_region(Level.COUNTY)
    for _ in range(20):
        DirectoryAgencyFactory(counties=["26099", "26125"])
    with django_assert_num_queries(4):
        rows = coverage_by_region(Level.COUNTY)
    assert rows["26099"].agencies == 26


def test_the_technology_coverage_counts_directory_agencies_as_not_researched(macomb):
    rows = {row.slug: row for row in coverage(Agency.objects.filter(counties__fips="26099"))}
    assert rows["drones"].agencies == 6
    assert rows["drones"].recorded == 1
    assert rows["drones"].checked == 2
    assert rows["drones"].not_researched == 3


def test_the_api_gives_a_row_per_region_and_credits_the_directory(client, macomb):
    response = client.get(reverse("api:coverage"), {"level": "county"})
    assert response.status_code == 200
    data = response.json()
    by_fips = {row["fips"]: row for row in data["results"]}
    assert by_fips["26099"] == {
        "fips": "26099",
        "name": "Macomb County",
        "state": "MI",
        "agencies": 6,
        "recorded": 2,
        "checked": 2,
        "none_found": 1,
        "not_researched": 2,
        "directory": 5,
    }
    assert DIRECTORY_ATTRIBUTION in data["attribution"]
    assert "public domain" in data["license"]["notes"]
    states = client.get(reverse("api:coverage"), {"level": "state", "technology": "drones"})
    (michigan,) = states.json()["results"]
    assert (michigan["agencies"], michigan["recorded"], michigan["checked"]) == (8, 1, 2)
    # Filtered to one county and as CSV.
    response = client.get(
        reverse("api:coverage"), {"level": "county", "county": "26125", "format": "csv"}
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "fips,name,state,agencies,recorded,checked,none_found,not_researched,directory",
        "26125,Oakland County,MI,2,1,0,0,1,2",
    ]
    # The per-technology answer counts the directory's agencies too, and credits it.
    data = client.get(reverse("api:coverage"), {"state": "MI"}).json()
    assert {row["technology"]: row["agencies"] for row in data["results"]} == {
        "drones": 8,
        "plate-readers": 8,
    }
    assert DIRECTORY_ATTRIBUTION in data["attribution"]


def test_an_unknown_level_is_a_400_naming_it(client, macomb):
    response = client.get(reverse("api:coverage"), {"level": "city"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"level"}


def test_region_pages_say_how_many_agencies_were_researched(client, macomb):
    html = client.get(reverse("web:region", args=["26099"])).content.decode()
    assert "survmap knows of <strong>6</strong> law-enforcement agencies in Macomb County" in html
    assert "<strong>2</strong> with a recorded partnership" in html
    assert "(1 looked, none found)" in html
    assert "<strong>2</strong> not researched yet" in html
    assert DIRECTORY_ATTRIBUTION in html
    html = client.get(reverse("web:region", args=["26"])).content.decode()
    assert "survmap knows of <strong>8</strong> law-enforcement agencies in Michigan" in html


def test_a_region_without_directory_agencies_owes_the_fbi_no_credit(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    html = client.get(reverse("web:region", args=["26099"])).content.decode()
    assert "survmap knows of <strong>1</strong> law-enforcement agency in Macomb County" in html
    assert DIRECTORY_ATTRIBUTION not in html
    html = client.get(reverse("web:region", args=["06037"])).content.decode()
    assert "law-enforcement agenc" not in html


def test_place_filters_keep_only_the_regions_they_name(client, macomb):
    rows = client.get(reverse("api:coverage"), {"level": "county", "county": "26125"}).json()
    assert [row["fips"] for row in rows["results"]] == ["26125"]
    rows = client.get(reverse("api:coverage"), {"level": "state", "county": "26125"}).json()
    assert [(row["fips"], row["agencies"]) for row in rows["results"]] == [("26", 2)]
    rows = client.get(reverse("api:coverage"), {"level": "county", "state": "CA"}).json()
    assert rows["results"] == []
