"""What the import commands share: the arguments, reading the file, running, the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.base import RowImporter
from survmap.imports.readers import FileRefused


class ImportCommand(BaseCommand):
    """Subclasses say how to read the file and which importer takes its rows."""

    file_help = "The CSV file."

    def read(self, path: Path) -> Any:
        raise NotImplementedError

    def describe(self, path: Path, rows: Any) -> str:
        return f"Reading {path} ({len(rows)} rows)."

    def importer(self, rows: Any, *, dry_run: bool, progress: bool | None) -> RowImporter:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=self.file_help)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--details", type=int, default=20, help="How many errors and changes to list."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            rows = self.read(path)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        except FileRefused as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(self.describe(path, rows))
        progress = False if options["quiet"] else None
        report = self.importer(rows, dry_run=options["dry_run"], progress=progress).run()
        for line in report.summary_lines(details=options["details"]):
            self.stdout.write(line)
