"""The FBI's agency directory (imports/directory.py): every agency with its ORI, kind and
counties; bad lines noted and left whole; the same rows in any order give the same agencies."""

from __future__ import annotations

import csv
import io
from functools import cache

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survmap.imports.directory import ATTRIBUTION, DirectoryImporter, read_directory
from survmap.imports.models import ImportRun, NoteKind
from survmap.imports.readers import Row
from survmap.imports.shipped import SHIPPED_DIRECTORY
from survmap.records.models import Agency, AgencyAlias, AgencyKind, Conflict

pytestmark = pytest.mark.django_db

HEADER = [
    "",
    "agency_name",
    "agency_type_name",
    "county_name",
    "division_name",
    "latitude",
    "longitude",
    "nibrs",
    "ori",
    "region_desc",
    "region_name",
    "state_abbr",
    "state_name",
]


@cache
def _shipped() -> dict[str, Row]:
    return {row.get("ori"): row for row in read_directory(SHIPPED_DIRECTORY)}


def shipped(*oris: str) -> list[Row]:
    """Those real rows of the shipped directory, in the order asked, with their lines."""
    rows = _shipped()
    return [rows[ori] for ori in oris]


def row(line: int, **cells: str) -> Row:
    base = {name: "" for name in HEADER}
    return Row(line=line, cells={**base, **cells})


def load(rows: list[Row]) -> DirectoryImporter:
    importer = DirectoryImporter(rows, label="agencies-test.csv")
    importer.run()
    return importer


def counties(agency: Agency) -> set[str]:
    return set(agency.counties.values_list("fips", flat=True))


def test_the_shipped_file_lists_every_agency_once() -> None:
    rows = read_directory(SHIPPED_DIRECTORY)
    assert len(rows) == 18_702
    assert len({row.get("ori") for row in rows}) == 18_702


def test_each_agency_gets_its_ori_kind_counties_point_and_the_fbis_credit() -> None:
    load(
        shipped(
            "TX2202000",  # Mansfield Police Department, three counties
            "VA1030000",  # Chesapeake: 'CHESAPEAKE CITY', Virginia's independent city
            "MD0030000",  # 'Baltimore County', type County: the county police
            "TX155259E",  # Baylor University: Waco
            "NB0280200",  # Omaha Police Department: Nebraska is 'NB' in the FBI's list
            "MI5080600",  # Warren Police Department
        )
    )
    mansfield = Agency.objects.get(ori="TX2202000")
    assert (mansfield.name, mansfield.state_id, mansfield.kind) == (
        "Mansfield Police Department",
        "TX",
        AgencyKind.POLICE,
    )
    assert counties(mansfield) == {"48139", "48251", "48439"}  # Ellis, Johnson, Tarrant
    assert (mansfield.latitude, mansfield.longitude) == (32.55416, -97.110794)
    assert mansfield.attribution == ATTRIBUTION == "FBI Crime Data Explorer"
    assert counties(Agency.objects.get(ori="VA1030000")) == {"51550"}  # Chesapeake city
    assert Agency.objects.get(ori="MD0030000").kind == AgencyKind.POLICE
    baylor = Agency.objects.get(ori="TX155259E")
    assert (baylor.kind, baylor.city) == (AgencyKind.UNIVERSITY, "Waco")
    assert counties(baylor) == {"48309"}  # McLennan
    omaha = Agency.objects.get(ori="NB0280200")
    assert (omaha.state_id, counties(omaha)) == ("NE", {"31055"})  # Douglas County, NE
    assert Agency.objects.get(ori="MI5080600").name == "Warren Police Department"


def test_kinds_follow_the_fbis_type_and_the_name() -> None:
    load(
        [
            row(2, agency_name="Dare County Sheriff's Office", agency_type_name="County",
                ori="NC0280000", state_abbr="NC", county_name="DARE"),
            row(3, agency_name="State Police: Barnstable County",
                agency_type_name="State Police", ori="MA301SP00", state_abbr="MA",
                county_name="BARNSTABLE"),
            row(4, agency_name="Independent School District: Killeen", agency_type_name="Other",
                ori="TX0141800", state_abbr="TX", county_name="BELL"),
            row(5, agency_name="Penobscot Nation", agency_type_name="Tribal", ori="ME010100X",
                state_abbr="ME", county_name="PENOBSCOT"),
            row(6, agency_name="Fish and Wildlife", agency_type_name="Other State Agency",
                ori="DE001200X", state_abbr="DE", county_name="KENT"),
            # Cities named for a college or university: their police, not a campus's.
            row(7, agency_name="College Park Police Department", agency_type_name="City",
                ori="GA0600100", state_abbr="GA", county_name="CLAYTON; FULTON"),
            row(8, agency_name="University City Police Department", agency_type_name="City",
                ori="MO0957300", state_abbr="MO", county_name="ST LOUIS"),
            row(9, agency_name="Baylor University", agency_type_name="University or College",
                ori="TX1610900", state_abbr="TX", county_name="MCLENNAN"),
            # Texas's state police, as the FBI lists it; a division of another state's is not.
            row(10, agency_name="Department of Public Safety",
                agency_type_name="Other State Agency", ori="TX0000000", state_abbr="TX"),
            row(11, agency_name="Department of Public Safety Investigative Division",
                agency_type_name="Other State Agency", ori="NV0131100", state_abbr="NV"),
        ]
    )  # fmt: skip
    kinds = dict(Agency.objects.values_list("ori", "kind"))
    assert kinds == {
        "NC0280000": AgencyKind.SHERIFF,
        "MA301SP00": AgencyKind.STATE_POLICE,
        "TX0141800": AgencyKind.SCHOOL,
        "ME010100X": AgencyKind.POLICE,
        "DE001200X": AgencyKind.OTHER,
        "GA0600100": AgencyKind.POLICE,
        "MO0957300": AgencyKind.POLICE,
        "TX1610900": AgencyKind.UNIVERSITY,
        "TX0000000": AgencyKind.STATE_POLICE,
        "NV0131100": AgencyKind.POLICE,
    }


def test_a_campus_is_the_city_unless_it_is_a_county() -> None:
    load(shipped("IL0162W00", "IL0169W9E"))
    cities = dict(Agency.objects.values_list("name", "city"))
    assert cities == {
        "Northwestern University: Evanston": "Evanston",
        "University of Chicago: Cook County": "",
    }


def test_without_a_county_the_point_places_it_and_without_either_a_note_says_so() -> None:
    importer = load(
        [
            # Delaware State Police: no county, a point in Kent County.
            *shipped("DEDSP0000"),
            # Los Indios, TX: neither county nor point.
            *shipped("TX0313800"),
        ]
    )
    assert counties(Agency.objects.get(ori="DEDSP0000")) == {"10001"}
    unplaced = Agency.objects.get(ori="TX0313800")
    assert counties(unplaced) == set()
    run = ImportRun.objects.get()
    note = run.notes.get(kind=NoteKind.NOT_PLACED)
    assert note.line == shipped("TX0313800")[0].line
    assert importer.report.no_county == 1


def test_names_the_fbi_gives_twice_in_a_state_are_told_apart_by_county_or_ori() -> None:
    load(shipped("PA0635300", "PA0353600", "KSKHP0700", "KSKHP0800"))
    names = set(Agency.objects.values_list("name", flat=True))
    assert names == {
        "Jefferson Township Police Department (Washington County)",
        "Jefferson Township Police Department (Lackawanna County)",
        "Highway Patrol (ORI KSKHP0700)",
        "Highway Patrol (ORI KSKHP0800)",
    }


def test_bad_lines_are_noted_each_and_nothing_of_them_is_written() -> None:
    good = dict(agency_type_name="City", state_abbr="OH", county_name="CLERMONT")
    importer = load(
        [
            row(2, agency_name="Milford Police Department", ori="OH0130600", **good),
            row(3, agency_name="Milford Again Police Department", ori="OH0130600", **good),
            row(4, agency_name="Short ORI Police Department", ori="OH01306", **good),
            row(5, agency_name="Junk ORI Police Department", ori="OH-13=600", **good),
            row(6, agency_name="Other State's ORI PD", ori="KY0130600", **good),
            row(7, agency_name="Atlantis Police Department", ori="ZZ0000000",
                agency_type_name="City", state_abbr="ZZ"),
            row(8, agency_name="Nowhere Police Department", ori="OH0999900",
                agency_type_name="City", state_abbr="OH", county_name="ATLANTIS"),
            row(9, agency_name="Pointless Police Department", ori="OH0999800",
                agency_type_name="City", state_abbr="OH", county_name="CLERMONT",
                latitude="north", longitude="-84.2"),
            row(10, agency_name="", ori="OH0999700", **good),
        ]
    )  # fmt: skip
    report = importer.report
    assert dict(report.rejected) == {
        "repeated ORI": 1,
        "malformed ORI": 3,
        "unknown state": 1,
        "no agency": 1,
    }
    assert sorted(line for line, _ in report.errors) == [3, 4, 5, 6, 7, 10]
    # Written whole: the good row, the one with a county the census lacks (unplaced, noted),
    # the one with an unreadable point (kept without it, noted).
    assert set(Agency.objects.values_list("ori", flat=True)) == {
        "OH0130600",
        "OH0999900",
        "OH0999800",
    }
    assert Agency.objects.get(ori="OH0130600").name == "Milford Police Department"
    nowhere = Agency.objects.get(ori="OH0999900")
    assert counties(nowhere) == set()
    pointless = Agency.objects.get(ori="OH0999800")
    assert pointless.latitude is None and counties(pointless) == {"39025"}
    run = ImportRun.objects.get()
    assert run.notes.filter(kind=NoteKind.REFUSED).count() == 6
    assert set(run.notes.filter(kind=NoteKind.NOT_PLACED).values_list("line", flat=True)) == {8}
    assert run.notes.filter(kind=NoteKind.VALUE_DROPPED, line=9).exists()


def test_a_file_that_is_not_the_directory_is_refused_whole(tmp_path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text("name,state\nWarren Police Department,MI\n")
    with pytest.raises(CommandError, match="header lacks"):
        call_command("import_directory", str(path))
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(CommandError, match="binary"):
        call_command("import_directory", str(path))
    assert not Agency.objects.exists()


def test_importing_again_changes_nothing() -> None:
    rows = shipped("TX2202000", "VA1030000", "NJ0043400", "DEDSP0000")
    load(rows)
    before = list(Agency.objects.order_by("pk").values())
    again = load(rows).report
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(Agency.objects.order_by("pk").values()) == before


def test_an_agency_we_know_keeps_its_name_and_gains_the_ori_without_a_conflict() -> None:
    from tests.factories import AgencyFactory

    ours = AgencyFactory(name="Warren Police Dept.", state_id="MI", attribution="")
    ours.counties.set(["26099"])  # Macomb County
    report = load(shipped("MI5080600")).report  # Warren Police Department
    ours.refresh_from_db()
    assert (ours.name, ours.ori, ours.attribution) == (
        "Warren Police Dept.",
        "MI5080600",
        "FBI Crime Data Explorer",
    )
    assert Agency.objects.count() == 1
    assert not report.conflicts and not Conflict.objects.exists()


def test_a_source_naming_a_directory_agency_its_own_way_finds_it_and_keeps_that_name() -> None:
    from survmap.records.models import ATLAS_ATTRIBUTION
    from survmap.records.plans import AgencyPlan, Writer
    from survmap.records.services import plan_apply

    load(shipped("NJ0043400"))  # Voorhees Township Police Department, Camden County
    applied = plan_apply(
        plan=AgencyPlan(
            name="Voorhees Police Department",
            state="NJ",
            city="Voorhees",
            add_counties=("34007",),
            attribution=ATLAS_ATTRIBUTION,
        ),
        writer=Writer.import_file("atlas-test.csv", source="atlas"),
    )
    voorhees = Agency.objects.get()
    assert applied.record == voorhees
    assert (voorhees.name, voorhees.ori, voorhees.city) == (
        "Voorhees Township Police Department",
        "NJ0043400",
        "Voorhees",
    )
    assert voorhees.attribution == f"FBI Crime Data Explorer; {ATLAS_ATTRIBUTION}"
    assert list(AgencyAlias.objects.values_list("agency", "name")) == [
        (voorhees.pk, "Voorhees Police Department")
    ]
    assert not applied.conflicts and not Conflict.objects.exists()
    # Asked again, the name is known: nothing more.
    again = plan_apply(
        plan=AgencyPlan(name="Voorhees PD", state="NJ", add_counties=("34007",)),
        writer=Writer.import_file("atlas-test.csv", source="atlas"),
    )
    assert again.record == voorhees and AgencyAlias.objects.count() == 1


def _csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for item in rows:
        writer.writerow(dict(item.cells))
    return out.getvalue()


ORDER_ROWS = [
    "TX2202000",
    "VA1030000",
    "PA0635300",
    "PA0353600",
    "NJ0043400",
    "NJ0123000",
    "NJ0043900",
    "NJ0073000",
    "IL0162W00",
    "IL016AC9E",
    "DEDSP0000",
    "TX0313800",
    "NY0303000",
]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(ORDER_ROWS))
def test_the_same_rows_in_any_order_give_the_same_agencies(order: list[str]) -> None:
    """Names made unique, counties, kinds: decided for the whole file, never by who came first."""
    Agency.objects.all().delete()
    text = _csv(shipped(*ORDER_ROWS))
    first = {item.get("ori"): item for item in read_directory(text)}
    load([first[ori] for ori in order])
    found = sorted(
        (a.ori, a.name, a.state_id, a.kind, a.city, a.latitude, tuple(sorted(counties(a))))
        for a in Agency.objects.all()
    )
    Agency.objects.all().delete()
    load([first[ori] for ori in ORDER_ROWS])
    expected = sorted(
        (a.ori, a.name, a.state_id, a.kind, a.city, a.latitude, tuple(sorted(counties(a))))
        for a in Agency.objects.all()
    )
    assert found == expected
    assert len(found) == len(ORDER_ROWS)


def test_directory_agencies_add_nothing_to_the_maps_counts_of_agencies_with_partnerships(
    small_directory,
) -> None:
    from django.http import QueryDict

    from survmap.common import data_version
    from survmap.geo.boundaries import Level
    from survmap.maps.counts import counts_payload

    call_command("load_starter_data", "--no-atlas", "--no-flock", verbosity=0)
    before = counts_payload(QueryDict(""), Level.STATE)
    assert before["agencies"] > 0
    load(read_directory(SHIPPED_DIRECTORY)[:3000])  # more agencies, none with a partnership
    data_version.changed()
    after = counts_payload(QueryDict(""), Level.STATE)
    assert Agency.objects.count() > 3000
    assert (after["agencies"], after["counts"]) == (before["agencies"], before["counts"])
