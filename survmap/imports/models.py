"""What each import run could not read, kept for moderators: the run with its summary's counts,
and one note per line of the summary (a refused row, a value or link dropped, a place left
unplaced, a conflict with a person's edit), which a moderator marks handled in the admin.

A note is evidence of what the file said: written once, in bulk, at the end of the run
(`imports.runs.run_record`), and never edited after, except for who handled it and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from survmap.common.models import TimeStampedModel
from survmap.imports.kinds import ImporterKind, NoteKind

__all__ = ["ImportNote", "ImportRun", "ImporterKind", "NoteKind"]

# The file's own text is kept, capped: enough to recognise a value, not a whole pasted page.
VALUE_LENGTH = 500
DETAIL_LENGTH = 1000
COLUMN_LENGTH = 100


class ImportRun(TimeStampedModel):
    """One import of a file that wrote to the record (dry runs are not kept), with the counts
    its summary printed."""

    importer = models.CharField(
        max_length=20,
        choices=ImporterKind.choices,
        help_text="Which importer read the file.",
    )
    label = models.CharField(
        max_length=200,
        help_text=(
            "What the records' provenance calls this import: the file's name for an Atlas "
            "export, 'survmap CSV' for survmap's own CSV."
        ),
    )
    file_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The file's name as the import was given it (empty: rows from elsewhere).",
    )
    source_key = models.CharField(
        max_length=220,
        help_text=(
            "The writer key the records' provenance uses for this import ('import:atlas' for "
            "every Atlas export, 'import:<file name>' for a file that is a source of its own)."
        ),
    )
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account that ran the import, if one was named (empty: a command line).",
    )
    started_at = models.DateTimeField(help_text="When the import began writing.")
    finished_at = models.DateTimeField(help_text="When the import finished.")
    rows_read = models.PositiveIntegerField(help_text="Rows the file holds (header excluded).")
    created = models.PositiveIntegerField(help_text="Rows that created a partnership.")
    updated = models.PositiveIntegerField(help_text="Rows that changed a stored partnership.")
    unchanged = models.PositiveIntegerField(help_text="Rows that matched the record as stored.")
    imported_whole = models.PositiveIntegerField(
        help_text="Rows imported with every value they gave."
    )
    with_warnings = models.PositiveIntegerField(
        help_text="Rows imported with a value dropped or a place left unplaced."
    )
    with_conflicts = models.PositiveIntegerField(
        help_text="Rows imported with a value not written because a person's edit stands."
    )
    refused = models.PositiveIntegerField(help_text="Rows refused whole.")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__gte=F("started_at")),
                name="importrun_finished_after_start",
                violation_error_message="An import cannot finish before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(
                    rows_read__gte=F("created") + F("updated") + F("unchanged") + F("refused")
                ),
                name="importrun_outcomes_within_rows_read",
                violation_error_message="More rows imported or refused than the file holds.",
            ),
            models.CheckConstraint(
                condition=Q(
                    imported_whole__lte=F("created") + F("updated") + F("unchanged"),
                    with_warnings__lte=F("created") + F("updated") + F("unchanged"),
                    with_conflicts__lte=F("created") + F("updated") + F("unchanged"),
                ),
                name="importrun_row_kinds_within_imported",
                violation_error_message="More rows counted as imported than were imported.",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.label} ({self.started_at:%Y-%m-%d %H:%M})"

    def get_admin_url(self) -> str:
        return reverse("admin:imports_importrun_change", args=[self.pk])


class ImportNote(TimeStampedModel):
    """One line of a run's summary: what the file said at that line that was not imported as
    given. Kept as the file gave it; only `handled` changes, when a moderator has dealt with it."""

    run = models.ForeignKey(
        ImportRun,
        on_delete=models.CASCADE,
        related_name="notes",
        help_text="The import run that wrote this note.",
    )
    kind = models.CharField(
        max_length=20,
        choices=NoteKind.choices,
        db_index=True,
        help_text="What happened to the row or value.",
    )
    line = models.PositiveIntegerField(
        help_text="The line of the file the row starts on (line 1 is the header)."
    )
    column = models.CharField(
        max_length=COLUMN_LENGTH,
        blank=True,
        help_text="The column the value was in (empty for a refused row or a correction).",
    )
    value = models.CharField(
        max_length=VALUE_LENGTH,
        blank=True,
        help_text=(
            f"The file's own text of the value (control characters removed, at most "
            f"{VALUE_LENGTH} characters); for a conflict, the value the source gives."
        ),
    )
    detail = models.TextField(
        max_length=DETAIL_LENGTH,
        blank=True,
        help_text="Why, as the import's summary said it (at most 1000 characters).",
    )
    conflict = models.ForeignKey(
        "records.Conflict",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a conflict: the stored conflict a moderator settles.",
    )
    handled = models.BooleanField(
        default=False,
        db_index=True,
        help_text="A moderator has dealt with this note (fixed the record, or found it right).",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The moderator who marked it handled.",
    )
    handled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was marked handled."
    )

    class Meta:
        ordering = ["run", "line", "pk"]
        permissions = [("handle_importnote", "Can mark an import's note handled")]
        indexes = [models.Index(fields=["run", "line"], name="importnote_run_line_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(line__gte=1),
                name="importnote_line_positive",
                violation_error_message="A file's lines are counted from 1.",
            ),
            models.CheckConstraint(
                # Explicit: a CHECK passes when it evaluates to NULL.
                condition=Q(handled=True, handled_at__isnull=False)
                | Q(handled=False, handled_at__isnull=True, handled_by__isnull=True),
                name="importnote_handled_has_when",
                violation_error_message="A handled note says when; an open one names nobody.",
            ),
            models.CheckConstraint(
                condition=Q(conflict__isnull=True) | Q(kind=NoteKind.CONFLICT),
                name="importnote_conflict_link_only_on_conflicts",
                violation_error_message="Only a conflict note links to a stored conflict.",
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.line}, {self.get_kind_display()}: {self.column} {self.value!r}"
