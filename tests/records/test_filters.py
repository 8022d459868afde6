"""The text search `q` of the one FilterSet: every field it promises, every word required."""

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
