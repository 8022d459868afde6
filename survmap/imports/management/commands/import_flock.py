"""Import The News & Observer's Private Eyes data (Flock transparency portals) from a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.flock import read_flock
from survmap.imports.flock_resolve import CheckedError
from survmap.imports.flock_write import FlockImporter
from survmap.imports.readers import FileRefused


class Command(BaseCommand):
    help = (
        "Load The News & Observer's Private Eyes data (Flock portals, their figures and "
        "stated policies, who may search whose plate reads, the NC survey) from a folder "
        "holding its CSV files, plain or .xz (fixtures/flock/ ships them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The folder holding the files.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--user", metavar="USERNAME", default="", help="The account to record with the run."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account named {options['user']!r}.")
        try:
            files = read_flock(folder)
        except OSError as error:
            raise CommandError(f"Cannot read {folder}: {error.strerror or error}.") from None
        except FileRefused as error:
            raise CommandError(str(error)) from None
        try:
            importer = FlockImporter(
                files, dry_run=options["dry_run"], file_name=str(folder), user=user
            )
        except CheckedError as error:
            raise CommandError(
                f"The hand-checked labels are refused, nothing written: {error}"
            ) from None
        report = importer.run()
        for line in report.summary_lines():
            self.stdout.write(line)
