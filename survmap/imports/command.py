"""What the import commands share: the arguments, reading the file, running, the summary (which
ends by saying where a moderator finds the run's lines in the admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.base import RowImporter
from survmap.imports.readers import FileRefused


class ImportCommand(BaseCommand):
    """Subclasses say how to read the file and which importer takes its rows."""

    file_help = "The CSV file."
    # A file the command reads when none is named (the shipped copy), if any.
    default_path: Path | None = None

    def read(self, path: Path) -> Any:
        raise NotImplementedError

    def describe(self, path: Path, rows: Any) -> str:
        return f"Reading {path} ({len(rows)} rows)."

    def importer(
        self, rows: Any, *, dry_run: bool, progress: bool | None, path: Path, user: Any
    ) -> RowImporter:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        if self.default_path is None:
            parser.add_argument("path", type=Path, help=self.file_help)
        else:
            parser.add_argument(
                "path", type=Path, nargs="?", default=self.default_path, help=self.file_help
            )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--details", type=int, default=20, help="How many errors and changes to list."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            default="",
            help="The account to record as having run the import (kept with the run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account named {options['user']!r}.")
        try:
            rows = self.read(path)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        except FileRefused as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(self.describe(path, rows))
        progress = False if options["quiet"] else None
        report = self.importer(
            rows, dry_run=options["dry_run"], progress=progress, path=path, user=user
        ).run()
        for line in report.summary_lines(details=options["details"]):
            self.stdout.write(line)
