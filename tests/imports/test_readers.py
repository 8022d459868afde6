"""Reading Atlas exports in both layouts and encodings, and refusing what is not one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import ATLAS_CURRENT_COLUMNS, AtlasFile, FileRefused, read_atlas
from survmap.records.models import Agency, Partnership, Source
from tests.imports.conftest import AtlasRows, atlas_text

IDS = ("AOS0001", "AOS0002", "AOS0004", "AOS0883", "AOS3711")


def current_layout(atlas: AtlasFile, atlas_rows: AtlasRows) -> str:
    """The real rows as the current (28-column) export would write them: new columns in their
    places, row ids as AOS000001, columns matched by name, not position."""
    header = list(atlas.header)
    header.insert(header.index("AOSNUMBER") + 1, ATLAS_CURRENT_COLUMNS[0])
    header.insert(header.index("Technology") + 1, ATLAS_CURRENT_COLUMNS[1])
    header.append(ATLAS_CURRENT_COLUMNS[2])
    rows = []
    for row in atlas_rows(*IDS):
        cells = dict(row.cells)
        cells["AOSNUMBER"] = "AOS" + cells["AOSNUMBER"][3:].zfill(6)
        cells["NEWAOSNUMBER (ORI9)"] = ""
        cells["TECH ABV"] = "ALPR"
        cells["Other Links"] = ""
        rows.append(cells)
    return atlas_text(header, rows)


def test_it_reads_the_2020_layout_with_or_without_bom_and_crlf(
    atlas: AtlasFile, atlas_rows: AtlasRows
) -> None:
    rows = atlas_rows(*IDS)
    plain = atlas_text(atlas.header, rows).encode()
    crlf_bom = "\ufeff".encode() + atlas_text(atlas.header, rows, newline="\r\n").encode()
    first, second = read_atlas(plain), read_atlas(crlf_bom)
    assert first.layout == second.layout == "2020"
    assert [row.cells for row in first.rows] == [row.cells for row in second.rows]
    assert [row.cells for row in first.rows] == [dict(row.cells) for row in rows]
    assert [row.line for row in first.rows] == [2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_the_current_28_column_layout_gives_the_same_records(
    atlas: AtlasFile, atlas_rows: AtlasRows
) -> None:
    current = read_atlas(current_layout(atlas, atlas_rows).encode())
    assert current.layout == "current" and len(current.header) == 28
    report = AtlasImporter(current, today=dt.date(2026, 11, 23)).run()
    assert report.created == len(IDS)
    assert set(Partnership.objects.values_list("atlas_id", flat=True)) == set(IDS)
    # The 2020 export of the same rows is then the same records: nothing to change.
    again = AtlasImporter(atlas_rows(*IDS), today=dt.date(2026, 11, 23)).run()
    assert (again.created, again.unchanged) == (0, len(IDS))


REFUSED = [
    (b"", "The file is empty"),
    (b"   \n\n", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is binary"),
    ('"AOSNUMBER","City"\n"AOS1","Doña Ana"\n'.encode("latin-1"), "The file is not UTF-8 text"),
    (b"name,state\nWarren,MI\n", "Not an Atlas of Surveillance CSV export: the header lacks"),
]


@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_a_file_that_is_not_an_atlas_export_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FileRefused, match=message) as refused:
        read_atlas(data)
    assert "\n" not in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_the_command_refuses_a_malformed_file_and_writes_nothing(
    tmp_path, data: bytes, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    before = (Agency.objects.count(), Partnership.objects.count(), Source.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("import_atlas", str(path), "--quiet")
    assert (Agency.objects.count(), Partnership.objects.count(), Source.objects.count()) == before


def test_the_command_says_when_the_file_is_missing(tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_atlas", str(tmp_path / "nowhere.csv"))
