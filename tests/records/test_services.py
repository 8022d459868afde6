import pytest
from django.core.exceptions import ValidationError

from survmap.common.dates import PartialDate
from survmap.records.models import Agency, Partnership, Source
from survmap.records.services import Outcome
from tests.factories import TechnologyFactory, VendorFactory
from tests.records.by_hand import agency_upsert, partnership_upsert, source_upsert

pytestmark = pytest.mark.django_db


def test_agency_upsert_finds_the_same_agency_under_another_spelling():
    first, outcome = agency_upsert(
        name="Warren Police Department", state="MI", county_fips=["26099"]
    )
    assert outcome == Outcome.CREATED
    again, outcome = agency_upsert(name="WARREN POLICE DEPT.", state="MI", county_fips=["26099"])
    assert again.pk == first.pk
    assert outcome == Outcome.UNCHANGED
    assert Agency.objects.count() == 1


def test_agency_upsert_refuses_an_unknown_county():
    with pytest.raises(ValueError, match="99999"):
        agency_upsert(name="Nowhere Police Department", state="MI", county_fips=["99999"])
    assert not Agency.objects.exists()


def test_agency_upsert_adds_counties_and_reports_the_update():
    agency, _ = agency_upsert(name="Rockford Police Department", state="IL", county_fips=["17201"])
    _, outcome = agency_upsert(name="Rockford Police Department", state="IL", county_fips=["17141"])
    assert outcome == Outcome.UPDATED
    assert set(agency.counties.values_list("fips", flat=True)) == {"17201", "17141"}


def test_source_upsert_is_keyed_by_address():
    source, outcome = source_upsert(url="https://example.org/a", title="A")
    assert outcome == Outcome.CREATED
    same, outcome = source_upsert(url="https://example.org/a", title="A")
    assert (same.pk, outcome) == (source.pk, Outcome.UNCHANGED)
    _, outcome = source_upsert(url="https://example.org/a", published=PartialDate(2020, 5))
    assert outcome == Outcome.UPDATED
    source.refresh_from_db()
    assert source.published == PartialDate(2020, 5)


def test_source_upsert_refuses_a_javascript_address():
    with pytest.raises(ValidationError):
        source_upsert(url="javascript:alert(1)", title="x")
    assert not Source.objects.exists()


def test_partnership_upsert_by_atlas_id_is_repeatable():
    agency, _ = agency_upsert(name="Warren Police Department", state="MI")
    source, _ = source_upsert(url="https://example.org/ring", title="Ring map")
    args = dict(
        agency=agency,
        technology=TechnologyFactory(),
        vendor=VendorFactory(),
        sources=[source],
        start=PartialDate(2020, 1, 7),
        atlas_id="AOS4489",
    )
    first, outcome = partnership_upsert(**args)
    assert outcome == Outcome.CREATED
    again, outcome = partnership_upsert(**args)
    assert (again.pk, outcome) == (first.pk, Outcome.UNCHANGED)
    assert Partnership.objects.count() == 1
    assert first.start == PartialDate(2020, 1, 7)


def test_partnership_upsert_refuses_an_end_before_the_start_and_writes_nothing():
    agency, _ = agency_upsert(name="Warren Police Department", state="MI")
    with pytest.raises(ValidationError):
        partnership_upsert(
            agency=agency,
            technology=TechnologyFactory(),
            vendor=None,
            sources=[],
            start=PartialDate(2021),
            end=PartialDate(2020),
        )
    assert not Partnership.objects.exists()
