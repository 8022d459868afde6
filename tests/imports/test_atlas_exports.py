"""A newer Atlas export over the 2020 one: the Atlas renumbers its rows between exports (the
current layout pads the numbers and shifts them), so a row number confirms which partnership a
row is and never decides it. Importing the current layout over the 2020 data changes no
partnership's agency or technology, creates only what the 2020 file lacks, and a second import
of the same file changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import ATLAS_CURRENT_COLUMNS, AtlasFile, Row, read_atlas
from survmap.records.models import Agency, Partnership
from tests.imports.conftest import atlas_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
SHIFT = 7
NEW_ROWS = 4


class PerRow(AtlasImporter):
    bulk = False


def _says(row: Row) -> tuple[str, ...]:
    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    return (key(row.get("Agency")), row.get("State").strip(), key(row.get("Technology")))


def rows_2020(atlas: AtlasFile) -> list[Row]:
    """The first 250 rows, and every row that says what another row says (the Atlas lists a
    few partnerships twice: each is a partnership of its own)."""
    counts = Counter(_says(row) for row in atlas.rows)
    numbers = Counter(row.get("AOSNUMBER") for row in atlas.rows)
    return [
        row
        for index, row in enumerate(atlas.rows)
        # (AOS5547 is two rows of the 2020 file: one partnership under one number)
        if (index < 250 or counts[_says(row)] > 1) and numbers[row.get("AOSNUMBER")] == 1
    ]


def current_export(atlas: AtlasFile, rows: list[Row]) -> str:
    """The same rows as the current (28-column) export writes them, renumbered: padded, and each
    row under the number of another row of the 2020 file; placeholders for ORIs; and a few rows
    the 2020 file lacks (a technology an agency did not have then)."""
    header = list(atlas.header)
    header.insert(header.index("AOSNUMBER") + 1, ATLAS_CURRENT_COLUMNS[0])
    header.insert(header.index("Technology") + 1, ATLAS_CURRENT_COLUMNS[1])
    header.append(ATLAS_CURRENT_COLUMNS[2])
    numbers = [int(row.get("AOSNUMBER")[3:]) for row in rows]
    out = []
    for index, row in enumerate(rows):
        cells = dict(row.cells)
        cells["AOSNUMBER"] = f"AOS{numbers[(index + SHIFT) % len(rows)]:06d}"
        cells["NEWAOSNUMBER (ORI9)"] = f"XX{index:07d}"
        cells["TECH ABV"] = ""
        cells["Other Links"] = ""
        out.append(cells)
    for extra in range(NEW_ROWS):
        cells = dict(rows[extra * 3].cells)
        cells["AOSNUMBER"] = f"AOS{900_000 + extra:06d}"
        cells["Technology"] = "Predictive Policing"
        cells["Vendor"] = "Survmap Test Vendor"
        cells["NEWAOSNUMBER (ORI9)"] = ""
        cells["TECH ABV"] = "PP"
        cells["Other Links"] = ""
        out.append(cells)
    return atlas_text(header, out)


def identities() -> dict[int, tuple[int, int]]:
    return dict(
        (pk, (agency, technology))
        for pk, agency, technology in Partnership.objects.values_list(
            "pk", "agency_id", "technology_id"
        )
    )


def history_entries() -> int:
    return Partnership.history.count() + Agency.history.count()


@pytest.mark.parametrize("importer", [AtlasImporter, PerRow])
def test_a_renumbered_export_keeps_every_partnership_and_adds_only_what_is_new(
    atlas: AtlasFile, importer: type[AtlasImporter]
) -> None:
    rows = rows_2020(atlas)
    first = importer(rows, today=TODAY, label="Atlas_2020.csv").run()
    assert first.created > 250
    before = identities()
    current = read_atlas(current_export(atlas, rows).encode())
    assert current.layout == "current"
    report = importer(current.rows, today=TODAY, label="Atlas_current.csv").run()
    after = identities()
    # No partnership moved to another agency or technology; only the new rows were created.
    assert {pk: after[pk] for pk in before} == before
    assert report.created == NEW_ROWS
    assert len(after) == len(before) + NEW_ROWS
    assert report.unmatched == []
    # The 2020 rows keep their numbers; the new ones take theirs where no other has it.
    assert Partnership.objects.filter(atlas_id__startswith="AOS9000").count() == NEW_ROWS
    # The same file again: nothing to write.
    entries = history_entries()
    again = importer(current.rows, today=TODAY, label="Atlas_current.csv").run()
    assert (again.created, again.updated, again.conflicts) == (0, 0, [])
    assert identities() == after
    assert history_entries() == entries


def test_zero_padded_and_plain_numbers_are_one_number(atlas: AtlasFile) -> None:
    (row,) = [row for row in atlas.rows if row.get("AOSNUMBER") == "AOS0025"]
    AtlasImporter([row], today=TODAY).run()
    padded = Row(line=row.line, cells={**row.cells, "AOSNUMBER": "AOS000025"})
    again = AtlasImporter([padded], today=TODAY).run()
    assert (again.created, again.unchanged) == (0, 1)
    assert list(Partnership.objects.values_list("atlas_id", flat=True)) == ["AOS0025"]


def test_a_number_that_says_another_thing_is_another_partnership(atlas: AtlasFile) -> None:
    one, other = (row for row in atlas.rows if row.get("AOSNUMBER") in {"AOS0001", "AOS0002"})
    AtlasImporter([one], today=TODAY).run()
    (stored,) = Partnership.objects.all()
    # A later export lists another agency's row under the first one's number.
    renumbered = Row(line=other.line, cells={**other.cells, "AOSNUMBER": "AOS000001"})
    report = AtlasImporter([renumbered], today=TODAY).run()
    assert report.created == 1
    stored.refresh_from_db()
    assert (stored.atlas_id, stored.agency.name) == ("AOS0001", one.get("Agency").strip())
    new = Partnership.objects.exclude(pk=stored.pk).get()
    assert new.atlas_id is None and new.agency.name == other.get("Agency").strip()


def test_an_agency_the_matcher_cannot_decide_is_a_note_for_moderators(atlas: AtlasFile) -> None:
    from survmap.geo.models import State
    from survmap.imports.models import ImportRun, NoteKind

    (row,) = [row for row in atlas.rows if row.get("AOSNUMBER") == "AOS0001"]
    state = State.objects.get(code=row.get("State").strip())
    # Two agencies that the row's name could mean, and nothing to tell them apart.
    for name in ("Woodstock Police Department", "Woodstock Police"):
        Agency.objects.create(name=name, state=state, city="")
    report = AtlasImporter([row], today=TODAY).run()
    assert report.created == 0 and not Partnership.objects.exists()
    assert Agency.objects.count() == 2
    assert any("Agencies not decided" in line for line in report.summary_lines())
    note = ImportRun.objects.get().notes.get()
    assert note.kind == NoteKind.AGENCY_UNMATCHED and note.line == row.line
    assert "Woodstock Police Department (VA" in note.detail
    assert "Woodstock Police (VA" in note.detail
