"""The text search `q` of the one FilterSet: every field it promises, every word required."""

import datetime as dt

import pytest

from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import Partnership
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def search(q: str) -> set[str]:
    filterset = PartnershipFilterSet({"q": q}, queryset=Partnership.objects.public())
    assert filterset.is_valid(), filterset.errors
    return {p.agency.name for p in filterset.qs}


@pytest.fixture
def records() -> None:
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", city="Warren", counties=["26099"]),
        technology=TechnologyFactory(name="Ring/Neighbors partnership"),
        vendor=VendorFactory(name="Ring"),
        product="Neighbors Portal",
        summary="Joined in 2019.",
    )
    PartnershipFactory(
        agency=AgencyFactory(name="Detroit Police Department", city="Detroit", counties=["26163"]),
        technology=TechnologyFactory(name="Face recognition"),
        vendor=VendorFactory(name="DataWorks Plus"),
        summary="Contract renewed by the council.",
    )
    PartnershipFactory(agency=AgencyFactory(name="Hidden Police Department"), sources=[])


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("warren", {"Warren Police Department"}),  # agency name and city
        ("MACOMB", {"Warren Police Department"}),  # county
        ("michigan", {"Warren Police Department", "Detroit Police Department"}),  # state name
        ("MI", {"Warren Police Department", "Detroit Police Department"}),  # state code
        ("face", {"Detroit Police Department"}),  # technology
        ("dataworks", {"Detroit Police Department"}),  # vendor
        ("portal", {"Warren Police Department"}),  # product
        ("council", {"Detroit Police Department"}),  # summary
        ("detroit council", {"Detroit Police Department"}),  # every word must match
        ("warren council", set()),
        ("hidden", set()),  # unsourced records stay out
    ],
)
def test_q_searches_every_field_it_promises(records, q, found):
    assert search(q) == found


@pytest.fixture
def plate_readers() -> None:
    readers = TechnologyFactory(
        name="Automated license plate readers",
        slug="automated-license-plate-readers",
        category="alpr",
    )
    PartnershipFactory(
        agency=AgencyFactory(name="Fresno Police Department", state_id="CA"), technology=readers
    )
    PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"), technology=readers)
    PartnershipFactory(
        agency=AgencyFactory(name="Oakland Police Department", state_id="CA"),
        technology=TechnologyFactory(name="Drones", slug="drones", category="drones"),
    )


def found_by(params: dict[str, list[str]]) -> set[str]:
    filterset = PartnershipFilterSet(params, queryset=Partnership.objects.public())
    assert filterset.is_valid(), filterset.errors
    return {p.agency.name for p in filterset.qs}


@pytest.mark.parametrize("state", ["CA", "ca", "California", "california", " CALIFORNIA "])
def test_a_state_is_taken_as_people_type_it(plate_readers, state):
    assert found_by({"state": [state]}) == {"Fresno Police Department", "Oakland Police Department"}


@pytest.mark.parametrize(
    "technology",
    [
        "automated-license-plate-readers",
        "alpr",
        "ALPR",
        "LPR",
        "Automated license plate readers",
        "automated_license_plate_readers",
    ],
)
def test_a_technology_is_taken_by_its_category_name_or_abbreviation(plate_readers, technology):
    assert found_by({"technology": [technology], "state": ["california"]}) == {
        "Fresno Police Department"
    }


def test_a_value_that_names_nothing_is_still_refused(plate_readers):
    for params in ({"state": ["Californa"]}, {"technology": ["lasers"]}):
        filterset = PartnershipFilterSet(params, queryset=Partnership.objects.public())
        assert not filterset.is_valid()
        assert list(filterset.errors) == list(params)


def test_sorting_by_a_date_puts_the_unrecorded_last_either_way(plate_readers):
    dated = Partnership.objects.order_by("pk")
    for partnership, year in zip(dated, (2015, 2020), strict=False):
        partnership.start_date = dt.date(year, 1, 1)
        partnership.start_precision = "year"
        partnership.save()
    for ordering, expected in (
        ("start", ["Fresno Police Department", "Warren Police Department"]),
        ("-start", ["Warren Police Department", "Fresno Police Department"]),
    ):
        filterset = PartnershipFilterSet(
            {"ordering": [ordering]}, queryset=Partnership.objects.public()
        )
        assert filterset.is_valid(), filterset.errors
        names = [p.agency.name for p in filterset.qs]
        assert names == [*expected, "Oakland Police Department"]
