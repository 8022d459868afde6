"""Flock labels that no rule resolves, matched to their agency by a person who checked each one
(fixtures/research/flock-organisations.csv, with the reason on every line): the list is read
whole before anything is written, each match must find exactly the agency written beside it,
a stale line leaves its label for a moderator with a note, and an organisation that an earlier
load kept for such a label moves to the agency, as a moderator's match would."""

from __future__ import annotations

import csv
import json
import lzma
from pathlib import Path

import pytest

from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.flock import parse_flock, read_flock
from survmap.imports.flock_labels import parse_label
from survmap.imports.flock_resolve import Checked, CheckedError, read_checked, resolve
from survmap.imports.flock_write import FlockImporter, FlockReport
from survmap.imports.shipped import (
    CHECKED_FLOCK_ORGANISATIONS,
    SHIPPED_ATLAS,
    SHIPPED_DIRECTORY,
    SHIPPED_FLOCK,
)
from survmap.platereaders.models import Organisation, Sharing
from survmap.records.models import Agency
from tests.factories import AgencyFactory
from tests.imports.test_flock import _files

_HEADER = "label,ori,agency,state,why\n"
RESEARCH = CHECKED_FLOCK_ORGANISATIONS.parent


def _checked(tmp_path: Path, text: str) -> dict[str, Checked]:
    path = tmp_path / "checked.csv"
    path.write_text(text, encoding="utf-8")
    return read_checked(path)


def test_the_shipped_list_gives_a_reason_for_every_match() -> None:
    checked = read_checked()
    assert len(checked) >= 90
    assert all(len(row.why) > 20 for row in checked.values())
    # Every label is one the N&O files name, and a label that says its state says the same.
    data = parse_flock(read_flock(SHIPPED_FLOCK))
    named = {parsed.label: parsed for parsed in data.labels()}
    for row in checked.values():
        assert row.label in named, row.label
        assert named[row.label].state in ("", row.state), row.label


@pytest.mark.django_db
def test_every_hand_checked_label_finds_the_agency_written_beside_it() -> None:
    DirectoryImporter(read_directory(SHIPPED_DIRECTORY), label="directory").run()
    checked = read_checked()
    # The agencies the FBI list lacks, as the shipped Atlas export and our research records
    # name them (their imports are tested on their own; here they stand in for them).
    with lzma.open(SHIPPED_ATLAS, "rt", encoding="utf-8") as handle:
        recorded = {(row["Agency"].strip(), row["State"].strip()) for row in csv.DictReader(handle)}
    research = json.loads((RESEARCH / "records.json").read_text(encoding="utf-8"))
    recorded |= {(agency["name"], agency["state"]) for agency in research["agencies"]}
    for row in checked.values():
        if not row.ori:
            assert (row.agency, row.state) in recorded, row.label
            AgencyFactory(name=row.agency, state_id=row.state, ori="")
    labels = [parse_label(label) for label in checked]
    # The rules leave every one of them alone (a line the rules now resolve is stale) ...
    assert [p.label for p in resolve(labels).values() if p.agency_id is not None] == []
    # ... and the check finds exactly the agency it names: its ORI, name and state.
    parties = resolve(labels, checked=checked)
    wrong = []
    for label, row in checked.items():
        party = parties[label]
        agency = Agency.objects.filter(pk=party.agency_id).first()
        found = (agency.ori, agency.name, agency.state_id) if agency else None
        if party.rule != "checked" or found != (row.ori, row.agency, row.state):
            wrong.append((label, found, party.note))
    assert wrong == []


@pytest.mark.django_db
def test_a_checked_label_takes_its_agency_and_a_stale_line_leaves_a_note() -> None:
    broomfield = AgencyFactory(name="Broomfield Police Department", state_id="CO")
    grand_rapids = AgencyFactory(
        name="Grand Rapids Police Department", state_id="MI", ori="MI4143600"
    )
    checked = {
        "Grad Rapids MI PD": Checked(
            "Grad Rapids MI PD", "MI4143600", "Grand Rapids Police Department", "MI", "misspelt"
        ),
        "Sturthers OH PD": Checked(
            "Sturthers OH PD", "OH0500800", "Struthers Police Department", "OH", "misspelt"
        ),
    }
    links = [("Broomfield CO PD", "Grad Rapids MI PD"), ("Broomfield CO PD", "Sturthers OH PD")]
    report = FlockImporter(_files(links), checked=checked).run()
    assert Sharing.objects.filter(from_agency=broomfield, to_agency=grand_rapids).exists()
    assert report.organisations_checked == 1
    # The directory has no Struthers here: the label stays an organisation, the note says why.
    stale = Organisation.objects.get(label="Sturthers OH PD")
    assert stale.agency is None
    assert "Checked by hand as Struthers Police Department (OH0500800, OH)" in stale.note
    assert "Left for a moderator" in stale.note


@pytest.mark.django_db
def test_an_organisation_an_earlier_load_kept_moves_to_the_agency_its_label_now_finds() -> None:
    broomfield = AgencyFactory(name="Broomfield Police Department", state_id="CO")
    avon = AgencyFactory(name="Avon Police Department", state_id="IN")
    grand_rapids = AgencyFactory(
        name="Grand Rapids Police Department", state_id="MI", ori="MI4143600"
    )
    links = [
        ("Broomfield CO PD", "Grad Rapids MI PD"),
        ("Avon IN PD", "Grad Rapids MI PD"),
        # The agency's own label too: the moved link must not become a second one.
        ("Avon IN PD", "Grand Rapids MI PD"),
    ]
    files = _files(links)
    FlockImporter(files, checked={}).run()
    kept = Organisation.objects.get(label="Grad Rapids MI PD")
    assert Sharing.objects.filter(to_organisation=kept).count() == 2
    checked = {
        "Grad Rapids MI PD": Checked(
            "Grad Rapids MI PD", "MI4143600", "Grand Rapids Police Department", "MI", "misspelt"
        )
    }
    report = FlockImporter(files, checked=checked).run()
    kept.refresh_from_db()
    assert kept.agency == grand_rapids
    assert report.organisations_matched == 1
    assert not Sharing.objects.filter(to_organisation=kept).exists()
    to_grand_rapids = Sharing.objects.filter(to_agency=grand_rapids)
    assert sorted(to_grand_rapids.values_list("from_agency", flat=True)) == sorted(
        [broomfield.pk, avon.pk]
    )
    before = (Sharing.objects.count(), Sharing.history.count(), Organisation.history.count())
    again = FlockImporter(files, checked=checked).run()
    assert again.organisations_matched == 0
    assert (
        Sharing.objects.count(),
        Sharing.history.count(),
        Organisation.history.count(),
    ) == before


@pytest.mark.django_db
def test_a_label_of_the_same_name_as_one_now_found_is_not_moved_with_it() -> None:
    AgencyFactory(name="Broomfield Police Department", state_id="CO")
    AgencyFactory(name="Miami Township Police Department", state_id="OH", counties=["39113"])
    AgencyFactory(
        name="Miami Township Police Department, Clermont County",
        state_id="OH",
        counties=["39025"],
    )
    links = [("Broomfield CO PD", "Miami Township OH PD")]
    FlockImporter(_files(links), checked={}).run()
    unsure = Organisation.objects.get(label="Miami Township OH PD")
    # Later the same name, told apart by its county, finds its agency: the organisation kept
    # for the label without a county is not that agency.
    links.append(("Broomfield CO PD", "Miami Township OH PD (Clermont)"))
    report = FlockImporter(_files(links), checked={}).run()
    unsure.refresh_from_db()
    assert unsure.agency is None
    assert report.organisations_matched == 0
    assert Sharing.objects.filter(to_organisation=unsure).count() == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("label,ori,agency,state\nA MI PD,,A,MI\n", "the columns must be"),
        (_HEADER + "A MI PD,MI1,A Police Department,MI,why\n", "line 2: malformed ORI"),
        (_HEADER + "A MI PD,,A Police Department,Michigan,why\n", "is not a USPS code"),
        (_HEADER + "A MI PD,,A Police Department,MI,\n", "line 2: no reason given"),
        (_HEADER + ",,A Police Department,MI,why\n", "line 2: no label"),
        (
            _HEADER + "A MI PD,,A Police Department,MI,why\nA MI PD,,B,MI,why\n",
            "line 3: label repeated (line 2)",
        ),
    ],
)
def test_a_bad_list_is_refused_whole_with_its_lines(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(CheckedError) as refused:
        _checked(tmp_path, text)
    assert says in str(refused.value)


def test_the_list_is_read_as_written(tmp_path: Path) -> None:
    rows = _checked(
        tmp_path,
        _HEADER + '"Grad Rapids MI PD ",MI4143600,Grand Rapids Police Department,MI,"misspelt"\n',
    )
    assert rows == {
        "Grad Rapids MI PD": Checked(
            "Grad Rapids MI PD",
            "MI4143600",
            "Grand Rapids Police Department",
            "MI",
            "misspelt",
            line=2,
        )
    }


def test_the_summary_never_rounds_a_share_up_to_a_target() -> None:
    just_under = FlockReport(organisations=4618, organisations_resolved=4156)
    assert "4156 resolved to an agency (89.9%" in just_under.summary_lines()[1]
    reached = FlockReport(organisations=4618, organisations_resolved=4157)
    assert "4157 resolved to an agency (90.0%" in reached.summary_lines()[1]
