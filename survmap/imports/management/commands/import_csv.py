"""python manage.py import_csv PATH [--dry-run]: read back survmap's own CSV export."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.readers import FileRefused, read_survmap_csv
from survmap.imports.survmap_csv import CsvImporter


class Command(BaseCommand):
    help = "Import a survmap CSV export (the format of survmap/records/csv_format.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The survmap CSV file.")
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
            rows = read_survmap_csv(path)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        except FileRefused as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"Reading {path} ({len(rows)} rows).")
        importer = CsvImporter(
            rows, dry_run=options["dry_run"], progress=None if not options["quiet"] else False
        )
        report = importer.run()
        for line in report.summary_lines(details=options["details"]):
            self.stdout.write(line)
