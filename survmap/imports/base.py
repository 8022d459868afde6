"""What both importers share: a parser's plans (a row in, a plan out, no writes) handed to the
records service that applies them (`records.services.plans_apply`: bulk where it can, a
savepoint per row, a commit per batch), a dry run that rolls everything back but reports
the same, and the run kept for moderators with every line of its summary (imports.runs)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from django.db import transaction
from django.utils import timezone

from survmap.common import statistics
from survmap.imports import runs
from survmap.imports.readers import Row
from survmap.imports.report import ImportReport, RowError
from survmap.records.plans import PlannedRow, Writer
from survmap.records.services import plans_apply, plans_held


class RowImporter:
    """Subclasses parse every row into a plan (`plan`), reading no records."""

    # The import source whose values provenance compares across files ("atlas"); empty: the
    # file's name, each file a source of its own.
    source = ""
    reason = ""
    default_label = "import"
    # Which importer an import run names (imports.kinds.ImporterKind).
    kind = ""
    # False: every row through services.plan_apply (tests compare the bulk path with it).
    bulk = True

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        dry_run: bool = False,
        progress: bool | None = False,
        batch_size: int = 500,
        label: str = "",
        file_name: str = "",
        user: Any = None,
    ) -> None:
        self.rows = list(rows)
        self.dry_run = dry_run
        # None: a bar when stderr is a terminal (tqdm decides); False: never.
        self.progress = progress
        self.batch_size = batch_size
        self.label = label or self.default_label
        # The file read and who ran it, kept with the run (a command names no one unless told).
        self.file_name = file_name or label
        self.user = user
        self.report = ImportReport(dry_run=dry_run)

    def plan(self) -> list[PlannedRow | RowError]:
        raise NotImplementedError

    def writer(self) -> Writer:
        return Writer.import_file(self.label, source=self.source, reason=self.reason)

    def run(self) -> ImportReport:
        # Every row's plan lives for the whole run: full collections would walk them in vain.
        with plans_held():
            return self._run()

    def _run(self) -> ImportReport:
        started_at = timezone.now()
        conflicts_after = 0 if self.dry_run else runs.conflicts_mark()
        writer = self.writer()
        self.report.rows_read = len(self.rows)
        planned = [plan for plan in self.plan() if isinstance(plan, PlannedRow)]
        with transaction.atomic() if self.dry_run else nullcontext():
            applied = plans_apply(
                rows=planned,
                writer=writer,
                batch_size=self.batch_size,
                bulk=self.bulk,
                progress=self.progress,
            )
            if self.dry_run:
                transaction.set_rollback(True)
        self.report.take(applied)
        if not self.dry_run:
            # What the summary lists, kept for a moderator once the rows are written.
            runs.run_record(
                report=self.report,
                importer=self.kind,
                writer=writer,
                file_name=self.file_name,
                started_at=started_at,
                conflicts_after=conflicts_after,
                user=self.user,
            )
            # Give the query planner the new numbers of rows.
            statistics.refresh()
        return self.report
