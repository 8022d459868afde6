"""python manage.py import_atlas PATH [--dry-run]: bring an Atlas of Surveillance export in."""

from pathlib import Path
from typing import Any

from survmap.imports.atlas import AtlasImporter, export_date
from survmap.imports.base import RowImporter
from survmap.imports.command import ImportCommand
from survmap.imports.readers import read_atlas


class Command(ImportCommand):
    help = (
        "Import an EFF Atlas of Surveillance CSV export (2020 or current layout). Repeatable; "
        "bad rows are reported by line and skipped."
    )
    file_help = "The Atlas CSV export."

    def read(self, path: Path) -> Any:
        return read_atlas(path)

    def describe(self, path: Path, rows: Any) -> str:
        return f"Reading {path} ({rows.layout} layout, {len(rows)} rows)."

    def importer(
        self, rows: Any, *, dry_run: bool, progress: bool | None, path: Path, user: Any
    ) -> RowImporter:
        return AtlasImporter(
            rows,
            dry_run=dry_run,
            progress=progress,
            label=path.name,
            user=user,
            list_date=export_date(path.name),
        )
