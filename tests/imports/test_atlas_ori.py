"""The 2020 Atlas's agencies take their ORI from the FBI's directory: a sample of 217 of them,
each pair checked by hand (names, cities, counties; tests/data/atlas-ori-sample.csv says why),
with the traps that must never match (a university's police are not its city's, a sheriff is
not the police of the county seat) and the names two agencies share, left for a moderator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from survmap.imports.atlas import AtlasImporter
from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.models import ImportRun, NoteKind
from survmap.imports.readers import AtlasFile
from survmap.imports.shipped import SHIPPED_DIRECTORY
from survmap.records.models import Agency, Partnership

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "atlas-ori-sample.csv"


def sample() -> list[dict[str, str]]:
    with SAMPLE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_sample_is_large_and_holds_traps_and_ambiguous_names() -> None:
    rows = sample()
    expected = [row["expected"] for row in rows]
    assert len(rows) >= 100 and len({row["aos"] for row in rows}) == len(rows)
    assert sum(value.startswith("not:") for value in expected) >= 8
    assert expected.count("ambiguous") >= 4
    assert all(row["checked"] for row in rows)


@pytest.mark.django_db
def test_atlas_agencies_get_the_ori_of_the_directory_agency_they_are_and_never_another(
    atlas: AtlasFile,
) -> None:
    rows = sample()
    DirectoryImporter(read_directory(SHIPPED_DIRECTORY), label="directory").run()
    wanted = {row["aos"] for row in rows}
    atlas_rows = [row for row in atlas.rows if row.get("AOSNUMBER") in wanted]
    assert len(atlas_rows) == len(rows)
    AtlasImporter(atlas_rows, label="Atlas_of_Surveillance-20201007.csv").run()
    run = ImportRun.objects.get(label="Atlas_of_Surveillance-20201007.csv")
    undecided = dict(run.notes.filter(kind=NoteKind.AGENCY_UNMATCHED).values_list("line", "detail"))
    line_of = {row.get("AOSNUMBER"): row.line for row in atlas_rows}
    wrong = []
    for row in rows:
        found = Partnership.objects.filter(atlas_id=row["aos"]).select_related("agency").first()
        expected = row["expected"]
        if expected == "ambiguous":
            if found is not None or line_of[row["aos"]] not in undecided:
                wrong.append((row["aos"], row["atlas_agency"], "decided", found and found.agency))
            continue
        assert found is not None, row
        ori = found.agency.ori
        if expected.startswith("not:"):
            if ori in expected.removeprefix("not:").split():
                wrong.append((row["aos"], row["atlas_agency"], ori, found.agency.name))
        elif ori != expected:
            wrong.append((row["aos"], row["atlas_agency"], ori or "no ORI", found.agency.name))
    assert wrong == []
    for line, detail in undecided.items():
        assert "could be any of" in detail and line in line_of.values()


# Rows that name one directory agency in two spellings ("Tucson" and "Tuscon", "Harford" and
# "Hartford") or one partnership twice ("Stafford" and "Strafford County SO", NH, the drones).
SPELLINGS = [
    *("AOS0787", "AOS1171", "AOS2260", "AOS2416", "AOS5091"),  # Tucson, AZ (AOS2260: "Tuscon")
    *("AOS2202", "AOS2216"),  # Strafford County Sheriff's Office, NH (AOS2202: "Stafford")
    *("AOS2322", "AOS3171", "AOS5857"),  # West Windsor, NJ
    *("AOS2376", "AOS2849", "AOS4001", "AOS5320"),  # Harford County SO, MD (AOS2376: "Hartford")
    *("AOS2974", "AOS5290", "AOS5700"),  # Atlantic City, NJ (AOS2974: city "Atlantic")
]


@pytest.mark.django_db
def test_two_spellings_in_one_file_settle_the_first_import_is_the_last_to_write(
    atlas_rows,
) -> None:
    """A row found by its spelling (`matching._spelled`) writes nothing of its agency and keeps
    no misspelling as a name; a second row of the same partnership in other words is a
    partnership of its own (as the Atlas's rows that say the same thing are); rows that give one
    agency different cities write the one most of them give, once, and the others are noted:
    importing the same file again changes nothing."""
    states = {"AZ", "NH", "NJ", "MD"}
    directory = [
        row for row in read_directory(SHIPPED_DIRECTORY) if row.get("state_abbr") in states
    ]
    DirectoryImporter(directory, label="directory").run()
    rows = atlas_rows(*SPELLINGS)
    assert len(rows) == len(SPELLINGS)
    tucson = Agency.objects.get(ori="AZ0100300")
    runs = []
    for label in ("first", "again"):
        AtlasImporter(rows, label=label).run()
        runs.append(ImportRun.objects.get(label=label))
    first, again = runs
    assert first.created + first.updated + first.unchanged == len(rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    assert Partnership.objects.filter(atlas_id__in=SPELLINGS).count() == len(rows)
    tucson.refresh_from_db()
    assert tucson.city == "Tucson"
    assert Partnership.objects.get(atlas_id="AOS2260").agency_id == tucson.pk
    assert not tucson.aliases.filter(name__icontains="tuscon").exists()
    cities = dict(
        Agency.objects.filter(ori__in=["NJ0111300", "NJ0010200"]).values_list("ori", "city")
    )
    assert cities == {"NJ0111300": "West Windsor Township", "NJ0010200": "Atlantic City"}
    for run in (first, again):
        dropped = run.notes.filter(kind=NoteKind.VALUE_DROPPED, detail__contains="stands")
        assert sorted(dropped.values_list("value", flat=True)) == ["Atlantic", "Princeton Junction"]
    strafford = Partnership.objects.get(atlas_id="AOS2216")
    assert Partnership.objects.get(atlas_id="AOS2202").agency_id == strafford.agency_id
    assert "Strafford" in strafford.summary


@pytest.mark.django_db
def test_the_directory_over_the_atlas_twice_changes_nothing(atlas: AtlasFile) -> None:
    """Maryland's Atlas rows, then the directory's Maryland rows twice. The Atlas's "University of
    Maryland Police Department" is one agency without an ORI; three FBI campuses with three ORIs
    find it by name. The first takes it, the other two are agencies of their own, and each
    keeps its own city: rows of one run are compared by ORI, as the writer tells agencies
    apart, not by the agency their name finds before the run."""
    AtlasImporter([row for row in atlas.rows if row.get("State") == "MD"], label="atlas").run()
    directory = [row for row in read_directory(SHIPPED_DIRECTORY) if row.get("state_abbr") == "MD"]
    first = DirectoryImporter(directory, label="first").run()
    again = DirectoryImporter(directory, label="again").run()
    written = first.created + first.updated + first.unchanged
    assert (again.created, again.updated, again.unchanged) == (0, 0, written)
