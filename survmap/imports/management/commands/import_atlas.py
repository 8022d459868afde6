"""python manage.py import_atlas PATH [--dry-run]: bring an Atlas of Surveillance export in."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import FileRefused, read_atlas


class Command(BaseCommand):
    help = (
        "Import an EFF Atlas of Surveillance CSV export (2020 or current layout). Repeatable; "
        "bad rows are reported by line and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The Atlas CSV export.")
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
            atlas = read_atlas(path)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        except FileRefused as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"Reading {path} ({atlas.layout} layout, {len(atlas)} rows).")
        importer = AtlasImporter(
            atlas, dry_run=options["dry_run"], progress=None if not options["quiet"] else False
        )
        report = importer.run()
        for line in report.summary_lines(details=options["details"]):
            self.stdout.write(line)
