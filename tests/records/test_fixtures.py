"""The starter records: real, sourced, and loaded by `make run`."""

import pytest
from django.core.management import call_command

from survmap.records.models import (
    Agency,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Technology,
    TechnologyCategory,
    Vendor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(db):
    call_command("load_starter_data", "--no-atlas", verbosity=0)


def test_every_starter_partnership_and_event_cites_a_source(starter):
    assert Partnership.objects.exists()
    assert PolicyEvent.objects.exists()
    assert set(Partnership.objects.public()) == set(Partnership.objects.all())
    assert set(PolicyEvent.objects.public()) == set(PolicyEvent.objects.all())


def test_every_technology_category_and_the_named_vendors_are_present(starter):
    categories = set(Technology.objects.values_list("category", flat=True))
    assert categories >= set(TechnologyCategory.values) - {TechnologyCategory.OTHER}
    assert Vendor.objects.get(slug="ring").parent == Vendor.objects.get(slug="amazon")
    assert Vendor.objects.filter(slug="boston-dynamics").exists()


def test_the_nypd_robot_dog_partnership_is_recorded_as_ended(starter):
    partnership = Partnership.objects.get(
        agency__name="New York City Police Department", vendor__slug="boston-dynamics"
    )
    assert partnership.status == PartnershipStatus.ENDED
    assert partnership.end is not None
    assert partnership.policy_events.filter(kind=PolicyEventKind.PROGRAM_ENDED).exists()
    assert {c.fips for c in partnership.agency.counties.all()} == {
        "36005",
        "36047",
        "36061",
        "36081",
        "36085",
    }


def test_warren_police_and_ring_are_recorded_in_macomb_county(starter):
    partnership = Partnership.objects.get(agency__name="Warren Police Department")
    assert partnership.vendor.slug == "ring"
    assert list(partnership.agency.counties.values_list("fips", flat=True)) == ["26099"]


def test_the_rekognition_moratorium_and_its_extension_are_policy_events(starter):
    moratorium = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM)
    assert moratorium.date.isoformat() == "2020-06-10"
    assert moratorium.vendor.slug == "amazon"
    extension = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM_EXTENSION)
    assert extension.date.year == 2021
    assert moratorium.sources.filter(url__contains="bostonglobe.com").exists()


def test_organisations_allowed_rekognition_are_not_recorded_as_agencies(starter):
    for name in ("Thorn", "Marinus", "Missing"):
        assert not Agency.objects.filter(name__icontains=name).exists()


def test_starter_records_have_a_first_history_entry(starter):
    for partnership in Partnership.objects.all():
        assert partnership.history.exists()


def test_loading_again_leaves_an_edited_database_alone(starter):
    Partnership.objects.filter(agency__name="Warren Police Department").update(summary="Edited.")
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    assert Partnership.objects.filter(summary="Edited.").count() == 1


def test_first_load_brings_the_shipped_atlas_export_credited_to_the_eff(db):
    from survmap.imports.shipped import SHIPPED_ATLAS
    from survmap.records.models import ATLAS_ATTRIBUTION, Agency

    assert SHIPPED_ATLAS.exists(), "fixtures/atlas/ must ship the 2020 Atlas export"
    call_command("load_starter_data", verbosity=0)
    # The starter records (two agencies) and the Atlas's agencies: what a newcomer's map shows.
    assert Agency.objects.count() >= 3900
    imported = Partnership.objects.filter(atlas_id__isnull=False)
    assert imported.count() >= 5780
    # An Atlas row that is a starter record (Warren's Ring partnership) adopts it: our record,
    # our credit, with the Atlas's row id. Every other is the EFF's.
    assert imported.exclude(attribution=ATLAS_ATTRIBUTION).count() <= 2
    assert Partnership.objects.filter(attribution="").count() == 2  # the starter records
