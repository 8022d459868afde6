"""An import run kept for moderators: the run and one note per line of its summary, written once
at the end of the import, in one transaction and a handful of queries (however many lines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from survmap.common.text import clean_text_value
from survmap.imports.models import (
    COLUMN_LENGTH,
    DETAIL_LENGTH,
    VALUE_LENGTH,
    ImportNote,
    ImportRun,
    NoteKind,
)
from survmap.imports.report import ImportReport
from survmap.records.models import Conflict
from survmap.records.plans import Writer


def conflicts_mark() -> int:
    """The newest stored conflict's id before a run: the run's own conflicts come after it."""
    return Conflict.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def capped(value: str, limit: int, *, multiline: bool = False) -> str:
    """The file's own text as a note keeps it: survmap's one cleaning (no control characters,
    no bidirectional overrides), at most `limit` characters, an ellipsis where it was cut."""
    value = clean_text_value(str(value), multiline=multiline).strip()
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def run_record(
    *,
    report: ImportReport,
    importer: str,
    writer: Writer,
    started_at: dt.datetime,
    conflicts_after: int,
    file_name: str = "",
    user: Any = None,
) -> ImportRun:
    """Store the run of a finished import (never a dry run) with its summary's lines as notes,
    all or nothing; the report learns the run's id and admin page."""
    assert not report.dry_run, "a dry run writes nothing, its run included"
    label = capped(writer.label, 200)
    with transaction.atomic():
        run = ImportRun(
            importer=importer,
            label=label,
            file_name=capped(file_name, 255),
            source_key=capped(writer.key, 220),
            ran_by=user if getattr(user, "pk", None) else None,
            started_at=started_at,
            finished_at=max(timezone.now(), started_at),
            rows_read=report.rows_read,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            imported_whole=report.imported_whole,
            with_warnings=len(report.warned_lines),
            with_conflicts=len(report.conflict_lines),
            refused=report.rejected_count,
        )
        run.full_clean()
        run.save()
        stored: list[Conflict] = []
        if report.conflicts:
            stored = list(
                Conflict.objects.filter(
                    pk__gt=conflicts_after,
                    label=writer.label[:200],
                    source=_conflict_source(writer),
                )
                .order_by("pk")
                .only("pk", "line", "field", "theirs")
            )
        notes = list(_notes(run, report, stored))
        ImportNote.objects.bulk_create(notes, batch_size=1000)
    report.run_id = run.pk
    report.run_path = run.get_admin_url()
    report.run_notes = len(notes)
    return run


def _conflict_source(writer: Writer) -> str:
    # As records.services stores it.
    return writer.key.removeprefix("import:")[:200]


def _notes(
    run: ImportRun, report: ImportReport, stored: Sequence[Conflict]
) -> Iterator[ImportNote]:
    def note(
        kind: str, line: int, column: str = "", value: str = "", detail: str = "", **more: Any
    ) -> ImportNote:
        return ImportNote(
            run=run,
            kind=kind,
            line=max(line, 1),
            column=capped(column, COLUMN_LENGTH),
            value=capped(value, VALUE_LENGTH),
            detail=capped(detail, DETAIL_LENGTH, multiline=True),
            **more,
        )

    for line, detail in report.errors:
        yield note(NoteKind.REFUSED, line, detail=detail)
    for warning in report.warnings:
        yield note(warning.kind, warning.line, warning.column, warning.value, warning.reason)
    # The records service stores one conflict per note, in the same order; linked when the
    # two lists agree line by line (a concurrent import of the same file could interleave).
    lines = [line for line, _ in report.conflicts]
    linked = len(stored) == len(lines) and all(
        conflict.line == line for conflict, line in zip(stored, lines, strict=True)
    )
    for index, (line, detail) in enumerate(report.conflicts):
        conflict = stored[index] if linked else None
        yield note(
            NoteKind.CONFLICT,
            line,
            conflict.field if conflict else "",
            conflict.theirs if conflict else "",
            detail,
            conflict=conflict,
        )
    for line, detail in report.notes:
        yield note(NoteKind.CORRECTED, line, detail=detail)
    for line, detail in report.unmatched:
        yield note(NoteKind.AGENCY_UNMATCHED, line, column="agency", detail=detail)
