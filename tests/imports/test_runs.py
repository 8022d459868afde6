"""What an import could not read is kept for moderators: every import that writes stores its run
and one note per line of its summary; a dry run, a refused file and a killed run store none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from survmap.imports.atlas import AtlasImporter
from survmap.imports.kinds import ImporterKind, NoteKind
from survmap.imports.models import VALUE_LENGTH, ImportNote, ImportRun
from survmap.imports.readers import AtlasFile, Row, read_survmap_csv
from survmap.imports.report import ImportReport
from survmap.imports.survmap_csv import CsvImporter
from survmap.records.models import Conflict, Partnership, Source
from survmap.records.plans import Writer
from survmap.records.services import conflict_settle, record_edit
from tests.imports.conftest import AtlasRows, atlas_text, changed
from tests.imports.test_contributor_csv import SHEET

pytestmark = pytest.mark.django_db

# Real rows of the 2020 export: unreadable link dates ('21, 2019', '19, 2018', '10/4',
# '9/21/0206'), links that are not web addresses ('County of Placer', an ftp: address), a
# row without a state ('NA'), and rows read whole.
MESSY = ("AOS0163", "AOS0228", "AOS2800", "AOS3710", "AOS5493", "AOS5679", "AOS0851")
WHOLE = ("AOS0001", "AOS0004")


def run(rows: list[Row], **options: object) -> ImportReport:
    return AtlasImporter(rows, today=dt.date(2026, 11, 23), **options).run()  # type: ignore[arg-type]


def summary_notes(report: ImportReport) -> set[tuple[str, int, str, str, str]]:
    """The summary's lines as the notes should hold them: (kind, line, column, value, why)."""
    return (
        {(NoteKind.REFUSED, line, "", "", detail) for line, detail in report.errors}
        | {(w.kind, w.line, w.column, w.value, w.reason) for w in report.warnings}
        | {(NoteKind.CORRECTED, line, "", "", detail) for line, detail in report.notes}
    )


def stored_notes(run: ImportRun) -> set[tuple[str, int, str, str, str]]:
    return set(run.notes.values_list("kind", "line", "column", "value", "detail"))


def test_an_import_keeps_every_line_of_its_summary_for_moderators(atlas_rows: AtlasRows) -> None:
    rows = atlas_rows(*MESSY, *WHOLE)
    report = run(rows, label="Atlas_of_Surveillance-20201007.csv")

    stored = ImportRun.objects.get()
    assert report.run_id == stored.pk
    assert (stored.importer, stored.label, stored.source_key) == (
        ImporterKind.ATLAS,
        "Atlas_of_Surveillance-20201007.csv",
        "import:atlas",
    )
    assert stored.file_name == "Atlas_of_Surveillance-20201007.csv"
    assert stored.ran_by is None and stored.finished_at >= stored.started_at
    assert (stored.rows_read, stored.created, stored.updated, stored.unchanged) == (9, 8, 0, 0)
    assert (stored.imported_whole, stored.with_warnings, stored.refused) == (
        report.imported_whole,
        len(report.warned_lines),
        1,
    )
    assert stored.with_warnings == 6
    # Every line of the summary, no more, no fewer.
    assert stored_notes(stored) == summary_notes(report)
    assert stored.notes.count() == len(report.errors) + len(report.warnings) + len(report.notes)
    by_line = {row.get("AOSNUMBER"): row.line for row in rows}
    assert set(stored.notes.filter(kind=NoteKind.VALUE_DROPPED).values_list("line", "value")) >= {
        (by_line["AOS5679"], "9/21/0206"),
        (by_line["AOS2800"], "19, 2018"),
        (by_line["AOS3710"], "10/4"),
        (by_line["AOS0228"], "21, 2019"),
    }
    # The links dropped, as the summary's 'Dropped' lines list them.
    links = stored.notes.filter(kind=NoteKind.LINK_DROPPED)
    assert sorted(links.values_list("line", flat=True)) == sorted(
        line for line, _ in report.dropped_links
    )
    assert links.get(line=by_line["AOS5493"]).value.startswith("ftp://ftp.co.hinds.ms.us/")
    refused = stored.notes.get(kind=NoteKind.REFUSED)
    assert refused.line == by_line["AOS0851"] and "'NA'" in refused.detail
    assert not stored.notes.filter(handled=True).exists()
    # The summary says where a moderator finds them.
    path = reverse("admin:imports_importrun_change", args=[stored.pk])
    expected = (
        f"Kept for moderators as import run {stored.pk}, {stored.notes.count()} lines to check: "
        f"{path}"
    )
    assert expected in report.summary_lines(details=0)


def test_a_place_left_unplaced_is_a_note_of_its_own(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS0001")
    # A county of another state, and a city the gazetteer does not know there.
    report = run([changed(row, County="Hennepin County", City="Nowhereville")])
    (note,) = ImportRun.objects.get(pk=report.run_id).notes.filter(kind=NoteKind.NOT_PLACED)
    assert (note.line, note.column, note.value) == (row.line, "County", "Hennepin County")
    assert "moderator" in note.detail


def summary_conflict(
    atlas_rows: AtlasRows, bob: User, *more: Row
) -> tuple[Row, ImportReport, Conflict]:
    """AOS0001 imported, its summary rewritten by a moderator, then imported again with a
    newer summary (and `more` rows): the run, and the conflict it stored."""
    (row,) = atlas_rows("AOS0001")
    run([row])
    partnership = Partnership.objects.get(atlas_id="AOS0001")
    record_edit(
        instance=partnership,
        values={"summary": "Our own words."},
        writer=Writer.moderator(bob, "Checked"),
    )
    report = run([changed(row, Summary="The Atlas, later."), *more])
    return row, report, Conflict.objects.get(record_id=partnership.pk, field="summary")


def test_a_conflict_note_links_the_conflict_a_moderator_settles(
    atlas_rows: AtlasRows, bob: User
) -> None:
    row, report, conflict = summary_conflict(atlas_rows, bob)
    assert len(report.conflicts) == 1
    note = ImportRun.objects.get(pk=report.run_id).notes.get(kind=NoteKind.CONFLICT)
    assert note.conflict == conflict
    assert (note.line, note.column, note.detail) == (row.line, "summary", report.conflicts[0][1])
    assert "The Atlas, later." in note.value
    assert ImportRun.objects.get(pk=report.run_id).with_conflicts == 1
    assert not note.handled


@pytest.mark.parametrize("take_source", [False, True])
def test_settling_the_conflict_marks_its_note_handled_by_whoever_settled_it(
    atlas_rows: AtlasRows, bob: User, take_source: bool
) -> None:
    _, report, conflict = summary_conflict(atlas_rows, bob, *atlas_rows(*MESSY))
    notes = ImportRun.objects.get(pk=report.run_id).notes
    other = notes.exclude(kind=NoteKind.CONFLICT).first()
    assert other is not None
    conflict_settle(
        conflict=conflict, take_source=take_source, writer=Writer.moderator(bob, "Settled")
    )
    conflict.refresh_from_db()
    note = notes.get(kind=NoteKind.CONFLICT)
    assert (note.handled, note.handled_by, note.handled_at) == (True, bob, conflict.settled_at)
    other.refresh_from_db()
    assert not other.handled  # the run's other lines are still the moderator's to mark


def test_a_dry_run_stores_no_run(atlas_rows: AtlasRows) -> None:
    report = run(atlas_rows(*MESSY), dry_run=True)
    assert report.warnings and report.errors  # it had lines to report
    assert report.run_id is None
    assert not ImportRun.objects.exists() and not ImportNote.objects.exists()
    assert not any("Kept for moderators" in line for line in report.summary_lines())


def test_the_commands_say_where_the_run_is_and_name_who_ran_it(
    atlas: AtlasFile, atlas_rows: AtlasRows, tmp_path, capsys, bob: User
) -> None:
    path = tmp_path / "Atlas_of_Surveillance-20201007.csv"
    path.write_text(atlas_text(atlas.header, atlas_rows("AOS0001", "AOS0851")), encoding="utf-8")
    call_command("import_atlas", str(path), "--quiet", "--user", "bob")
    stored = ImportRun.objects.get()
    assert stored.ran_by == bob and stored.file_name == path.name
    path_in_admin = reverse("admin:imports_importrun_change", args=[stored.pk])
    assert f"import run {stored.pk}, 1 lines to check: {path_in_admin}" in capsys.readouterr().out
    # A dry run through the command stores nothing either.
    call_command("import_atlas", str(path), "--quiet", "--dry-run")
    assert ImportRun.objects.count() == 1
    # An account that does not exist is refused before anything is read or written.
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        call_command("import_atlas", str(path), "--quiet", "--user", "nobody")
    assert ImportRun.objects.count() == 1


def test_a_refused_file_stores_no_run_and_nothing_half_written(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"AOSNUMBER,Agency\n\x00\x01binary")
    with pytest.raises(CommandError):
        call_command("import_atlas", str(path), "--quiet")
    with pytest.raises(CommandError):
        call_command("import_csv", str(path), "--quiet")
    assert not ImportRun.objects.exists() and not ImportNote.objects.exists()
    assert not Partnership.objects.exists() and not Source.objects.exists()


def test_a_contributors_sheet_keeps_its_lines_under_its_own_importer(tmp_path, capsys) -> None:
    path = tmp_path / "our-sheet.csv"
    path.write_text(SHEET, encoding="utf-8")
    call_command("import_csv", str(path), "--quiet")
    stored = ImportRun.objects.get()
    assert (stored.importer, stored.file_name, stored.source_key) == (
        ImporterKind.SURVMAP_CSV,
        "our-sheet.csv",
        "import:survmap CSV",
    )
    report = CsvImporter(read_survmap_csv(SHEET.encode()), dry_run=True).run()
    assert stored_notes(stored) == summary_notes(report)
    kinds = {(note.kind, note.line, note.column) for note in stored.notes.all()}
    assert (NoteKind.REFUSED, 7, "") in kinds  # no agency
    assert (NoteKind.NOT_PLACED, 5, "city") in kinds  # Franklin, NC: ambiguous, never guessed
    assert (NoteKind.LINK_DROPPED, 6, "source_urls") in kinds  # an ftp: address
    assert (NoteKind.VALUE_DROPPED, 6, "status") in kinds  # 'maybe'
    assert (NoteKind.INCOMPLETE, 6, "source_urls") in kinds  # no source left: not public
    assert (stored.with_warnings, stored.refused, stored.imported_whole) == (2, 1, 3)


def test_a_hostile_value_is_stored_cleaned_and_capped(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS0001")
    hostile = "javascript:alert('<b>x</b>')\u202e\x07" + "A" * 5000
    report = run([changed(row, **{"Link 2": hostile, "Link 1 Date": "2019-99-99\u2066"})])
    notes = ImportRun.objects.get(pk=report.run_id).notes
    link = notes.get(kind=NoteKind.LINK_DROPPED)
    assert link.value.startswith("javascript:alert('<b>x</b>')A")
    assert "\u202e" not in link.value and "\x07" not in link.value
    assert len(link.value) == VALUE_LENGTH and link.value.endswith("\u2026")
    date = notes.get(kind=NoteKind.VALUE_DROPPED, column="Link 1 Date")
    assert date.value == "2019-99-99"
