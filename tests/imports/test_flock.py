"""The Private Eyes import: portals become Flock plate-reader partnerships on the agency the
other sources name, figures become observations, links become sharing records; organisations
that are not police stay what they are; nothing is guessed, re-loading changes nothing, and a
moderator's correction survives."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from survmap.imports.flock import ATTRIBUTION, FLOCK, TECHNOLOGY, read_flock
from survmap.imports.flock_write import FlockImporter
from survmap.imports.kinds import NoteKind
from survmap.imports.models import ImportNote
from survmap.imports.readers import FileRefused, Row
from survmap.platereaders import services as platereader_services
from survmap.platereaders.models import Observation, Organisation, OrganisationKind, Sharing
from survmap.records import services
from survmap.records.models import Agency, Partnership
from survmap.records.plans import Writer
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

_PORTAL = {
    "agency": "Broomfield CO PD",
    "updated": "2024-04-26T14:11:25Z",
    "accessed": "2024-04-26T17:25:31Z",
    "url": "https://transparency.flocksafety.com/broomfield-co-pd",
    "data_retention_in_days": "30 days",
    "number_of_owned_cameras": "6",
    "external_organizations_with_access": "NA",
    "hotlists_alerted_on": "NCIC, NCMEC Amber Alert",
    "vehicles_detected_in_the_last_30_days": "269427",
    "hotlist_hits_in_the_last_30_days": "33267",
    "searches_in_the_last_30_days": "332",
    "public_search_audit": "0",
}
_POLICY = {
    "agency": "Broomfield CO PD",
    "updated": "2023-07-27T12:04:07Z",
    "accessed": "2023-07-28T00:56:00Z",
    "url": "https://transparency.flocksafety.com/broomfield-co-pd",
    "whats_detected": "License Plates, Vehicles",
    "whats_not_detected": "Facial recognition, People",
    "acceptable_use_policy": "Law enforcement purposes only.",
    "prohibited_uses": "Immigration enforcement, traffic enforcement, Personal use.",
    "access_policy": "All system access requires a valid reason.",
    "hotlist_policy": "Hotlist hits are required to be human verified prior to action.",
}


def _rows(*cells: dict[str, str]) -> list[Row]:
    return [Row(line=n + 2, cells=dict(c)) for n, c in enumerate(cells)]


def _files(links: list[tuple[str, str]], *, portal: dict[str, str] | None = None) -> dict:
    return {
        "portals": _rows(portal or _PORTAL),
        "policies": _rows(_POLICY),
        "links": _rows(*({"src_agency": a, "external_agency": b} for a, b in links)),
        "survey": [],
    }


@pytest.fixture
def agencies(db: None) -> dict[str, Agency]:
    return {
        "broomfield": AgencyFactory(name="Broomfield Police Department", state_id="CO"),
        "boulder": AgencyFactory(name="Boulder County Sheriff's Office", state_id="CO"),
        "avon": AgencyFactory(name="Avon Police Department", state_id="IN"),
    }


_LINKS = [
    ("Broomfield CO PD", "Boulder County CO SO"),
    ("Broomfield CO PD", "Avon IN PD"),
    ("Broomfield CO PD", "Lakeside Estates HOA CO"),
    ("Broomfield CO PD", "Nowhere Springs CO PD"),
    ("Broomfield CO PD", "US Postal Inspection Service"),
]


def _counts() -> tuple[int, ...]:
    return (
        Agency.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Sharing.objects.count(),
        Observation.objects.count(),
        Agency.history.count(),
        Partnership.history.count(),
        Sharing.history.count(),
        Observation.history.count(),
        Organisation.history.count(),
    )


def test_a_portal_is_a_flock_partnership_on_the_agency_the_directory_names(agencies) -> None:
    report = FlockImporter(_files(_LINKS)).run()
    broomfield = agencies["broomfield"]
    # One Broomfield, however spelled.
    assert Agency.objects.filter(name__icontains="Broomfield").count() == 1
    partnership = Partnership.objects.get(agency=broomfield)
    assert partnership.vendor.name == "Flock Safety"
    assert partnership.technology.slug == "automated-license-plate-readers"
    assert partnership.status == "active"
    assert str(partnership.status_as_of_date) == "2024-04-26"
    assert partnership.attribution == ATTRIBUTION
    publishers = set(partnership.sources.values_list("publisher", flat=True))
    assert publishers == {"Flock Safety", "The News & Observer"}
    assert report.portals_on_agency == 1


def test_figures_and_stated_policy_are_a_dated_observation(agencies) -> None:
    FlockImporter(_files(_LINKS)).run()
    observation = Observation.objects.get()
    assert observation.partnership.agency == agencies["broomfield"]
    assert (observation.cameras, observation.retention_days) == (6, 30)
    assert observation.vehicles_detected_30d == 269_427
    assert observation.public_search_audit is False
    assert observation.prohibited_uses.startswith("Immigration enforcement")
    assert observation.policy_updated_at.year == 2023
    assert observation.sources.count() == 2


def test_a_later_reading_adds_an_observation_and_keeps_the_first(agencies) -> None:
    FlockImporter(_files(_LINKS)).run()
    later = dict(_PORTAL, updated="2024-06-01T10:00:00Z", number_of_owned_cameras="9")
    FlockImporter(_files(_LINKS, portal=later)).run()
    assert list(Observation.objects.order_by("observed_at").values_list("cameras", flat=True)) == [
        6,
        9,
    ]


def test_links_become_sharing_records_and_what_is_not_police_stays_an_organisation(
    agencies,
) -> None:
    FlockImporter(_files(_LINKS)).run()
    broomfield = agencies["broomfield"]
    to_agencies = set(
        Sharing.objects.filter(from_agency=broomfield).values_list("to_agency", flat=True)
    )
    assert {agencies["boulder"].pk, agencies["avon"].pk} <= to_agencies
    hoa = Organisation.objects.get(name="Lakeside Estates HOA")
    assert hoa.kind == OrganisationKind.HOA
    assert Sharing.objects.filter(from_agency=broomfield, to_organisation=hoa).exists()
    federal = Organisation.objects.get(name="US Postal Inspection Service")
    assert federal.kind == OrganisationKind.FEDERAL
    assert Sharing.objects.count() == 5
    assert Sharing.objects.filter(attribution=ATTRIBUTION).count() == 5


def test_an_unknown_agency_is_an_organisation_with_a_note_never_guessed(agencies) -> None:
    before = Agency.objects.count()
    FlockImporter(_files(_LINKS)).run()
    assert Agency.objects.count() == before
    unknown = Organisation.objects.get(name="Nowhere Springs Police Department")
    assert unknown.kind == OrganisationKind.LAW_ENFORCEMENT
    assert "Left for a moderator" in unknown.note
    note = ImportNote.objects.get(value="Nowhere Springs CO PD")
    assert note.kind == NoteKind.AGENCY_UNMATCHED
    # The homeowners' association is no moderator's work: not a note.
    assert not ImportNote.objects.filter(value__contains="HOA").exists()


def test_loading_again_changes_nothing(agencies) -> None:
    FlockImporter(_files(_LINKS)).run()
    before = _counts()
    report = FlockImporter(_files(_LINKS)).run()
    assert _counts() == before
    assert report.sharing["created"] == 0
    assert report.partnerships["unchanged"] == 1


def test_a_moderators_correction_survives_a_reload(agencies, bob) -> None:
    FlockImporter(_files(_LINKS)).run()
    partnership = Partnership.objects.get(agency=agencies["broomfield"])
    services.record_edit(
        instance=partnership,
        values={"summary": "Checked with the city: 6 cameras on Main Street."},
        writer=Writer.moderator(bob, "checked"),
    )
    unknown = Organisation.objects.get(name="Nowhere Springs Police Department")
    found = AgencyFactory(name="Nowhere Springs Marshal's Office", state_id="CO")
    platereader_services.organisation_match(
        organisation=unknown, agency=found, writer=Writer.moderator(bob, "found it")
    )
    FlockImporter(_files(_LINKS)).run()
    partnership.refresh_from_db()
    assert partnership.summary == "Checked with the city: 6 cameras on Main Street."
    assert Sharing.objects.filter(from_agency=agencies["broomfield"], to_agency=found).count() == 1
    assert not Sharing.objects.filter(to_organisation=unknown).exists()


def test_a_failure_half_way_leaves_nothing_written(agencies) -> None:
    before = _counts()
    with (
        mock.patch.object(platereader_services, "sharing_add", side_effect=RuntimeError("disk")),
        pytest.raises(RuntimeError),
    ):
        FlockImporter(_files(_LINKS)).run()
    assert _counts() == before


def test_a_dry_run_writes_nothing(agencies) -> None:
    before = _counts()
    report = FlockImporter(_files(_LINKS), dry_run=True).run()
    assert report.sharing["created"] == 5
    assert _counts() == before


def test_a_bad_file_is_refused_whole_before_anything_is_written(tmp_path: Path) -> None:
    for name in ("latest_usage04262023.csv", "agency_policies.csv", "nc_agency_survey20240430.csv"):
        (tmp_path / name).write_text("a,b\n1,2\n")
    (tmp_path / "agency_access20240426.csv").write_bytes(b"src_agency,external_agency\n\x00\n")
    with pytest.raises(FileRefused):
        read_flock(tmp_path)
    assert not Partnership.objects.exists()


def test_a_404_from_a_guessed_address_is_not_read() -> None:
    # transparency_url_status is not among the files read: a 404 is evidence of nothing.
    from survmap.imports.flock import FILES

    assert not any("url_status" in name for name, _ in FILES.values())


def test_the_nc_survey_adds_vendors_and_camera_counts_with_their_documents(agencies) -> None:
    wilson = AgencyFactory(name="Wilson Police Department", state_id="NC")
    files = _files(_LINKS)
    files["survey"] = _rows(
        {
            "name": "Wilson NC PD",
            "type": "PD",
            "city": "Wilson",
            "county": "Wilson",
            "notes": "Confirmed by dept.",
            "company": "Rekor",
            "cams_confirmed": "4",
            "cams_portal": "NA",
            "flock_portal_url": "NA",
            "document_url": "https://www.documentcloud.org/documents/1-wilson-contract",
        }
    )
    FlockImporter(files).run()
    partnership = Partnership.objects.get(agency=wilson)
    assert partnership.vendor.name == "Rekor Systems"
    assert partnership.sources.filter(
        url="https://www.documentcloud.org/documents/1-wilson-contract"
    ).exists()
    observation = Observation.objects.get(partnership=partnership)
    assert (observation.method, observation.cameras) == ("survey", 4)


def test_a_portal_and_the_survey_naming_one_partnership_settle_on_one_reading(agencies) -> None:
    """Hamlet's portal (read 26 April) and the NC survey's row (30 April) name one Flock
    partnership and one portal address in other words: the first load writes one date and one
    title, the other row's are noted, and loading again changes nothing (before, each load
    wrote both in turn)."""
    hamlet = AgencyFactory(name="Hamlet Police Department", state_id="NC")
    url = "https://transparency.flocksafety.com/hamlet-nc-pd"
    files = _files(_LINKS, portal=dict(_PORTAL, agency="Hamlet NC PD", url=url))
    files["survey"] = _rows(
        {
            "name": "Hamlet PD (NC)",
            "type": "PD",
            "city": "Hamlet",
            "county": "Richmond",
            "notes": "",
            "company": "Flock",
            "cams_confirmed": "NA",
            "cams_portal": "6",
            "flock_portal_url": url,
            "document_url": "NA",
        }
    )
    FlockImporter(files).run()
    partnership = Partnership.objects.get(agency=hamlet)
    assert str(partnership.status_as_of_date) == "2024-04-26"  # the first row's, a tie
    dropped = ImportNote.objects.filter(detail__contains="that stands")
    assert set(dropped.values_list("column", flat=True)) == {
        "partnership status_as_of",
        "source title",
    }
    before = _counts()
    again = FlockImporter(files).run()
    assert _counts() == before
    assert again.partnerships["updated"] == 0 and again.partnerships["created"] == 0


def _atlas_flock(agency: Agency) -> Partnership:
    """The 2020 Atlas's row for the agency's Flock plate readers: a numbered partnership."""
    from survmap.records.plans import (
        AgencyPlan,
        PartnershipPlan,
        SourcePlan,
        TechnologyRef,
        VendorRef,
    )

    applied = services.plan_apply(
        plan=PartnershipPlan(
            agency=AgencyPlan(pk=agency.pk),
            technology=TechnologyRef(
                name=TECHNOLOGY[0], slug=TECHNOLOGY[1], category=TECHNOLOGY[2]
            ),
            vendor=VendorRef(name=FLOCK[0], slug=FLOCK[1]),
            atlas_id="AOS9001",
            status="active",
            summary="The Atlas: Broomfield police use Flock cameras.",
            add_sources=(SourcePlan(url="https://example.org/broomfield-flock-story"),),
        ),
        writer=Writer.import_file("Atlas_2020.csv", source="atlas"),
    )
    return applied.record  # type: ignore[return-value]


def test_a_portal_confirms_the_atlas_partnership_of_the_same_agency(agencies) -> None:
    atlas = _atlas_flock(agencies["broomfield"])
    FlockImporter(_files(_LINKS)).run()
    # One partnership: the portal is the Atlas's Flock plate readers, not a second record.
    assert Partnership.objects.filter(agency=agencies["broomfield"]).count() == 1
    atlas.refresh_from_db()
    assert atlas.atlas_id == "AOS9001"
    assert atlas.summary == "The Atlas: Broomfield police use Flock cameras."
    assert str(atlas.status_as_of_date) == "2024-04-26"
    urls = set(atlas.sources.values_list("url", flat=True))
    assert "https://example.org/broomfield-flock-story" in urls
    assert "https://transparency.flocksafety.com/broomfield-co-pd" in urls
    assert ATTRIBUTION in atlas.attribution
    assert Observation.objects.get().partnership == atlas
    assert not services_conflicts()


def services_conflicts() -> list[object]:
    from survmap.records.models import Conflict

    return list(Conflict.objects.all())


def test_reloading_onto_the_atlas_partnership_changes_nothing(agencies) -> None:
    _atlas_flock(agencies["broomfield"])
    FlockImporter(_files(_LINKS)).run()
    before = _counts()
    report = FlockImporter(_files(_LINKS)).run()
    assert _counts() == before
    assert report.partnerships == {"unchanged": 1}


def test_a_correction_to_the_atlas_partnership_survives_a_reload(agencies, bob) -> None:
    atlas = _atlas_flock(agencies["broomfield"])
    FlockImporter(_files(_LINKS)).run()
    services.record_edit(
        instance=atlas,
        values={"summary": "Checked with the city: 6 cameras on Main Street.", "product": "Falcon"},
        writer=Writer.moderator(bob, "checked"),
    )
    FlockImporter(_files(_LINKS)).run()
    atlas.refresh_from_db()
    assert atlas.summary == "Checked with the city: 6 cameras on Main Street."
    assert atlas.product == "Falcon"
    assert Partnership.objects.filter(agency=agencies["broomfield"]).count() == 1
    assert not services_conflicts()


def test_one_agency_however_each_source_spells_it(agencies) -> None:
    """The directory's agency (with its ORI) is the one a Flock label names, however written:
    no second Broomfield, no second Beacon, no sheriff's office or state patrol created twice."""
    from survmap.records.models import AgencyKind

    broomfield = agencies["broomfield"]
    broomfield.ori, broomfield.city = "CO0070100", "Broomfield"
    broomfield.save()
    beacon = AgencyFactory(name="Beacon Police Department", state_id="NY", ori="NY0130100")
    patrol = AgencyFactory(
        name="State Patrol", state_id="CO", ori="COCSP0000", kind=AgencyKind.STATE_POLICE
    )
    bureau = AgencyFactory(
        name="Bureau County Sheriff's Office", state_id="IL", kind=AgencyKind.SHERIFF
    )
    before = Agency.objects.count()
    links = [
        ("Broomfield CO PD", "Beacon NY DPS"),
        ("Broomfield CO PD", "Colorado State Patrol"),
        ("Broomfield CO PD", "Bureau Co. IL SO"),
        ("Broomfield CO PD", "Broomfield CO PD (duplicate)"),
    ]
    FlockImporter(_files(links)).run()
    assert Agency.objects.count() == before
    assert Agency.objects.filter(name__icontains="Broomfield").count() == 1
    assert Partnership.objects.filter(agency=broomfield).count() == 1
    to = set(Sharing.objects.filter(from_agency=broomfield).values_list("to_agency", flat=True))
    assert to == {beacon.pk, patrol.pk, bureau.pk}
    assert not Organisation.objects.exists()


def test_a_county_in_brackets_tells_apart_agencies_of_one_name(agencies) -> None:
    montgomery = AgencyFactory(
        name="Miami Township Police Department", state_id="OH", city="", counties=["39113"]
    )
    clermont = AgencyFactory(
        name="Miami Township Police Department, Clermont County",
        state_id="OH",
        city="",
        counties=["39025"],
    )
    links = [
        ("Broomfield CO PD", "Miami Township OH PD (Clermont)"),
        ("Broomfield CO PD", "Miami Township OH PD (Montgomery County)"),
        ("Broomfield CO PD", "Miami Township OH PD"),
    ]
    FlockImporter(_files(links)).run()
    to = set(Sharing.objects.values_list("to_agency", flat=True))
    assert {montgomery.pk, clermont.pk} <= to
    # Without the county: either, so neither; an organisation with the candidates.
    unsure = Organisation.objects.get(label="Miami Township OH PD")
    assert "Could be any of" in unsure.note
