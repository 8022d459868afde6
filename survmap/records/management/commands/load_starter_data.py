"""Load the sourced starter records into an empty database; leave a used one alone."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from survmap.records.models import Technology

STARTER_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "starter.json"


class Command(BaseCommand):
    help = (
        "Load fixtures/starter.json and the researched records in fixtures/research/ unless "
        "the database already holds records."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if records exist (overwrites the starter records by id).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        # Loading over a database in use would silently undo moderators' edits to these records.
        if Technology.objects.exists() and not force:
            self.stdout.write("Records already present; starter data not loaded (use --force).")
            return
        call_command("loaddata", str(STARTER_FIXTURE), verbosity=options.get("verbosity", 1))
        # loaddata writes raw rows; give each starter record its first history entry.
        call_command("populate_history", "--auto", verbosity=0)
        # survmap's own research goes through the record services, like any other data.
        call_command("load_research", verbosity=options.get("verbosity", 1), stdout=self.stdout)
