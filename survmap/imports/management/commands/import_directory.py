"""python manage.py import_directory [PATH] [--dry-run]: load the FBI's agency directory."""

from pathlib import Path
from typing import Any

from survmap.imports.base import RowImporter
from survmap.imports.command import ImportCommand
from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.shipped import SHIPPED_DIRECTORY


class Command(ImportCommand):
    help = (
        "Load the FBI Crime Data Explorer's list of US law-enforcement agencies (by default the "
        "copy shipped in fixtures/directory/): each agency with its ORI, kind and counties. "
        "Repeatable; bad rows are reported by line and skipped."
    )
    file_help = f"The directory CSV (plain or .xz); default {SHIPPED_DIRECTORY.name}."
    default_path = SHIPPED_DIRECTORY

    def read(self, path: Path) -> Any:
        return read_directory(path)

    def importer(
        self, rows: Any, *, dry_run: bool, progress: bool | None, path: Path, user: Any
    ) -> RowImporter:
        return DirectoryImporter(
            rows, dry_run=dry_run, progress=progress, label=path.name, user=user
        )
