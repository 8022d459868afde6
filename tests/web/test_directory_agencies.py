"""Agencies of the directory of US agencies (an ORI, often no partnership): each has a page that
says what is known of it, and none of them adds to the map's counts of agencies with
partnerships. Nothing a contributor sent shows before a moderator approves it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.records.models import DIRECTORY_ATTRIBUTION, Agency
from survmap.research.models import CheckOutcome
from tests.factories import (
    AgencyFactory,
    DirectoryAgencyFactory,
    PartnershipFactory,
    TechnologyFactory,
)
from tests.research.conftest import approved_check, make_check
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def test_listed_agencies_are_the_public_ones_and_the_directory_s():
    public = PartnershipFactory().agency
    directory = DirectoryAgencyFactory()
    both = PartnershipFactory(agency=DirectoryAgencyFactory()).agency
    hidden = PartnershipFactory(sources=[]).agency
    nobody = AgencyFactory()
    assert set(Agency.objects.listed()) == {public, directory, both}
    assert set(Agency.objects.public()) == {public, both}
    assert hidden not in Agency.objects.listed() and nobody not in Agency.objects.listed()


def test_an_ori_finds_its_agency_in_either_length_and_any_case():
    nine = DirectoryAgencyFactory(ori="TX0570100")
    seven = DirectoryAgencyFactory(ori="OH0180700")
    DirectoryAgencyFactory(ori="TX0570200")
    assert list(Agency.objects.with_ori("tx0570100")) == [nine]
    assert list(Agency.objects.with_ori(" TX05701 ")) == [nine]
    short = AgencyFactory(ori="NY12345")
    assert list(Agency.objects.with_ori("NY1234500")) == [short]
    assert list(Agency.objects.with_ori("NY12345")) == [short]
    assert list(Agency.objects.with_ori("OH01807")) == [seven]
    assert not Agency.objects.with_ori("").exists()
    assert not Agency.objects.with_ori("OH018").exists()


def test_a_directory_agency_without_a_partnership_has_a_page_that_says_what_is_known(client):
    agency = DirectoryAgencyFactory(
        name="Devine Police Department", ori="TX0820100", city="Devine", counties=["26099"]
    )
    response = client.get(reverse("web:agency", args=[agency.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Devine Police Department</h1>" in html
    assert "Police agency in Devine," in html
    assert "Michigan" in html and "Macomb County" in html
    assert "TX0820100" in html
    assert DIRECTORY_ATTRIBUTION in html
    assert "No partnership recorded" in html
    tip = reverse("submissions:submit") + f"?agency={agency.pk}"
    assert f'href="{tip}"' in html
    # Nothing to correct, nothing to download.
    assert reverse("submissions:correction") not in html
    assert reverse("api:export-partnerships-csv") not in html
    assert "No published research check for this agency yet" in html


def test_the_page_of_an_agency_with_partnerships_keeps_its_table_and_correction_link(client):
    partnership = PartnershipFactory(agency=DirectoryAgencyFactory(ori="MI5086000"))
    html = client.get(reverse("web:agency", args=[partnership.agency_id])).content.decode()
    assert "No partnership recorded" not in html
    assert partnership.technology.name in html
    assert f"{reverse('submissions:correction')}?agency={partnership.agency_id}" in html
    assert "MI5086000" in html


def test_a_directory_agency_page_shows_its_published_checks_and_nothing_pending(client, bob):
    agency = DirectoryAgencyFactory(name="Devine Police Department")
    drones = TechnologyFactory(name="Drones", slug="drones")
    approved_check(
        bob,
        agency=agency,
        technology=drones,
        outcome=CheckOutcome.NONE_FOUND,
        summary="Searched the council minutes for drones.",
    )
    make_check(agency=agency, technology=drones, summary="PENDING-CHECK-SECRET")
    make_submission(
        agency=agency,
        agency_name=agency.name,
        agency_state=agency.state,
        description="PENDING-TIP-SECRET",
        url="https://news.example.org/pending-secret",
    )
    html = client.get(reverse("web:agency", args=[agency.pk])).content.decode()
    assert "Searched the council minutes for drones." in html
    assert "No partnership recorded" in html
    assert "SECRET" not in html and "pending-secret" not in html


@pytest.mark.parametrize("hidden", ["no_record", "unsourced", "pending_tip_only"])
def test_an_agency_with_neither_an_ori_nor_a_public_record_has_no_page(client, hidden):
    if hidden == "no_record":
        agency = AgencyFactory()
    elif hidden == "unsourced":
        agency = PartnershipFactory(sources=[]).agency
    else:
        # A tip picked this agency (one survmap knew before the directory): still not public.
        agency = AgencyFactory(name="Gotham Police Department")
        make_submission(agency=agency, description="PENDING-TIP-SECRET")
    assert client.get(reverse("web:agency", args=[agency.pk])).status_code == 404


def test_an_approved_tip_about_a_directory_agency_gives_it_its_partnership(client, bob):
    from survmap.submissions.services import submission_approve

    agency = DirectoryAgencyFactory(name="Devine Police Department")
    technology = TechnologyFactory(name="Drones", slug="drones")
    submission = make_submission(
        agency=agency, agency_name=agency.name, agency_state=agency.state, technology=technology
    )
    assert "No partnership recorded" in (
        client.get(reverse("web:agency", args=[agency.pk])).content.decode()
    )
    submission_approve(submission=submission, moderator=bob)
    html = client.get(reverse("web:agency", args=[agency.pk])).content.decode()
    assert "No partnership recorded" not in html
    assert "Drones" in html
    assert Agency.objects.filter(name="Devine Police Department").count() == 1


def test_the_tip_form_starts_with_the_directory_agency_picked(client):
    agency = DirectoryAgencyFactory(name="Devine Police Department")
    html = client.get(reverse("submissions:submit"), {"agency": agency.pk}).content.decode()
    assert 'value="Devine Police Department"' in html
    assert f'name="agency" value="{agency.pk}"' in html
    # A hidden agency is not offered, whatever its id.
    hidden = AgencyFactory(name="Unlisted Police Department")
    html = client.get(reverse("submissions:submit"), {"agency": hidden.pk}).content.decode()
    assert "Unlisted Police Department" not in html


def test_directory_agencies_add_nothing_to_the_counts_of_agencies_with_partnerships(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    for _ in range(3):
        DirectoryAgencyFactory(counties=["26099", "26125"])
    counts = client.get(reverse("web:map_counts"), {"level": "county"}).json()
    assert counts["counts"] == {"26099": 1}
    assert counts["agencies"] == 1
    states = client.get(reverse("web:map_counts"), {"level": "state"}).json()
    assert states["counts"] == {"26": 1}
    regions = client.get(reverse("api:regions"), {"level": "county"}).json()["results"]
    assert [(row["fips"], row["agencies"]) for row in regions] == [("26099", 1)]
    html = client.get(reverse("web:region", args=["26125"])).content.decode()
    assert "no sourced partnership of an agency based here yet" in html
