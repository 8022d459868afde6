"""The full-text index behind `q` (survmap.records.fulltext): kept in step with every write by
the database itself, and finding at least what the old substring search found."""

from __future__ import annotations

import pytest
from django.db.models import Q

from survmap.geo.models import County
from survmap.records.filters import PartnershipFilterSet, agency_or_technology_matches
from survmap.records.models import Partnership, Technology, Vendor
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    filterset = PartnershipFilterSet({"q": q}, queryset=Partnership.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def substring_search(q: str) -> set[int]:
    """The search as it was before the index: each word a substring of a name, read row by
    row."""
    query = Q()
    for word in q.split()[:8]:
        query &= (
            agency_or_technology_matches(word)
            | Q(vendor_id__in=Vendor.objects.filter(name__icontains=word).values("pk"))
            | Q(product__icontains=word)
            | Q(summary__icontains=word)
        )
    return set(Partnership.objects.filter(query).values_list("pk", flat=True))


def test_a_renamed_agency_is_found_by_its_new_name_only():
    partnership = PartnershipFactory(agency__name="Westville Police Department")
    assert found("westville") == {partnership.pk}
    partnership.agency.name = "Eastburgh Police Department"
    partnership.agency.save()
    assert found("westville") == set()
    assert found("eastburgh") == {partnership.pk}


def test_a_renamed_technology_or_vendor_is_found_by_its_new_name():
    partnership = PartnershipFactory(
        technology=TechnologyFactory(name="Drones"), vendor=VendorFactory(name="Skydio")
    )
    Technology.objects.filter(pk=partnership.technology_id).update(name="Aerial robots")
    Vendor.objects.filter(pk=partnership.vendor_id).update(name="Skyward")
    assert found("aerial") == found("skyward") == {partnership.pk}
    assert found("drones") == found("skydio") == set()


def test_the_agencys_counties_are_searchable_as_they_change():
    partnership = PartnershipFactory(agency__counties=["26099"])  # Macomb
    assert found("macomb") == {partnership.pk}
    partnership.agency.counties.set([County.objects.get(fips="26125")])  # Oakland
    assert found("macomb") == set()
    assert found("oakland") == {partnership.pk}


def test_a_changed_summary_and_a_deleted_partnership():
    partnership = PartnershipFactory(summary="Signed in 2019.")
    partnership.summary = "Cancelled by the council."
    partnership.save()
    assert found("council") == {partnership.pk}
    assert found("signed") == set()
    partnership.sources.clear()
    partnership.delete()
    assert found("council") == set()


def test_rows_written_in_bulk_are_indexed():
    agency = AgencyFactory(name="Bulkton Police Department")
    model = PartnershipFactory(agency=agency)
    Partnership.objects.bulk_create(
        [
            Partnership(
                agency=agency,
                technology=model.technology,
                status=model.status,
                summary=f"Row {i}",
            )
            for i in range(3)
        ]
    )
    assert len(found("bulkton")) == 4


@pytest.mark.parametrize(
    "q",
    ["town 12", "12", "police", "MI", "mi", "ring", "town 1 police", "ace rec", "o", "%", "_"],
)
def test_it_finds_at_least_what_the_substring_search_found(q):
    technologies = [TechnologyFactory(name=name) for name in ("Face recognition", "Ring")]
    for i in range(30):
        PartnershipFactory(
            agency=AgencyFactory(
                name=f"Town {i * 7} Police Department", city=f"Town {i}", counties=["26099"]
            ),
            technology=technologies[i % 2],
            summary=f"Report {i}%_" if i % 5 == 0 else "",
        )
    before = substring_search(q)
    assert before <= found(q)
    if q not in {"%", "_", "o"}:
        assert before, q  # the case is not empty
