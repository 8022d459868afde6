"""Write survmap's own researched records (fixtures/research/) through the record services."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.imports.curated import RESEARCH_DIR, ResearchRefused, read_research, research_apply


class Command(BaseCommand):
    help = (
        "Load the researched Rekognition, robot and Ring-programme records. Loading again adds "
        "only what is missing (sources, links to partnerships imported since); --update "
        "rewrites the records' fields from the files, over any edit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=RESEARCH_DIR, help="Folder holding the research files."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Rewrite the fields of records found again from the files (overwrites edits).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            research = read_research(options["dir"])
            report = research_apply(research, update=options["update"])
        except OSError as error:
            raise CommandError(f"Cannot read the research files: {error}") from None
        except (ResearchRefused, ValueError) as error:
            raise CommandError(f"Research files refused, nothing written: {error}") from None
        if options["verbosity"] >= 1:
            for line in report.summary_lines():
                self.stdout.write(line)
