"""`manage.py restore PATH`: load a backup into an empty, migrated database, all or nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.common.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty, migrated database "
        "(run `manage.py migrate` first). Refuses a database holding users or records "
        "unless --force, and a backup holding no partnership unless --allow-empty; says what "
        "it removes and loads before it does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Backup file (.json.gz).")
        parser.add_argument("--database", default="default", help="Database alias to write.")
        # -v 2 streams the running count of loaded objects.
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database holds (users, records, history) with the backup.",
        )
        parser.add_argument(
            "--allow-empty",
            action="store_true",
            help="Restore a backup that holds no partnership (the records are left empty).",
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        database: str,
        force: bool,
        allow_empty: bool,
        **options: Any,
    ) -> None:
        try:
            summary = backup_restore(
                path,
                using=database,
                force=force,
                allow_empty=allow_empty,
                progress=self.stdout if options["verbosity"] >= 2 else None,
                announce=self.stdout.write if options["verbosity"] >= 1 else None,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(summary or "Restored.")
