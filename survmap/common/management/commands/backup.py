"""`manage.py backup PATH`: write everything survmap holds to one compressed file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.common.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write records, their history, users, groups and moderation data to PATH "
        "(.json.gz). Restore with `manage.py restore PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="File to write, ending in .json.gz.")
        parser.add_argument("--database", default="default", help="Database alias to read.")

    def handle(self, *args: Any, path: Path, database: str, **options: Any) -> None:
        try:
            backup_write(path, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
