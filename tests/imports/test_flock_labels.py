"""Flock's labels read as a name, a state and a kind: every label in the shipped file, the odd
ones one by one, and hostile ones."""

from __future__ import annotations

import re

import pytest

from survmap.imports.flock import read_flock
from survmap.imports.flock_labels import MAX_LABEL, parse_label, parse_portal_label, state_codes
from survmap.imports.readers import decode, read_file, read_rows
from survmap.imports.shipped import SHIPPED_FLOCK

_PLAIN = re.compile(r"^(?P<place>.+?) (?P<state>[A-Z]{2}) (?P<kind>PD|SO)$")


def _all_labels() -> list[str]:
    text = decode(read_file(SHIPPED_FLOCK / "agency20240426.csv.xz"), what="labels")
    _, rows = read_rows(text, required=("id", "name"), what="labels")
    return [row.get("name") for row in rows]


def test_every_label_in_the_file_reads_without_error_and_within_bounds() -> None:
    labels = _all_labels()
    assert len(labels) == 5152
    codes = state_codes()
    for label in labels:
        parsed = parse_label(label)
        assert parsed.state == "" or parsed.state in codes, label
        assert parsed.name or parsed.problem, label
        assert len(parsed.name) <= MAX_LABEL + 40, label
        assert not re.search(r"[\x00-\x1f]", parsed.name), label
        assert "(" not in parsed.name and ")" not in parsed.name, label


def test_every_plain_label_gives_its_state_and_kind() -> None:
    codes = state_codes()
    plain = [
        label
        for label in _all_labels()
        if (found := _PLAIN.match(label.strip())) and found["state"] in codes
    ]
    assert len(plain) > 4000
    for label in plain:
        found = _PLAIN.match(label.strip())
        assert found is not None
        parsed = parse_label(label)
        if found["state"] == "CO" and found["place"].endswith(" County"):
            continue
        assert parsed.state == found["state"], label
        expected = "Police Department" if found["kind"] == "PD" else "Sheriff's Office"
        if found["kind"] == "PD" and found["place"].endswith(" Police"):
            # "Indiana State Police IN PD": the kind is already in the name, not said twice.
            expected = "Police"
        assert parsed.name.endswith(expected), label
        assert not parsed.name.endswith("Police Police Department"), label
        assert parsed.matchable or parsed.organisation, label


@pytest.mark.parametrize(
    ("label", "name", "state", "kind", "organisation", "flags"),
    [
        ("Avon IN PD", "Avon Police Department", "IN", "police", "", ()),
        ("Iroquois IL SO", "Iroquois County Sheriff's Office", "IL", "sheriff", "", ()),
        ("Ouachita LA SO", "Ouachita Parish Sheriff's Office", "LA", "sheriff", "", ()),
        (
            "San Luis Obispo County (CA) Sheriff",
            "San Luis Obispo County Sheriff's Office",
            "CA",
            "sheriff",
            "",
            (),
        ),
        ("Dare County NC SO", "Dare County Sheriff's Office", "NC", "sheriff", "", ()),
        (
            "Greenbrier TN PD (duplicate)",
            "Greenbrier Police Department",
            "TN",
            "police",
            "",
            ("duplicate",),
        ),
        ("Broomfield CO PD", "Broomfield Police Department", "CO", "police", "", ()),
        ("Wagoner CO SO OK", "Wagoner County Sheriff's Office", "OK", "sheriff", "", ()),
        ("Prowers County SO (CO)", "Prowers County Sheriff's Office", "CO", "sheriff", "", ()),
        ("CO - Montrose PD", "Montrose Police Department", "CO", "police", "", ()),
        ("Brunswick County SO - NC", "Brunswick County Sheriff's Office", "NC", "sheriff", "", ()),
        ("Allegan County SO MI", "Allegan County Sheriff's Office", "MI", "sheriff", "", ()),
        ("Hermitage PA PD 2", "Hermitage Police Department", "PA", "police", "", ("numbered",)),
        ("Harris County Const TX Pct 5", "Harris County Constable Pct 5", "TX", "police", "", ()),
        ("Town of Bean Station PD TN", "Bean Station Police Department", "TN", "police", "", ()),
        (
            "NC State Highway Patrol",
            "North Carolina State Highway Patrol",
            "NC",
            "state_police",
            "",
            (),
        ),
        ("Michigan State Police", "Michigan State Police", "MI", "state_police", "", ()),
        (
            "Westport Regional Business League (MO)",
            "Westport Regional Business League",
            "MO",
            "other",
            "business",
            (),
        ),
        ("CN Railroad IL PD", "CN Railroad Police Department", "IL", "police", "railway", ()),
        (
            "Union Pacific Railroad PD",
            "Union Pacific Railroad Police Department",
            "",
            "police",
            "railway",
            (),
        ),
        (
            "US Postal Inspection Service",
            "US Postal Inspection Service",
            "",
            "federal",
            "federal",
            (),
        ),
        ("ATF Nashville TN", "ATF Nashville", "TN", "federal", "federal", ()),
        ("National Park Service (TN)", "National Park Service", "TN", "federal", "federal", ()),
        ("Flock Safety LE Training", "Flock Safety LE Training", "", "other", "vendor", ()),
        ("Example PD", "Example Police Department", "", "police", "vendor", ()),
        ("Aldine ISD PD TX", "Aldine ISD Police Department", "TX", "school", "", ()),
        (
            "Springfield Township OH (Hamilton Co) PD",
            "Springfield Township Police Department",
            "OH",
            "police",
            "",
            (),
        ),
        ("USMS (Inactive)", "USMS", "", "federal", "federal", ("inactive",)),
        (
            "DONT USE - Appalachian State University Police Campus PD",
            "Appalachian State University Police Campus Police Department",
            "",
            "university",
            "",
            ("duplicate",),
        ),
    ],
)
def test_odd_labels_read_as_a_person_would(
    label: str, name: str, state: str, kind: str, organisation: str, flags: tuple[str, ...]
) -> None:
    parsed = parse_label(label)
    assert (parsed.name, parsed.state, parsed.kind, parsed.organisation, parsed.flags) == (
        name,
        state,
        kind,
        organisation,
        flags,
    )


def test_a_homeowners_association_is_an_organisation_not_an_agency() -> None:
    parsed = parse_label("Lakeside Estates HOA GA")
    assert parsed.organisation == "hoa"
    assert not parsed.matchable


def test_a_state_that_does_not_exist_is_no_state() -> None:
    parsed = parse_label("Springfield ZZ PD")
    assert parsed.state == ""
    assert not parsed.matchable
    assert parsed.problem == "no state in the label"


def test_control_characters_and_bidi_overrides_are_removed() -> None:
    parsed = parse_label("Avon\x00 IN\u202e PD\x07")
    assert (parsed.name, parsed.state, parsed.kind) == ("Avon Police Department", "IN", "police")


def test_a_10000_character_label_is_refused_with_a_reason_not_read() -> None:
    parsed = parse_label("A" * 10_000 + " IN PD")
    assert parsed.name == ""
    assert not parsed.matchable
    assert "10,006 characters" in parsed.problem
    assert len(parsed.label) == MAX_LABEL


@pytest.mark.parametrize("label", ["", "   ", "()", "(duplicate)", "IN", " - ", "\x00\x01"])
def test_empty_or_hollow_labels_have_a_problem(label: str) -> None:
    parsed = parse_label(label)
    assert not parsed.matchable
    assert parsed.problem


def test_the_shipped_folder_reads_whole() -> None:
    files = read_flock(SHIPPED_FLOCK)
    assert len(files["portals"]) == 365
    assert len(files["links"]) == 37_099
    assert len(files["policies"]) == 370  # 369 portals, one read twice
    assert len(files["survey"]) == 121


def test_a_portals_address_gives_the_state_its_label_lacks() -> None:
    parsed = parse_portal_label(
        "Yuba County Sheriffs Office", "https://transparency.flocksafety.com/yuba-county-ca-so"
    )
    assert (parsed.name, parsed.state, parsed.kind) == (
        "Yuba County Sheriff's Office",
        "CA",
        "sheriff",
    )
    assert parsed.matchable


def test_a_retired_label_is_read_from_the_portals_address_and_says_so() -> None:
    parsed = parse_portal_label("DNU", "https://transparency.flocksafety.com/saratoga-ca-pd")
    assert (parsed.name, parsed.state) == ("Saratoga Police Department", "CA")
    assert "the label says 'DNU'" in parsed.notes[0]


def test_flocks_own_accounts_stay_what_they_are_whatever_the_address() -> None:
    parsed = parse_portal_label(
        "Flock Safety - Sales", "https://transparency.flocksafety.com/flock-safety-sales"
    )
    assert parsed.organisation == "vendor"


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Bureau Co. IL SO", "Bureau County Sheriff's Office"),
        ("Hood Co. TX SO", "Hood County Sheriff's Office"),
        ("Kentucky State Police KY PD", "Kentucky State Police"),
        ("Clark-Pleasant Police Department - IN PD", "Clark-Pleasant Police Department"),
    ],
)
def test_a_county_abbreviated_or_a_kind_said_twice_is_read_once(label: str, name: str) -> None:
    assert parse_label(label).name == name
