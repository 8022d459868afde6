"""The 2020 Atlas's agencies take their ORI from the FBI's directory: a sample of 132 of them,
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
from survmap.records.models import Partnership

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
