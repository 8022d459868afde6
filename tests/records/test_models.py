"""What the database itself refuses, whoever writes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from survmap.geo.models import State
from survmap.records.models import Agency, Partnership, Source
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_an_end_before_the_start():
    partnership = PartnershipFactory()
    Partnership.objects.filter(pk=partnership.pk).update(
        start_date=dt.date(2020, 3, 1), start_precision="day"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(
            end_date=dt.date(2019, 12, 31), end_precision="day"
        )


def test_full_clean_explains_an_end_before_the_start():
    partnership = PartnershipFactory()
    partnership.start_date, partnership.start_precision = dt.date(2020, 3, 1), "day"
    partnership.end_date, partnership.end_precision = dt.date(2020, 2, 1), "day"
    with pytest.raises(ValidationError, match="end date is before the start date"):
        partnership.full_clean()


def test_an_end_known_only_to_the_year_may_follow_a_start_in_that_year():
    partnership = PartnershipFactory()
    # "Ended in 2020" is stored as the year's last day, so a March 2020 start is fine.
    Partnership.objects.filter(pk=partnership.pk).update(
        start_date=dt.date(2020, 3, 5),
        start_precision="day",
        end_date=dt.date(2020, 12, 31),
        end_precision="year",
    )
    partnership.refresh_from_db()
    assert partnership.end.display() == "2020"


def test_database_refuses_a_date_without_its_precision():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(start_date=dt.date(2020, 1, 1))


def test_database_refuses_two_agencies_with_one_normalised_name_in_a_state():
    AgencyFactory(name="Warren Police Department", state=State.objects.get(code="MI"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(name="WARREN POLICE DEPT.", state_id="MI")


def test_the_same_agency_name_is_allowed_in_another_state():
    AgencyFactory(name="Springfield Police Department", state=State.objects.get(code="IL"))
    other = AgencyFactory(name="Springfield Police Department", state=State.objects.get(code="MO"))
    assert other.pk


def test_full_clean_names_the_duplicate_agency():
    AgencyFactory(name="Warren Police Department", state=State.objects.get(code="MI"))
    duplicate = Agency(name="warren police department", state_id="MI")
    with pytest.raises(ValidationError, match="Warren Police Department is already recorded in MI"):
        duplicate.full_clean()


def test_validation_refuses_an_unknown_state():
    with pytest.raises(ValidationError, match="state"):
        Agency(name="Nowhere Police Department", state_id="ZZ").full_clean()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_unknown_state():
    # Foreign keys are checked at commit; outside a test transaction, the create commits.
    with pytest.raises(IntegrityError):
        Agency.objects.create(name="Nowhere Police Department", state_id="ZZ")


def test_territories_are_states_an_agency_may_belong_to():
    agency = AgencyFactory(name="Policía de Puerto Rico", state=State.objects.get(code="PR"))
    assert agency.state.name == "Puerto Rico"


def test_database_refuses_coordinates_out_of_range_or_half_given():
    agency = AgencyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(latitude=95.0, longitude=10.0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(latitude=42.0)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.org/a"]
)
def test_database_and_validation_refuse_a_source_that_is_not_http(url):
    with pytest.raises(ValidationError):
        Source(url=url, title="x").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(url=url, title="x")


def test_database_refuses_a_source_with_neither_address_nor_title():
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(url=None, title="")


def test_two_print_sources_without_address_can_coexist():
    Source.objects.create(url=None, title="A printed report")
    Source.objects.create(url=None, title="Another printed report")
    assert Source.objects.filter(url__isnull=True).count() == 2


def test_source_addresses_are_unique():
    SourceFactory(url="https://example.org/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(url="https://example.org/a", title="again")


def test_a_partnership_without_a_source_is_not_public():
    hidden = PartnershipFactory(sources=[])
    shown = PartnershipFactory()
    public = set(Partnership.objects.public())
    assert shown in public
    assert hidden not in public
