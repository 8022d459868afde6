"""The matcher's last tier (`_spelled` in records/writing/matching.py): a source's name that
misspells a directory agency's, or writes it with words the directory leaves out, finds that
agency, only when it is the one agency with an ORI serving the row's counties spelled so; a
university's police are never a city's, a sheriff never a police department, a town never a
city, and two candidates are never guessed."""

from __future__ import annotations

from typing import Any

import pytest

from survmap.geo.models import State
from survmap.records.models import Agency
from survmap.records.services import AgencyIndex, agency_match
from tests.factories import AgencyFactory


def directory(name: str, state: str, county: str, ori: str, kind: str = "police") -> Agency:
    made = AgencyFactory(
        name=name, state=State.objects.get(code=state), ori=ori, kind=kind, city=""
    )
    made.counties.set([county])
    return made


SPELLED = [
    # (the directory's name, its kind, state, county, the source's name, the source's kind)
    ("Tucson Police Department", "police", "AZ", "04019", "Tuscon Police Department", "police"),
    ("Glen Carbon Police Department", "police", "IL", "17119", "Glenn Carbon PD", "police"),
    ("De Kalb Police Department", "police", "IL", "17037", "DeKalb Police Department", "police"),
    (
        "Warrick County Sheriff's Office",
        "sheriff",
        "IN",
        "18173",
        "Warrick County Seriff's Office",
        "sheriff",
    ),
    ("Fort Bragg Police Department", "police", "CA", "06045", "Fort Bragg Police Deparment", ""),
    (
        "Colonial Regional Police Department",
        "police",
        "PA",
        "42095",
        "Colonial Region Police Department",
        "police",
    ),
    (
        "University of Alabama: Huntsville",
        "university",
        "AL",
        "01089",
        "University of Alabama in Huntsville Police Department",
        "university",
    ),
    (
        "University of Illinois: Chicago",
        "university",
        "IL",
        "17031",
        "University of Illinois at Chicago Police Department",
        "university",
    ),
    (
        "Florida A&M University",
        "university",
        "FL",
        "12073",
        "Florida A & M University Police Department",
        "university",
    ),
    ("Lodi Police Department", "police", "NJ", "34003", "Borough of Lodi Police Department", ""),
    (
        "Carroll Valley Police Department",
        "police",
        "PA",
        "42001",
        "Carroll Valley Boro Police Department",
        "police",
    ),
    (
        "Garden City Village Police Department",
        "police",
        "NY",
        "36059",
        "Garden City Police Department",
        "police",
    ),
    (
        "Camillus Town and Village Police Department",
        "police",
        "NY",
        "36067",
        "Camillus Police Department",
        "police",
    ),
    ("Gahanna Police Department", "police", "OH", "39049", "Gahanna Division of Police", "police"),
    ("Middletown Police Department", "police", "DE", "10003", "Middletown PD, DE", "police"),
    (
        "Kansas City Police Department",
        "police",
        "KS",
        "20209",
        "Kansas City, Kansas Police Department",
        "police",
    ),
    (
        "Texarkana Police Department",
        "police",
        "AR",
        "05091",
        "Texarkana-Arkansas Police Department",
        "police",
    ),
    (
        "Nashville Metropolitan Police Department",
        "police",
        "TN",
        "47037",
        "Metro Nashville Police Department",
        "police",
    ),
    (
        "Indianapolis Police Department",
        "police",
        "IN",
        "18097",
        "Indianapolis Metropolitan Police Department",
        "police",
    ),
    (
        "Las Vegas Metropolitan Police Department Police Department",
        "police",
        "NV",
        "32003",
        "Las Vegas Metropolitan Police Department",
        "police",
    ),
    (
        "Grosse Pointe Shores Police Department",
        "police",
        "MI",
        "26163",
        "Gross Pointe Shores Department of Public Safety",
        "police",
    ),
    ("Gun Lake Tribal", "police", "MI", "26005", "Gun Lake Tribal Police Department", "police"),
    (
        "Tampa International Airport",
        "other",
        "FL",
        "12057",
        "Tampa International Airport Police",
        "police",
    ),
    (
        "Atlanta Public Schools",
        "school",
        "GA",
        "13121",
        "Atlanta Public Schools Police Department",
        "school",
    ),
    # A joint department's places, and a county's police as the FBI writes them in Hawaii.
    (
        "American Fork/Cedar Hills Police Department",
        "police",
        "UT",
        "49049",
        "American Fork Police Department",
        "police",
    ),
    (
        "Hartsville/Trousdale County Sheriff's Office",
        "sheriff",
        "TN",
        "47169",
        "Trousdale County Sheriff's Office",
        "sheriff",
    ),
    (
        "Maui Police Department County Sheriff's Office",
        "sheriff",
        "HI",
        "15009",
        "Maui County Police Department",
        "police",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "stored_kind", "state", "county", "written", "kind"), SPELLED)
def test_a_misspelt_or_padded_name_finds_the_one_directory_agency_of_its_county(
    stored: str, stored_kind: str, state: str, county: str, written: str, kind: str
) -> None:
    listed = directory(stored, state, county, f"{state}0000100", stored_kind)
    found = agency_match(name=written, state=state, counties=[county], kind=kind)
    assert (found.agency, found.rule) == (listed, "spelled")
    # The same through a batch's index (the bulk path).
    indexed = agency_match(
        name=written, state=state, counties=[county], kind=kind, index=AgencyIndex()
    )
    assert indexed.agency == listed
    # Without the county, or in another county of the state, nothing is taken.
    assert agency_match(name=written, state=state, kind=kind).agency is None
    other_county = next(
        code
        for code in State.objects.get(code=state).counties.values_list("pk", flat=True)
        if code != county
    )
    assert (
        agency_match(name=written, state=state, counties=[other_county], kind=kind).agency is None
    )


NOT_SPELLED = [
    # (the directory's name, its kind, state, county, the source's name, the source's kind)
    # A university's police are not its city's, however close the letters.
    (
        "Berkeley Police Department",
        "police",
        "CA",
        "06001",
        "UC Berkeley Police Department",
        "university",
    ),
    (
        "Lubbock Police Department",
        "police",
        "TX",
        "48303",
        "Texas Tech Police Department",
        "university",
    ),
    (
        "Lubbock Police Department",
        "police",
        "TX",
        "48303",
        "Lubbock University Police",
        "university",
    ),
    # A county sheriff is not the police of the county or of its seat.
    (
        "Lubbock County Police Department",
        "police",
        "TX",
        "48303",
        "Lubbock County Sheriff",
        "sheriff",
    ),
    (
        "Harford County Police Department",
        "police",
        "MD",
        "24025",
        "Hartford County Sheriff's Office",
        "sheriff",
    ),
    # A town is not the city of its name; a township is written out.
    ("Newburgh Police Department", "police", "NY", "36071", "Town of Newburgh Police", "police"),
    (
        "Milton Police Department",
        "police",
        "VT",
        "50007",
        "Milton Village Police Department",
        "police",
    ),
    (
        "Freehold Township Police Department",
        "police",
        "NJ",
        "34025",
        "Freehold Borough Police Department",
        "police",
    ),
    (
        "Orange Police Department",
        "police",
        "NJ",
        "34013",
        "Orange Township Police Department",
        "police",
    ),
    # A short name one letter away is another place; two letters away in a short name too.
    ("Ida Police Department", "police", "MI", "26115", "Ada Police Department", "police"),
    ("Holly Police Department", "police", "MI", "26125", "Hollis Police Department", "police"),
    # A school district's police are not the city's; a college's police are not the county's.
    (
        "El Paso Police Department",
        "police",
        "TX",
        "48141",
        "El Paso ISD Police Department",
        "school",
    ),
    (
        "Pitt County Sheriff's Office",
        "sheriff",
        "NC",
        "37147",
        "Pitt Community College Police",
        "university",
    ),
    # A body named alone is taken only for its police, never its sheriff, never spelled near.
    ("Gun Lake Tribal", "police", "MI", "26005", "Gun Lake Tribal Sheriff's Office", "sheriff"),
    ("Pokagon Tribal", "police", "MI", "26027", "Pokegon Tribal Police Department", "police"),
    # The FBI's Hawaiian county police are no sheriff's office.
    (
        "Maui Police Department County Sheriff's Office",
        "sheriff",
        "HI",
        "15009",
        "Maui County Sheriff's Office",
        "sheriff",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "stored_kind", "state", "county", "written", "kind"), NOT_SPELLED
)
def test_another_agency_is_never_taken_for_a_spelling(
    stored: str, stored_kind: str, state: str, county: str, written: str, kind: str
) -> None:
    directory(stored, state, county, f"{state}0000100", stored_kind)
    found = agency_match(name=written, state=state, counties=[county], kind=kind)
    assert (found.agency, found.rule) == (None, "none")


@pytest.mark.django_db
def test_two_agencies_spelled_alike_are_never_guessed() -> None:
    directory("Holly Hill Police Department", "FL", "12127", "FL0640700")
    written: dict[str, Any] = {"name": "Holy Hill PD", "state": "FL", "counties": ["12127"]}
    assert agency_match(**written).rule == "spelled"
    directory("Holy Hills Police Department", "FL", "12127", "FL0640800")
    assert (agency_match(**written).agency, agency_match(**written).rule) == (None, "none")
    # The borough's police beside a township of its name (the directory writes the township
    # out): the plain name is the borough's.
    borough = directory("Rockaway Police Department", "NJ", "34027", "NJ0143400")
    directory("Rockaway Township Police Department", "NJ", "34027", "NJ0143500")
    rockaway: dict[str, Any] = {"name": "Rockaway Borough PD", "state": "NJ", "counties": ["34027"]}
    assert agency_match(**rockaway).agency == borough


@pytest.mark.django_db
def test_only_a_directory_agency_is_found_and_only_for_a_row_without_an_ori() -> None:
    # An agency without an ORI (another source's, 'Moraine Valley Police' beside the college's)
    # is never taken for a spelling: two agencies of one file stay two.
    AgencyFactory(name="Tucson Police Department", state=State.objects.get(code="AZ"), ori="")
    Agency.objects.get(name="Tucson Police Department").counties.set(["04019"])
    found = agency_match(name="Tuscon Police Department", state="AZ", counties=["04019"])
    assert found.agency is None
    # A row with an ORI is found by it, never by a spelling.
    directory("Lafayette Police Department", "CO", "08013", "CO0070300")
    given_ori = agency_match(
        name="Lafaytette Police Department", state="CO", counties=["08013"], ori="CO0099900"
    )
    assert given_ori.agency is None
    # The name itself, written as the directory writes it, goes first.
    plain = agency_match(name="Lafayette PD", state="CO", counties=["08013"])
    assert plain.rule == "name"
