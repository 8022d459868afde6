"""survmap's known duplicates (fixtures/research/merges.json), merged by merge_known_duplicates:
on an existing install it merges, a second run changes nothing, and a vendor that is an
agency's name is put right."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from survmap.imports.duplicates import KnownDuplicatesError, read_known_duplicates
from survmap.records.models import (
    Agency,
    AgencyAlias,
    Partnership,
    RecordMerge,
    Vendor,
    VendorAlias,
)
from survmap.records.services import agency_match, vendor_find
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing_install():
    """An install from before the merges: both NYPDs, both Flocks, the Chatham "vendor"."""
    nypd = AgencyFactory(name="New York City Police Department", state_id="NY")
    atlas_nypd = AgencyFactory(name="New York Police Department", state_id="NY")
    PartnershipFactory(agency=atlas_nypd, atlas_id="AOS5544")
    flock = VendorFactory(name="Flock Safety", slug="flock-safety")
    short = VendorFactory(name="Flock", slug="flock")
    PartnershipFactory(vendor=short, atlas_id="AOS5571")
    ring = VendorFactory(name="Ring", slug="ring")
    chatham = AgencyFactory(name="Chatham Police Department", state_id="NY", city="Chatham")
    not_a_vendor = VendorFactory(
        name="Village of Chatham Police Department", slug="village-of-chatham-police-department"
    )
    utica = PartnershipFactory(
        agency=AgencyFactory(name="Utica Police Department", state_id="NY"),
        technology=TechnologyFactory(name="Ring/Neighbors partnership", slug="ring-neighbors"),
        vendor=not_a_vendor,
        atlas_id="AOS4790",
    )
    return {"nypd": nypd, "flock": flock, "ring": ring, "chatham": chatham, "utica": utica}


def _history_rows() -> int:
    return sum(
        model.history.count() for model in (Agency, Vendor, Partnership, AgencyAlias, VendorAlias)
    )


def test_it_merges_an_existing_install_and_a_second_run_changes_nothing(existing_install):
    out = StringIO()
    call_command("merge_known_duplicates", stdout=out)
    assert "2 merged" in out.getvalue()
    nypd = existing_install["nypd"]
    assert not Agency.objects.filter(name="New York Police Department").exists()
    assert Partnership.objects.get(atlas_id="AOS5544").agency == nypd
    assert agency_match(name="New York Police Department", state="NY").agency == nypd
    assert vendor_find(name="Flock") == existing_install["flock"]
    # Names the install lacks become aliases all the same, for a later import.
    assert vendor_find(name="Harris Corporation") is None  # (no Harris Corp. here)

    before = (_history_rows(), RecordMerge.objects.count(), AgencyAlias.objects.count())
    again = StringIO()
    call_command("merge_known_duplicates", stdout=again)
    assert "nothing to do" in again.getvalue()
    assert (_history_rows(), RecordMerge.objects.count(), AgencyAlias.objects.count()) == before


def test_a_vendor_that_is_an_agency_is_put_right(existing_install):
    call_command("merge_known_duplicates", stdout=StringIO())
    assert not Vendor.objects.filter(name__icontains="Chatham").exists()
    utica = Partnership.objects.get(pk=existing_install["utica"].pk)
    assert utica.vendor == existing_install["ring"]
    # The name is the Chatham police's, not Ring's: the matcher finds the agency under it.
    found = agency_match(name="Village of Chatham Police Department", state="NY")
    assert found.agency == existing_install["chatham"]
    assert not VendorAlias.objects.filter(name__icontains="Chatham").exists()
    merge = RecordMerge.objects.get(removed_name="Village of Chatham Police Department")
    assert merge.kept_name == "Ring"


def test_a_fresh_partnership_left_without_a_vendor_gets_ring():
    """On a fresh install the Atlas leaves the agency's name out of the vendor column: the
    fix gives the row its vendor, and the name to the agency."""
    ring = VendorFactory(name="Ring", slug="ring")
    chatham = AgencyFactory(name="Chatham Police Department", state_id="NY", city="Chatham")
    utica = PartnershipFactory(vendor=None, atlas_id="AOS4790")
    call_command("merge_known_duplicates", stdout=StringIO())
    utica.refresh_from_db()
    assert utica.vendor == ring
    assert chatham.aliases.get().name == "Village of Chatham Police Department"


def test_a_bad_file_is_refused_whole(tmp_path):
    with pytest.raises(KnownDuplicatesError, match=r"agencies\[0\]"):
        read_known_duplicates('{"agencies": [{"keep": {"name": "X"}, "merge": "Y"}]}')
    bad = tmp_path / "merges.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="nothing written"):
        call_command("merge_known_duplicates", "--file", str(bad))


def test_an_import_after_the_merges_finds_one_record_under_each_name(atlas_rows):
    """The Atlas's own rows naming the duplicates, imported (in bulk) after the merges: they
    land on the records that stay, and no agency or vendor is created twice."""
    import datetime as dt

    from survmap.imports.atlas import AtlasImporter

    nypd = AgencyFactory(
        name="New York City Police Department", state_id="NY", city="New York City"
    )
    flock = VendorFactory(name="Flock Safety", slug="flock-safety")
    ring = VendorFactory(name="Ring", slug="ring")
    chatham = AgencyFactory(name="Chatham Police Department", state_id="NY", city="Chatham")
    call_command("merge_known_duplicates", stdout=StringIO())
    rows = atlas_rows("AOS5544", "AOS5571", "AOS4790")
    importer = AtlasImporter(rows, today=dt.date(2026, 11, 23))
    importer.run()
    assert Partnership.objects.get(atlas_id="AOS5544").agency == nypd
    assert not Agency.objects.filter(name="New York Police Department").exists()
    assert Partnership.objects.get(atlas_id="AOS5571").vendor == flock
    assert not Vendor.objects.filter(name="Flock").exists()
    # The vendor column naming the Chatham police creates no vendor; the row is Ring's.
    assert not Vendor.objects.filter(name__icontains="Chatham").exists()
    call_command("merge_known_duplicates", stdout=StringIO())
    assert Partnership.objects.get(atlas_id="AOS4790").vendor == ring
    assert chatham.aliases.filter(name="Village of Chatham Police Department").exists()
    # Importing the rows again changes nothing.
    again = AtlasImporter(atlas_rows("AOS5544", "AOS5571", "AOS4790"), today=dt.date(2026, 11, 23))
    again.run()
    assert importer.report.conflicts == []
    assert (again.report.created, again.report.updated) == (0, 0)
