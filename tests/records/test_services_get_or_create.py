"""technology_get_or_create and vendor_get_or_create: names that differ only in case, spaces or
punctuation find the record we have instead of making a second one."""

from __future__ import annotations

import pytest

from survmap.records.models import Technology, TechnologyCategory, Vendor
from survmap.records.services import Outcome, technology_get_or_create, vendor_get_or_create
from tests.factories import TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_vendor_names_are_matched_without_case_or_spaces() -> None:
    predpol = VendorFactory(name="PredPol", slug="predpol")
    assert vendor_get_or_create(name=" Predpol ") == (predpol, Outcome.UNCHANGED)
    assert vendor_get_or_create(name="PREDPOL") == (predpol, Outcome.UNCHANGED)
    vendor, outcome = vendor_get_or_create(name="Neology/PIPS")
    assert outcome == Outcome.CREATED
    assert (vendor.name, vendor.slug) == ("Neology/PIPS", "neologypips")
    assert vendor.history.count() == 1
    assert Vendor.objects.count() == 2


def test_a_new_vendor_whose_slug_is_taken_gets_its_own() -> None:
    VendorFactory(name="Acme Corp", slug="acme")
    vendor, outcome = vendor_get_or_create(name="Acme")
    assert outcome == Outcome.CREATED and vendor.slug == "acme-2"


def test_technology_is_found_by_slug_or_name_and_created_with_its_category() -> None:
    drones = TechnologyFactory(name="Drones", slug="drones")
    assert technology_get_or_create(name="Unmanned drones", slug="drones")[0] == drones
    assert technology_get_or_create(name="DRONES")[0] == drones
    created, outcome = technology_get_or_create(
        name="Drone detection", category=TechnologyCategory.DRONES
    )
    assert outcome == Outcome.CREATED
    assert (created.slug, created.category) == ("drone-detection", TechnologyCategory.DRONES)
    assert Technology.objects.count() == 2
