"""Several vendors per partnership, the rejected and not-reported statuses, and status_as_of."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.records import csv_format
from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import Partnership, PartnershipStatus
from survmap.records.rows import partnerships_by_id
from tests.factories import AgencyFactory, PartnershipFactory, VendorFactory

pytestmark = pytest.mark.django_db


def found(params: dict) -> set[int]:
    query = QueryDict(urlencode(params, doseq=True))
    filterset = PartnershipFilterSet(query, queryset=Partnership.objects.public())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_the_vendor_filter_finds_a_partnership_under_each_vendor_it_names():
    vigilant, neology = VendorFactory(name="Vigilant Solutions"), VendorFactory(name="Neology")
    both = PartnershipFactory(vendor=vigilant)
    both.other_vendors.add(neology)
    only_neology = PartnershipFactory(vendor=neology)
    PartnershipFactory(vendor=VendorFactory(name="Flock Safety"))
    assert found({"vendor": neology.slug}) == {both.pk, only_neology.pk}
    assert found({"vendor": vigilant.slug}) == {both.pk}
    assert found({"vendor": [vigilant.slug, neology.slug]}) == {both.pk, only_neology.pk}


def test_a_rejected_proposal_is_never_on_the_map_as_of_a_date():
    kept = PartnershipFactory(start_date=dt.date(2019, 1, 1), start_precision="year")
    PartnershipFactory(
        start_date=dt.date(2019, 1, 1), start_precision="year", status=PartnershipStatus.REJECTED
    )
    assert found({"as_of": "2020-07-01"}) == {kept.pk}


def test_rows_csv_and_api_carry_status_as_of_and_other_vendors(client):
    partnership = PartnershipFactory(
        status=PartnershipStatus.NOT_REPORTED,
        status_as_of_date=dt.date(2012, 12, 1),
        status_as_of_precision="month",
    )
    partnership.other_vendors.add(VendorFactory(name="Neology"))
    assert partnership.status_as_of == PartialDate(2012, 12)
    row = partnerships_by_id([partnership.pk])[partnership.pk]
    for record in (Partnership.objects.get(pk=partnership.pk), row):
        cells = csv_format.partnership_row(record)
        assert cells["status"] == "not_reported"
        assert cells["status_as_of"] == "2012-12"
        assert cells["other_vendors"] == "Neology"
    answer = client.get(reverse("api:partnership-detail", kwargs={"pk": partnership.pk})).json()
    assert answer["status_as_of"] == "2012-12"
    assert [vendor["name"] for vendor in answer["other_vendors"]] == ["Neology"]


def test_the_agency_page_says_when_the_status_was_last_confirmed(client):
    agency = AgencyFactory(name="Elgin Police Department")
    partnership = PartnershipFactory(
        agency=agency,
        status=PartnershipStatus.ACTIVE,
        status_as_of_date=dt.date(2012, 12, 1),
        status_as_of_precision="month",
    )
    partnership.other_vendors.add(VendorFactory(name="Neology"))
    page = client.get(reverse("web:agency", kwargs={"pk": agency.pk})).content.decode()
    # What the source said and when, never a bare "Active"; and, years on, that nobody has
    # confirmed it since.
    assert "Reported active, as of December 2012</span>" in page
    assert '<small class="stale-note">Not confirmed for' in page
    assert ">Active<" not in page
    assert "Neology" in page
