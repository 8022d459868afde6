"""python manage.py import_csv PATH [--dry-run]: read back survmap's own CSV export."""

from pathlib import Path
from typing import Any

from survmap.imports.base import RowImporter
from survmap.imports.command import ImportCommand
from survmap.imports.readers import read_survmap_csv
from survmap.imports.survmap_csv import CsvImporter


class Command(ImportCommand):
    help = "Import a survmap CSV export (the format of survmap/records/csv_format.py)."
    file_help = "The survmap CSV file."

    def read(self, path: Path) -> Any:
        return read_survmap_csv(path)

    def importer(
        self, rows: Any, *, dry_run: bool, progress: bool | None, path: Path, user: Any
    ) -> RowImporter:
        return CsvImporter(rows, dry_run=dry_run, progress=progress, file_name=path.name, user=user)
