"""manage.py release: write a dated, checksummed snapshot of the public dataset."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from survmap.api.releases import build_release


class Command(BaseCommand):
    help = "Write a dated release (CSV, GeoJSON, data dictionary, licence, SHA256SUMS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="Folder of releases (SURVMAP_RELEASES_DIR)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        release = build_release(options["output"])
        self.stdout.write(f"Release {release.name} written to {release.path}:")
        for file in release.files:
            self.stdout.write(f"  {file.name}  {file.size} bytes  sha256 {file.sha256}")
