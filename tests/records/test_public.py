"""One definition of public: map, search, API and the models' .public() agree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.records.models import Agency, Technology, Vendor
from survmap.web.search import build_index
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    TechnologyFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def test_a_vendor_known_only_from_a_policy_event_is_public_on_the_map_in_search_and_the_api(
    client,
):
    vendor = VendorFactory(name="Clearview AI", slug="clearview-ai")
    technology = TechnologyFactory(name="Face matching", slug="face-matching")
    PolicyEventFactory(vendor=vendor, technology=technology, title="Clearview settlement")
    hidden = VendorFactory(name="Unseen Systems", slug="unseen-systems")
    PolicyEventFactory(vendor=hidden, sources=[])  # no source: never public

    assert set(Vendor.objects.public()) == {vendor}
    assert set(Technology.objects.public()) == {technology}
    index = {(entry.kind, entry.label) for entry in build_index()}
    assert ("vendor", "Clearview AI") in index and ("vendor", "Unseen Systems") not in index
    assert ("technology", "Face matching") in index
    api = client.get(reverse("api:vendor-list")).json()
    assert [item["name"] for item in api["results"]] == ["Clearview AI"]
    page = client.get(reverse("web:home")).content.decode()
    assert 'value="clearview-ai"' in page and "unseen-systems" not in page


def test_an_agency_is_public_only_with_a_public_partnership():
    shown = PartnershipFactory().agency
    PartnershipFactory(sources=[], agency=AgencyFactory(name="Hidden Police Department"))
    AgencyFactory(name="Lonely Police Department")
    assert list(Agency.objects.public()) == [shown]
