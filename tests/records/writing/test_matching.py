"""The one matcher (records/writing/matching.py): which agency a source's agency is. ORI first,
then the name as people write it within the state (narrowed by kind, city and county), then
the agency's other known names; an ambiguous name is never guessed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survmap.geo.models import State
from survmap.records.models import Agency, AgencyAlias, Partnership, Vendor, VendorAlias
from survmap.records.plans import (
    AgencyPlan,
    Match,
    PartnershipPlan,
    PlannedRow,
    TechnologyRef,
    Writer,
)
from survmap.records.services import (
    AgencyIndex,
    AgencyUnmatched,
    agency_find,
    agency_match,
    agency_name_key,
    ori_of,
    plans_apply,
    vendor_find,
)
from survmap.records.writing.matching import AgencyQuery
from tests.factories import AgencyFactory

WRITER = Writer.import_file("matching-test.csv", source="matching-test")


# The name key: one key for the ways one agency's name is written, none shared by two agencies.

SAME_NAME = [
    ("Warren Police Department", "Warren PD"),
    ("Warren Police Department", "Warren Police Dept."),
    ("Warren Police Department", "City of Warren Police"),
    ("Warren Police Department", "WARREN POLICE DEPARTMENT"),
    ("Dare County Sheriff's Office", "Dare County SO"),
    ("Dare County Sheriff's Office", "Dare County Sheriff's Department"),
    ("Dare County Sheriff's Office", "Dare Co. Sheriff"),
    ("Dare County Sheriff's Office", "Dare County Sheriff\u2019s Office"),
    ("Lower Merion Township Police Department", "Lower Merion Twp PD"),
    ("Lower Merion Township Police Department", "Township of Lower Merion Police"),
    ("Jefferson County Sheriff's Office", "Jefferson Parish Sheriff's Office"),
    ("St. Louis County Police Department", "Saint Louis County Police"),
    ("Town and Country Police Department", "Town & Country PD"),
    ("Highland Falls Village Police Department", "Village of Highland Falls Police Department"),
]

OTHER_AGENCY = [
    # A university's police are not its city's; a county sheriff is not the county seat's police.
    ("Texas Tech University Police Department", "Lubbock Police Department"),
    ("Lubbock County Sheriff's Office", "Lubbock Police Department"),
    ("Lubbock County Police Department", "Lubbock Police Department"),
    ("University of Michigan Police Department", "Ann Arbor Police Department"),
    # A village or town keeps its word: the Town of Newburgh has police of its own.
    ("Newburgh Town Police Department", "Newburgh Police Department"),
    ("Camden Village Police Department", "Camden Police Department"),
    ("Shelby Township Police Department", "Shelby Police Department"),
    ("New York City Police Department", "New York Police Department"),
]


@pytest.mark.parametrize(("one", "other"), SAME_NAME)
def test_ways_of_writing_one_agency_have_one_key(one: str, other: str) -> None:
    assert agency_name_key(one) == agency_name_key(other)


@pytest.mark.parametrize(("one", "other"), OTHER_AGENCY)
def test_two_agencies_never_share_a_key(one: str, other: str) -> None:
    assert agency_name_key(one) != agency_name_key(other)


@pytest.mark.parametrize(
    ("cell", "ori"),
    [
        ("MI5086000", "MI5086000"),
        (" mi5086000 ", "MI5086000"),
        ("MI50860", "MI50860"),
        ("MI5086000ALPR", "MI5086000"),  # the current Atlas layout: ORI, then more
        ("XX0000123", ""),  # the Atlas's placeholder for an agency without an ORI
        ("XXCA00012BWC", ""),
        ("AOS000025", ""),  # a row number, which the same column also holds
        ("", ""),
        ("n/a", ""),
    ],
)
def test_an_ori_is_read_from_its_first_nine_characters_and_placeholders_are_none(
    cell: str, ori: str
) -> None:
    assert ori_of(cell) == ori


# Agencies: ORI, then name in state narrowed by kind, city, county, then aliases.


def agency(name: str, state: str = "MI", **values: Any) -> Agency:
    counties = values.pop("counties", None)
    made = AgencyFactory(name=name, state=State.objects.get(code=state), **values)
    if counties:
        made.counties.set(counties)
    return made


@pytest.mark.django_db
def test_the_ori_decides_before_the_name() -> None:
    warren = agency("Warren Police Department", ori="MI5086000")
    agency("Sterling Heights Police Department")
    found = agency_match(name="Sterling Heights PD", state="MI", ori="MI5086000BWC")
    assert (found.agency, found.rule) == (warren, "ori")


@pytest.mark.django_db
def test_the_name_as_people_write_it_within_the_state() -> None:
    warren = agency("Warren Police Department")
    found = agency_match(name="City of Warren Police", state="MI")
    assert (found.agency, found.rule) == (warren, "name")
    assert agency_match(name="Warren PD", state="OH").rule == "none"


@pytest.mark.django_db
def test_an_agency_with_another_ori_is_another_agency_and_is_not_guessed() -> None:
    warren = agency("Warren Police Department", ori="MI5086000")
    found = agency_match(name="Warren Police Department", state="MI", ori="MI9999900")
    assert found.agency is None
    assert (found.rule, found.candidates) == ("ambiguous", (warren,))


@pytest.mark.django_db
def test_an_ambiguous_name_is_never_guessed_and_city_or_county_narrow_it() -> None:
    butler = agency(
        "Jefferson Township Police Department", "PA", city="Renfrew", counties=["42019"]
    )
    mercer = agency("Jefferson Twp Police", "PA", city="Mercer", counties=["42085"])
    found = agency_match(name="Jefferson Township PD", state="PA")
    assert found.agency is None and found.rule == "ambiguous"
    assert set(found.candidates) == {butler, mercer}
    assert "Jefferson Township Police Department (PA, Renfrew" in found.describe()
    by_county = agency_match(name="Jefferson Township PD", state="PA", counties=["42085"])
    assert (by_county.agency, by_county.rule) == (mercer, "name")
    by_city = agency_match(name="Jefferson Township PD", state="PA", city="renfrew")
    assert by_city.agency == butler
    # A county neither has tells nothing: still both.
    assert agency_match(name="Jefferson Twp PD", state="PA", counties=["42003"]).agency is None


@pytest.mark.django_db
def test_a_kind_tells_two_agencies_of_one_name_apart() -> None:
    police = agency("Lakeside Police", kind="police")
    agency("Lakeside Police Department", kind="university")
    assert agency_match(name="Lakeside PD", state="MI", kind="police").agency == police


@pytest.mark.django_db
def test_known_names_are_aliases_within_the_agencys_state() -> None:
    nypd = agency("New York City Police Department", "NY")
    AgencyAlias.objects.create(agency=nypd, name="New York Police Department", source="merge")
    found = agency_match(name="New York Police Dept", state="NY")
    assert (found.agency, found.rule) == (nypd, "alias")
    assert agency_match(name="New York Police Department", state="NJ").agency is None


@pytest.mark.django_db
def test_the_traps_university_and_county_are_not_the_city() -> None:
    lubbock = agency("Lubbock Police Department", "TX", city="Lubbock")
    sheriff = agency("Lubbock County Sheriff's Office", "TX", city="Lubbock", kind="sheriff")
    tech = agency_match(name="Texas Tech University Police Department", state="TX", city="Lubbock")
    assert (tech.agency, tech.rule) == (None, "none")
    assert agency_match(name="Lubbock County SO", state="TX").agency == sheriff
    assert agency_match(name="Lubbock PD", state="TX", counties=["48303"]).agency == lubbock
    assert agency_match(name="Lubbock County Police", state="TX").agency is None


@pytest.mark.django_db
def test_an_index_answers_as_the_database_does() -> None:
    warren = agency("Warren Police Department", ori="MI5086000")
    agency("Jefferson Township Police Department", "PA", counties=["42019"])
    agency("Jefferson Twp Police", "PA", counties=["42085"])
    questions = [
        {"name": "Warren PD", "state": "MI"},
        {"name": "Anything", "state": "MI", "ori": "MI5086000"},
        {"name": "Jefferson Township PD", "state": "PA"},
        {"name": "Jefferson Township PD", "state": "PA", "counties": ["42085"]},
        {"name": "Nowhere PD", "state": "MI"},
    ]
    index = AgencyIndex()
    index.load(AgencyQuery(q["name"], q["state"], q.get("ori", "")) for q in questions)
    for question in questions:
        assert agency_match(**question, index=index) == agency_match(**question)
    # What a batch is about to create is found by the rows after it.
    new = Agency(name="Nowhere Police Department", state_id="MI")
    index.add(new)
    assert agency_match(name="Nowhere PD", state="MI", index=index).agency is new
    assert agency_match(name="Warren PD", state="MI", index=index).agency == warren


@pytest.mark.django_db
def test_a_vendor_is_found_under_its_known_names() -> None:
    flock = Vendor.objects.create(name="Flock Safety", slug="flock-safety")
    VendorAlias.objects.create(vendor=flock, name="Flock", source="merge")
    assert vendor_find(name=" FLOCK ") == flock
    assert vendor_find(name="Flock Group") is None


# The write path: rows the matcher will not decide are left for a moderator, nothing written.


def row(line: int, name: str, state: str = "PA", **agency_values: Any) -> PlannedRow:
    return PlannedRow(
        line=line,
        label=f"row {line}",
        plan=PartnershipPlan(
            agency=AgencyPlan(name=name, state=state, **agency_values),
            technology=TechnologyRef(name="Drones", slug="drones"),
            vendor=None,
            status="active",
            match=Match.ANY,
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [True, False])
def test_an_ambiguous_agency_leaves_its_row_with_the_candidates(bulk: bool) -> None:
    agency("Jefferson Township Police Department", "PA", counties=["42019"])
    agency("Jefferson Twp Police", "PA", counties=["42085"])
    report = plans_apply(
        rows=[row(2, "Jefferson Township PD"), row(3, "Jefferson Twp PD", city="Pittsburgh")],
        writer=WRITER,
        bulk=bulk,
    )
    assert report.rejected["agency not matched"] == 2
    assert [line for line, _ in report.unmatched] == [2, 3]
    assert "Jefferson Twp Police (PA" in report.unmatched[0][1]
    assert not Partnership.objects.exists()
    assert Agency.objects.count() == 2
    # Told which county, the row is decided.
    report = plans_apply(
        rows=[row(4, "Jefferson Township PD", add_counties=("42085",))], writer=WRITER, bulk=bulk
    )
    assert report.unmatched == []
    assert Partnership.objects.get().agency.name == "Jefferson Twp Police"


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [True, False])
def test_a_match_only_plan_never_creates_an_agency(bulk: bool) -> None:
    avon = agency("Avon Police Department", "IN")
    report = plans_apply(
        rows=[
            row(2, "Avon PD", "IN", match_only=True),
            row(3, "Nowhere PD", "IN", match_only=True),
        ],
        writer=WRITER,
        bulk=bulk,
    )
    assert [line for line, _ in report.unmatched] == [3]
    assert "not in the directory" in report.unmatched[0][1]
    assert list(Agency.objects.all()) == [avon]
    assert Partnership.objects.get().agency == avon
    with pytest.raises(AgencyUnmatched):
        agency_find(AgencyPlan(name="Nowhere PD", state="IN", match_only=True))


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [True, False])
def test_ways_of_writing_one_agency_in_one_file_make_one_agency(bulk: bool) -> None:
    report = plans_apply(
        rows=[
            row(2, "City of Warren Police", "MI"),
            row(3, "Warren PD", "MI"),
            row(4, "Warren Police Dept.", "MI", ori="MI5086000"),
        ],
        writer=WRITER,
        bulk=bulk,
    )
    assert report.unmatched == [] and report.errors == []
    (warren,) = Agency.objects.all()
    assert (warren.name, warren.ori) == ("City of Warren Police", "MI5086000")


# The property: whatever the order of the rows, the same agencies.

ROWS = [
    ("City of Warren Police", "MI", ""),
    ("Warren PD", "MI", ""),
    ("Warren Police Department", "MI", "MI5086000"),
    ("Dare County SO", "NC", ""),
    ("Dare County Sheriff's Office", "NC", "NC0280000"),
    ("Lubbock Police Department", "TX", "TX1520200"),
    ("Lubbock PD", "TX", ""),
    ("Lubbock County Sheriff's Office", "TX", ""),
    ("Texas Tech University Police Department", "TX", ""),
    ("Jefferson Parish Sheriff's Office", "LA", ""),
    ("Jefferson County Sheriff's Office", "LA", "LA0260000"),
]


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(range(len(ROWS))), bulk=st.booleans(), batch=st.sampled_from([1, 3]))
@pytest.mark.django_db
def test_the_same_rows_in_any_order_give_the_same_agencies(
    order: list[int], bulk: bool, batch: int
) -> None:
    rows = [
        row(
            line,
            ROWS[index][0],
            ROWS[index][1],
            **({"ori": ROWS[index][2]} if ROWS[index][2] else {}),
        )
        for line, index in enumerate(order, start=2)
    ]
    with transaction.atomic():
        report = plans_apply(rows=rows, writer=WRITER, bulk=bulk, batch_size=batch)
        agencies = sorted((a.name_key, a.state_id, a.ori) for a in Agency.objects.all())
        transaction.set_rollback(True)
    assert report.errors == [] and report.unmatched == []
    assert agencies == [
        ("dare county sheriff", "NC", "NC0280000"),
        ("jefferson county sheriff", "LA", "LA0260000"),
        ("lubbock county sheriff", "TX", ""),
        ("lubbock police", "TX", "TX1520200"),
        ("texas tech university police", "TX", ""),
        ("warren police", "MI", "MI5086000"),
    ]


# The place's form of government left out: only a directory agency's, only where the counties
# agree, never two.


@pytest.mark.django_db
def test_a_name_without_its_township_finds_the_directory_townships_agency() -> None:
    voorhees = agency(
        "Voorhees Township Police Department", "NJ", ori="NJ0043400", counties=["34007"]
    )
    found = agency_match(name="Voorhees Police Department", state="NJ", counties=["34007"])
    assert (found.agency, found.rule) == (voorhees, "variant")
    # Without the county, or in another county, nothing is taken.
    assert agency_match(name="Voorhees PD", state="NJ").agency is None
    assert agency_match(name="Voorhees PD", state="NJ", counties=["34005"]).agency is None
    # Never the other way round: a town's police are not a city's.
    agency("Newburgh Police Department", "NY", ori="NY0351300", counties=["36071"])
    town = agency_match(name="Town of Newburgh Police", state="NY", counties=["36071"])
    assert (town.agency, town.rule) == (None, "none")


@pytest.mark.django_db
def test_a_town_and_a_village_of_one_name_are_left_for_a_person() -> None:
    town = agency("Chester Town Police Department", "NY", ori="NY0357700", counties=["36071"])
    village = agency("Chester Village Police Department", "NY", ori="NY0352100", counties=["36071"])
    found = agency_match(name="Chester Police Department", state="NY", counties=["36071"])
    assert found.agency is None and found.rule == "ambiguous"
    assert set(found.candidates) == {town, village}


@pytest.mark.django_db
def test_two_agencies_of_one_file_without_an_ori_are_two() -> None:
    agency("Saginaw Township Police Department", counties=["26145"])
    found = agency_match(name="Saginaw Police Department", state="MI", counties=["26145"])
    assert (found.agency, found.rule) == (None, "none")


@pytest.mark.django_db
def test_public_safety_county_sheriffs_and_colleges_as_the_directory_writes_them() -> None:
    aiken = agency("Aiken Police Department", "SC", ori="SC0020100", counties=["45003"])
    assert (
        agency_match(name="Aiken Department of Public Safety", state="SC", counties=["45003"])
    ).agency == aiken
    sheriff = agency(
        "San Francisco County Sheriff's Office", "CA", ori="CA0380000", counties=["06075"]
    )
    assert (
        agency_match(name="San Francisco Sheriff's Office", state="CA", counties=["06075"])
    ).agency == sheriff
    baylor = agency("Baylor University: Waco", "TX", ori="TX155259E", kind="university")
    assert agency_match(name="Baylor University Police Department", state="TX").agency == baylor
    newtown = agency("Newtown Township Police Department, Bucks County", "PA")
    assert agency_match(name="Newtown Township PD", state="PA").agency == newtown


# Equivalent names: the very same agency written another way, taken without a county.

EQUIVALENT = [
    # (the directory's name, state, kind, the source's name)
    ("Albion Police Department", "MI", "police", "Albion DPS"),
    ("Berkley Police Department", "MI", "police", "Berkley Dept of Public Safety"),
    ("Indianapolis Metropolitan Police Department", "IN", "police", "Indianapolis Metro PD"),
    ("State Patrol", "CO", "state_police", "Colorado State Patrol"),
    ("Arizona Department of Public Safety", "AZ", "police", "Department of Public Safety"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "state", "kind", "written"), EQUIVALENT)
def test_an_equivalent_name_finds_the_one_agency_without_a_county(
    stored: str, state: str, kind: str, written: str
) -> None:
    found_agency = agency(stored, state, kind=kind, ori=f"{state}0000001", city="")
    found = agency_match(name=written, state=state)
    assert (found.agency, found.rule) == (found_agency, "equivalent")


@pytest.mark.django_db
def test_an_equivalent_name_never_beats_the_name_itself_nor_guesses() -> None:
    # The name itself first: the Department of Public Safety is stored, and the police too.
    dps = agency("Berkley Department of Public Safety", "MI")
    agency("Berkley Police Department", "MI")
    assert agency_match(name="Berkley Public Safety", state="MI").agency == dps
    # Two agencies an equivalent name could be: the candidates, never a guess.
    agency("Albion Police Department", "MI", city="Albion")
    agency("Albion Department of Public Safety", "MI", city="")
    found = agency_match(name="Albion DPS", state="MI")
    assert (found.agency, found.rule, len(found.candidates)) == (None, "ambiguous", 2)
    agency("Fraser Police Department", "MI", city="Fraser", kind="police")
    agency("Fraser Police Department", "MN", city="Fraser", kind="police")
    assert agency_match(name="Fraser DPS", state="MN").agency.state_id == "MN"  # type: ignore[union-attr]
    # Another ORI is another agency.
    agency("Utica Police Department", "NY", ori="NY0320200")
    assert agency_match(name="Utica DPS", state="NY", ori="NY9999900").agency is None
    # A city's name that starts with the state's is no state-wide agency.
    assert agency_match(name="Virginia Beach PD", state="VA").agency is None


@pytest.mark.django_db
def test_equivalent_names_that_find_several_agencies_are_left_for_a_person() -> None:
    agency("Jackson Metro Police Department", "MS")
    agency("Jackson Metropolitan Police Department", "MS")
    found = agency_match(name="Jackson Metro Public Safety", state="MS")
    assert (found.agency, found.rule, len(found.candidates)) == (None, "ambiguous", 2)


@pytest.mark.django_db
def test_a_city_in_the_name_or_a_county_sheriff_is_another_agency() -> None:
    # Atlantic City is not Atlantic (NJ); Baltimore's city and county sheriffs are two.
    agency("Atlantic Police Department", "NJ")
    assert agency_match(name="Atlantic City Police Department", state="NJ").agency is None
    agency("Baltimore Sheriff's Office", "MD", kind="sheriff")
    assert agency_match(name="Baltimore County Sheriff's Office", state="MD").agency is None
    # Michigan State University's police are no state-wide agency.
    agency("State University Police Department", "MI")
    assert agency_match(name="Michigan State University Police", state="MI").agency is None
