"""Merge the agencies and vendors survmap holds twice (fixtures/research/merges.json)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.duplicates import (
    KNOWN_DUPLICATES,
    KnownDuplicatesError,
    merge_known_duplicates,
)


class Command(BaseCommand):
    help = (
        "Merge the known duplicate agencies and vendors into one record each, keeping every "
        "other name as an alias (the matcher and the search find it), and put right vendor "
        "names that are an agency's. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=KNOWN_DUPLICATES, help="The known duplicates (JSON)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = merge_known_duplicates(options["file"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        except KnownDuplicatesError as error:
            raise CommandError(f"Known duplicates refused, nothing written:\n{error}") from None
        if options["verbosity"] >= 1:
            for line in report.lines():
                self.stdout.write(line)
