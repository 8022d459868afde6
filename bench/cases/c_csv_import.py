"""survmap's own CSV read back (`import_csv`): public partnerships written to a file as the API's
CSV export writes them (`csv_lines`), then imported with `CsvImporter`. Two figures, each the
time of `CsvImporter(read_survmap_csv(path)).run()` (reading the file included):

- import.csv.again: the file into the database it was exported from. Every row is unchanged
  (asserted), so the figure is the cost of recognising that without writing.
- import.csv.fresh: the same file into an empty database. In one transaction every record
  (partnerships, sources, agencies, technologies, vendors, policy events and their history) is
  deleted, the file imported (every row created, asserted), and the transaction rolled back, so
  the cases after this one see the database as it was. The deletion is not timed.

Full run: the first 10,000 public partnerships by id (the Atlas rows by then, and generated ones
if a case before this one made them); --quick: every public partnership there is. Runs after
a_import, which loads the Atlas rows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from survmap.api.exports import csv_lines
from survmap.imports.readers import read_survmap_csv
from survmap.imports.survmap_csv import CsvImporter
from survmap.records.models import (
    Agency,
    Partnership,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)

ROWS = 10_000


def run(context: Any) -> None:
    public = Partnership.objects.public()
    ids = public.order_by("pk").values_list("pk", flat=True)
    last = list(ids if context.quick else ids[:ROWS])[-1:]
    if not last:
        print("# c_csv_import: skipped, no public partnerships", flush=True)
        return
    exported = public.filter(pk__lte=last[0])
    rows = exported.count()
    with tempfile.TemporaryDirectory(prefix="survmap-bench-csv-") as tmp:
        path = Path(tmp) / "partnerships.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            for piece in csv_lines(exported):
                handle.write(piece)
        _again(context, path, rows)
        _fresh(context, path, rows)


def _again(context: Any, path: Path, rows: int) -> None:
    # The first read-back may credit the Atlas on records it did not credit yet (a source both
    # our own research and an Atlas row cite): that run writes, and is not the figure.
    first = CsvImporter(read_survmap_csv(path)).run()
    if first.updated:
        print(f"# c_csv_import: a first read-back updated {first.updated} rows", flush=True)
    with context.timer("import.csv.again", rows=rows):
        again = CsvImporter(read_survmap_csv(path)).run()
    # An import that did nothing because it read nothing would be a fast lie.
    assert (again.unchanged, again.created, again.updated, again.rejected_count) == (
        rows,
        0,
        0,
        0,
    ), again.summary_lines()[:3]


def _fresh(context: Any, path: Path, rows: int) -> None:
    with transaction.atomic():
        _delete_records()
        assert not Partnership.objects.exists()
        with context.timer("import.csv.fresh", rows=rows):
            fresh = CsvImporter(read_survmap_csv(path)).run()
        assert (fresh.created, fresh.rejected_count) == (rows, 0), fresh.summary_lines()[:3]
        transaction.set_rollback(True)


def _delete_records() -> None:
    """Every record and its history, table by table in SQL: a delete through the ORM would
    write a '-' history entry for each of 100,000 partnerships, only to roll them back.
    Links go before what they link; nothing is checked until a commit, and none comes."""
    tables: list[type[Model]] = []
    for model in (PolicyEvent, Partnership, Source, Agency, Vendor, Technology):
        historical = model.history.model  # type: ignore[attr-defined]
        tables += [
            getattr(historical, field.name).model for field in historical._history_m2m_fields
        ]
        tables.append(historical)
        tables += [field.remote_field.through for field in model._meta.many_to_many]
        tables.append(model)
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table._meta.db_table)  # a model's, not input
            cursor.execute(f"DELETE FROM {name}")  # noqa: S608
