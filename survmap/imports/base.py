"""The write loop both importers share: a savepoint per row, a commit per batch, a progress bar,
and a dry run that rolls everything back but reports the same."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from tqdm import tqdm

from survmap.common import data_version, statistics
from survmap.imports.readers import Row
from survmap.imports.report import ImportReport, RowError
from survmap.records.services import Outcome


class RowImporter:
    """Subclasses plan every row first (reading, checking, no writes), then write each plan."""

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        dry_run: bool = False,
        progress: bool | None = False,
        batch_size: int = 500,
    ) -> None:
        self.rows = list(rows)
        self.dry_run = dry_run
        # None: a bar when stderr is a terminal (tqdm decides); False: never.
        self.progress = progress
        self.batch_size = batch_size
        self.report = ImportReport(dry_run=dry_run)
        self._reset_caches()

    def checkpoint(self, stage: str, row: Row) -> None:
        """Called at each stage of a row's writes; tests override it to stop a run there."""

    def plan(self) -> list[Any]:
        raise NotImplementedError

    def _import(self, plan: Any) -> tuple[Outcome, list[str]]:
        raise NotImplementedError

    def _label(self, plan: Any) -> str:
        raise NotImplementedError

    def prepare(self) -> None:
        """Load what the writes will compare against, once, before the first row."""

    def _reset_caches(self) -> None:
        """Forget looked-up records: after a rolled-back row they may not exist any more."""

    def run(self) -> ImportReport:
        self.report.rows_read = len(self.rows)
        plans = self.plan()
        with transaction.atomic() if self.dry_run else nullcontext():
            self.prepare()
            self._write(plans)
            if self.dry_run:
                transaction.set_rollback(True)
        if not self.dry_run:
            # New records are written in bulk, which sends no signals: tell the caches, and
            # give the query planner the new numbers of rows.
            data_version.bump()
            statistics.refresh()
        return self.report

    def _write(self, plans: list[Any]) -> None:
        bar = tqdm(
            total=len(plans),
            disable=True if self.progress is False else None,
            unit="row",
            desc="Importing",
            leave=False,
        )
        with bar:
            # A batch commits together (speed); a row is a savepoint in it (all or nothing).
            for batch in _chunks(plans, self.batch_size):
                with transaction.atomic():
                    self._write_batch([plan for plan in batch if not isinstance(plan, RowError)])
                bar.update(len(batch))

    def _write_batch(self, plans: list[Any]) -> None:
        for plan in plans:
            self._write_row(plan)

    def _write_row(self, plan: Any) -> None:
        line = plan.row.line
        try:
            with transaction.atomic():
                outcome, changes = self._import(plan)
        except RowError as error:
            self._reset_caches()
            self.report.reject(line, error)
            return
        except (ValidationError, ValueError, DatabaseError) as error:
            self._reset_caches()
            detail = f"{self._label(plan)}: {_message(error)}"
            self.report.reject(line, RowError("invalid record", detail))
            return
        self.report.outcomes[outcome] += 1
        if changes:
            self.report.changes.append((line, f"{self._label(plan)}: {'; '.join(changes)}"))


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    size = max(size, 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]
