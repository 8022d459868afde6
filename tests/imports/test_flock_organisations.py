"""Flock labels that their own name does not find in the FBI's directory, read the ways Flock
and the FBI write agencies ("Beacon City NY PD" is the FBI's "Beacon Police Department",
"Aldine ISD PD TX" its "Independent School District: Aldine"): a sample of the labels these
readings resolve, each pair checked by hand (tests/data/flock-organisations-sample.csv says
why), and the traps that must stay for a moderator (a township is not the place of its bare
name, a university's or an airport's police are not the city's, a misspelling is not guessed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.flock_labels import (
    campus_words,
    campuses_named,
    directory_readings,
    parse_label,
)
from survmap.imports.flock_resolve import resolve
from survmap.imports.shipped import SHIPPED_DIRECTORY
from survmap.records.models import Agency

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "flock-organisations-sample.csv"


def sample() -> list[dict[str, str]]:
    with SAMPLE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_sample_is_large_checked_and_holds_traps() -> None:
    rows = sample()
    assert len({row["label"] for row in rows}) == len(rows)
    resolved = [row for row in rows if row["expected"] != "unresolved"]
    assert len(resolved) >= 60
    assert len(rows) - len(resolved) >= 20
    assert all(row["checked"] for row in rows)
    assert {row["rule"] for row in resolved} == {
        "campus",
        "equivalent",
        "joined",
        "metro",
        "name",
        "place_form",
        "prosecutor",
        "school_district",
        "sole_variant",
        "tribal",
        "unsuffixed",
        "without_of",
        "written_out",
    }


@pytest.mark.django_db
def test_flock_labels_resolve_to_the_directory_agency_checked_by_hand_and_traps_do_not() -> None:
    DirectoryImporter(read_directory(SHIPPED_DIRECTORY), label="directory").run()
    rows = sample()
    parties = resolve([parse_label(row["label"]) for row in rows])
    ori_of = dict(Agency.objects.values_list("pk", "ori"))
    wrong = []
    for row in rows:
        party = parties[parse_label(row["label"]).label]
        found = ori_of.get(party.agency_id) if party.agency_id else "unresolved"
        if found != row["expected"]:
            wrong.append((row["label"], row["expected"], found, party.rule))
        elif party.agency_id is not None:
            assert party.rule == row["rule"], row
    assert wrong == []


@pytest.mark.parametrize(
    ("label", "readings"),
    [
        ("Beacon City NY PD", [("place_form", "Beacon Police Department")]),
        ("Tarentum Boro PA PD", [("place_form", "Tarentum Police Department")]),
        ("Fulshear TX PD", [("unsuffixed", "Fulshear")]),
        ("Marian University Campus IN PD", [("unsuffixed", "Marian University")]),
        ("Kansas IL PD", [("unsuffixed", "Kansas")]),
        (
            "Aldine ISD PD TX",
            [("school_district", "Independent School District: Aldine")],
        ),
        ("Bergen County NJ Prosecutors Office", [("prosecutor", "Prosecutor: Bergen County")]),
        (
            "Univ. of Texas - Tyler PD",
            [
                ("unsuffixed", "Univ. of Texas - Tyler"),
                ("campus", "university of texas"),
                ("campus", "university of texas tyler"),
            ],
        ),
        (
            "Cleveland OH Division of Police",
            [("written_out", "Cleveland Police Department"), ("unsuffixed", "Cleveland")],
        ),
        (
            "Harris County Const TX Pct 5",
            [
                ("written_out", "Harris County Constable Precinct 5"),
                ("written_out", "Harris County Constables Precinct 5"),
            ],
        ),
        (
            "Livingston Parish County LA SO",
            [("written_out", "Livingston Parish Sheriff's Office")],
        ),
        (
            "Hartland Wisconsin WI PD",
            [("written_out", "Hartland Police Department"), ("unsuffixed", "Hartland")],
        ),
        (
            "Nashville Intl Airport TN PD",
            [
                ("written_out", "Nashville International Airport Police Department"),
                ("unsuffixed", "Nashville International Airport"),
            ],
        ),
        (
            "18th Judicial District Drug Task Force - TN PD",
            [("written_out", "Drug Task Force: 18th Judicial District")],
        ),
        (
            "Otoe Missouria Tribe OK PD (FLEX)",
            [("tribal", "Otoe Missouria Tribal"), ("unsuffixed", "Otoe Missouria Tribe")],
        ),
        (
            "Rhode Island State Police",
            [
                ("written_out", "Rhode Island State Police Headquarters"),
                ("written_out", "Rhode Island State Police: Headquarters"),
                ("written_out", "Rhode Island State Police, Headquarters"),
            ],
        ),
        ("Polk County FL SO - Flex", [("written_out", "Polk County Sheriff's Office")]),
        (
            "University of Minnesota MN PD (Twin Cities)",
            [("unsuffixed", "University of Minnesota"), ("campus", "university of minnesota")],
        ),
        (
            "Indianapolis Metro PD IN",
            [
                ("unsuffixed", "Indianapolis Metro"),
                ("metro", "Indianapolis Police Department"),
            ],
        ),
        ("Lake MetroParks OH Rangers", [("unsuffixed", "Lake MetroParks")]),
        (
            "Metro Police Authority of Genesee County MI",
            [("without_of", "Metro Police Authority Genesee County")],
        ),
        ("Benton Charter Township Police MI", [("written_out", "Benton Township Police")]),
        (
            "Univ. of TX - Arlington PD",
            [
                ("unsuffixed", "Univ. of Texas - Arlington"),
                ("campus", "university of texas"),
                ("campus", "university of texas arlington"),
            ],
        ),
        (
            "Cal State Fullerton (CA)",
            [
                ("campus", "california state university"),
                ("campus", "california state university fullerton"),
            ],
        ),
        (
            "AL - Troy University - Insight",
            [
                ("written_out", "Troy University"),
                ("campus", "troy university"),
                ("campus", "troy university insight"),
            ],
        ),
        # Refusals: the bare name of a township's, a county's or a state's police is not read.
        ("Cleveland Metro Parks OH PD", [("unsuffixed", "Cleveland Metro Parks")]),
        ("Great Parks of Hamilton County OH PD", []),
        ("Orangeburg Department of Public Safety SC", []),
        ("University Park IL PD", [("unsuffixed", "University Park")]),
        ("Austintown Township OH PD", []),
        ("Madison County IL PD", []),
        ("Decatur County IN Prosecutor's Office", []),
        ("Galena Park ISD OK PD", []),
        ("City of Adamsville TN", []),
        ("Oneida WI PD", [("unsuffixed", "Oneida")]),
        ("West Virginia WV PD", []),
        ("Milwaukee WI PD - STAC", []),
        ("Ohio Bogus OH PD", [("unsuffixed", "Ohio Bogus")]),
        ("Ohio OH PD", []),
        ("Cook County IL Sheriff's PD", []),
        ("Gwinnett County School PD", []),
    ],
)
def test_directory_readings_of_real_and_refused_labels(
    label: str, readings: list[tuple[str, str]]
) -> None:
    found = [(reading.rule, reading.name) for reading in directory_readings(parse_label(label))]
    assert found == readings


def test_campus_words_are_the_same_for_flocks_and_the_fbis_way_of_writing_a_campus() -> None:
    fbi = campus_words("University of Wisconsin: Green Bay")
    assert fbi == "university of wisconsin green bay"
    assert campus_words("University of Wisconsin - Green Bay Police Department") == fbi
    assert campus_words("University of Houston Downtown Police Department") == campus_words(
        "University of Houston: Downtown Campus"
    )
    assert campus_words("Univ. of Texas at Tyler Police Department") == campus_words(
        "University of Texas: Tyler"
    )
    assert campus_words("University of Texas Police Department") != campus_words(
        "University of Texas: Tyler"
    )
    assert campus_words("Tyler Police Department") == ""


@pytest.mark.parametrize(
    ("label", "name", "state", "flags"),
    [
        ("DNU- Walker County AL SO", "Walker County Sheriff's Office", "AL", ("duplicate",)),
        ("DNU", "DNU", "", ()),
        ("Grant County AR SO1", "Grant County Sheriff's Office", "AR", ("numbered",)),
        ("Little Flock AR PD", "Little Flock Police Department", "AR", ()),
        (
            "UC Irvine Campus PD CA",
            "University of California Irvine Campus Police Department",
            "CA",
            (),
        ),
        (
            "SUNY Binghamton Campus NY PD",
            "State University of New York Binghamton Campus Police Department",
            "NY",
            (),
        ),
        ("New College of FL PD", "New College of Florida Police Department", "FL", ()),
        # A state's short name for its university system, only in its state.
        ("UC Davis Health TX PD", "UC Davis Health Police Department", "TX", ()),
    ],
)
def test_flocks_notes_and_short_names_are_read(
    label: str, name: str, state: str, flags: tuple[str, ...]
) -> None:
    parsed = parse_label(label)
    assert (parsed.name, parsed.state, parsed.flags) == (name, state, flags)


def test_flocks_note_original_is_a_flag_not_part_of_the_name() -> None:
    parsed = parse_label("Harrah OK PD - original")
    assert (parsed.name, parsed.state, parsed.flags) == (
        "Harrah Police Department",
        "OK",
        ("original",),
    )


def test_a_campus_in_brackets_is_one_of_the_campuses_a_label_may_mean() -> None:
    assert campuses_named(parse_label("University of Minnesota MN PD (Twin Cities)")) == {
        "university of minnesota",
        "university of minnesota twin cities",
    }
    assert campuses_named(parse_label("Avon IN PD")) == set()


# Rows of the FBI's list, with the columns the directory reads.
ONE_OF_EACH = """agency_name,agency_type_name,county_name,ori,state_abbr
Butte County Sheriff's Office,County,BUTTE,ID0120000,ID
Butte County Sheriff's Office,County,BUTTE,SD0090000,SD
Savannah State University,University or College,CHATHAM,GA0251000,GA
Butte County Sheriff's Office,County,BUTTE,CA0040000,CA
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "listed_in", "expected"),
    [
        # The only agency of the name in the whole directory, listed by portals of its state.
        ("Savannah State University PD", {"GA"}, "GA0251000"),
        # Listed only by another state's portal (Pittsboro IN lists agencies nationwide): the
        # portals do not confirm the state, so it is left.
        ("Savannah State University PD", {"IN"}, "unresolved"),
        ("Savannah State University PD", {"GA", "IN"}, "unresolved"),
        ("Savannah State University PD", set(), "unresolved"),
        # Three states have a Butte County sheriff: never chosen, even by a California portal.
        ("Butte County SO", {"CA"}, "unresolved"),
    ],
)
def test_a_label_without_a_state_takes_the_one_agency_of_its_name_in_its_portals_state(
    label: str, listed_in: set[str], expected: str
) -> None:
    DirectoryImporter(read_directory(ONE_OF_EACH), label="directory").run()
    parsed = parse_label(label)
    assert parsed.problem == "no state in the label"
    party = resolve([parsed], listed_in={label: listed_in})[label]
    found = Agency.objects.get(pk=party.agency_id).ori if party.agency_id else "unresolved"
    assert found == expected
    assert party.rule == ("one_in_directory" if party.agency_id else "none")


@pytest.mark.django_db
def test_a_label_that_two_readings_find_in_two_agencies_is_left_with_both_in_its_note() -> None:
    # The FBI's airport authority, and (as the Atlas adds it to a real database) the airport's
    # police under the label's written-out name: two records, so neither is taken.
    DirectoryImporter(
        read_directory(
            "agency_name,agency_type_name,county_name,ori,state_abbr\n"
            "Cincinnati-Northern Kentucky International Airport,Other,BOONE,KY0080500,KY\n"
            "Cincinnati Northern Kentucky International Airport Police Department,Other,BOONE,"
            "KY0089999,KY\n"
        ),
        label="directory",
    ).run()
    label = "Cincinnati/Northern Kentucky Intl Airport PD"
    party = resolve([parse_label(label)])[label]
    assert party.agency_id is None
    assert party.rule == "ambiguous"
    assert party.note.count(" (id ") == 2, party.note
    assert "Cincinnati-Northern Kentucky International Airport (id" in party.note
