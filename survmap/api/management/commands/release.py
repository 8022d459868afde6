"""manage.py release: write a dated, checksummed snapshot of the public dataset."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from survmap.api.releases import build_release, list_releases


class Command(BaseCommand):
    help = "Write a dated release (CSV, GeoJSON, data dictionary, licence, SHA256SUMS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="Folder of releases (SURVMAP_RELEASES_DIR)."
        )
        parser.add_argument(
            "--if-none",
            action="store_true",
            help="Only when no release exists yet (`make run` publishes a first one this way).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_none"]:
            existing = list_releases(options["output"])
            if existing:
                self.stdout.write(f"Release {existing[0].name} exists; none written.")
                return
        release = build_release(options["output"])
        self.stdout.write(f"Release {release.name} written to {release.path}:")
        for file in release.files:
            self.stdout.write(f"  {file.name}  {file.size} bytes  sha256 {file.sha256}")
