"""Load the sourced starter records, the FBI's agency directory and the shipped Atlas export into
an empty database; leave a used one alone."""

from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from survmap.imports.atlas import AtlasImporter, export_date
from survmap.imports.directory import DirectoryImporter, read_directory
from survmap.imports.flock import read_flock
from survmap.imports.flock_resolve import CheckedError
from survmap.imports.flock_write import FlockImporter
from survmap.imports.readers import read_atlas
from survmap.imports.shipped import SHIPPED_ATLAS, SHIPPED_DIRECTORY, SHIPPED_FLOCK
from survmap.records import provenance
from survmap.records.models import Agency, Partnership, Source, Technology
from survmap.records.plans import Writer

STARTER_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "starter.json"
# Research tasks a fresh install opens, the most useful first, so that a volunteer who arrives
# finds work on /research/ (survmap.research.priority ranks them).
STARTER_TASKS = 100


class Command(BaseCommand):
    help = (
        "Load fixtures/starter.json, the FBI's agency directory (fixtures/directory/), the "
        "researched records in fixtures/research/ and the shipped 2020 Atlas export, then The "
        "News & Observer's Flock portal data (fixtures/flock/), unless the database already "
        "holds records."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if records exist (overwrites the starter records by id).",
        )
        parser.add_argument(
            "--no-atlas",
            action="store_true",
            help=(
                "Without the shipped Atlas export (and the Flock data): the starter records, "
                "the agency directory and the research."
            ),
        )
        parser.add_argument(
            "--no-flock",
            action="store_true",
            help="Without The News & Observer's Flock portal data (fixtures/flock/).",
        )

    def handle(
        self,
        *args: Any,
        force: bool = False,
        no_atlas: bool = False,
        no_flock: bool = False,
        **options: Any,
    ) -> None:
        # Loading over a database in use would silently undo moderators' edits to these records.
        if Technology.objects.exists() and not force:
            self.stdout.write("Records already present; starter data not loaded (use --force).")
            return
        call_command("loaddata", str(STARTER_FIXTURE), verbosity=options.get("verbosity", 1))
        # loaddata writes raw rows; give each starter record its first history entry, and its
        # creator: survmap's own records, which a source's first different word is noted
        # against rather than made a conflict of (provenance.curated_first_word).
        call_command("populate_history", "--auto", verbosity=0)
        stamp_starter_records()
        verbosity = options.get("verbosity", 1)
        # The base layer: every US agency with its ORI. The starter agencies gain their ORI
        # (their names stay, the FBI's are kept as known names), and the research and the Atlas
        # after it find their agencies here instead of creating them twice.
        directory = DirectoryImporter(
            read_directory(SHIPPED_DIRECTORY),
            progress=None,
            label=SHIPPED_DIRECTORY.name,
            file_name=f"fixtures/directory/{SHIPPED_DIRECTORY.name}",
        ).run()
        if verbosity:
            self.stdout.write(f"FBI Crime Data Explorer agency list ({SHIPPED_DIRECTORY.name}):")
            for line in directory.summary_lines(details=0):
                self.stdout.write(line)
        # survmap's own research goes through the record services, like any other data, before
        # the Atlas: it refines starter records (Warren's Ring partnership) that an import then
        # only adopts, and once an import has written a record the loader leaves its fields be.
        call_command("load_research", verbosity=verbosity, stdout=self.stdout)
        if no_atlas or not SHIPPED_ATLAS.exists():
            # The known names as aliases, so that an Atlas imported later finds one record.
            call_command("merge_known_duplicates", verbosity=verbosity, stdout=self.stdout)
            self.open_first_tasks(verbosity)
            return
        # A newcomer's map shows real data: the EFF's 2020 export, credited to the EFF.
        report = AtlasImporter(
            read_atlas(SHIPPED_ATLAS).rows,
            progress=None,
            label=SHIPPED_ATLAS.name,
            list_date=export_date(SHIPPED_ATLAS.name),
        ).run()
        if verbosity:
            self.stdout.write(f"Atlas of Surveillance 2020 export ({SHIPPED_ATLAS.name}):")
            for line in report.summary_lines(details=0):
                self.stdout.write(line)
        # The agencies and vendors the starter records and the Atlas name twice, merged, with
        # every other name kept as an alias (fixtures/research/merges.json).
        call_command("merge_known_duplicates", verbosity=verbosity, stdout=self.stdout)
        # Again, to link Ring's programme changes to the Atlas's Ring partnerships in effect
        # then (it creates nothing twice).
        call_command("load_research", verbosity=verbosity, stdout=self.stdout)
        if SHIPPED_FLOCK.exists() and not no_flock:
            # After the Atlas, so that a Flock label finds the agency the Atlas already names.
            try:
                importer = FlockImporter(read_flock(SHIPPED_FLOCK), file_name="fixtures/flock")
            except CheckedError as error:
                raise CommandError(f"The Flock data was not loaded: {error}") from None
            flock = importer.run()
            if verbosity:
                self.stdout.write("Private Eyes data (The News & Observer, 2024):")
                for line in flock.summary_lines():
                    self.stdout.write(line)
        self.open_first_tasks(verbosity)

    def open_first_tasks(self, verbosity: int) -> None:
        call_command(
            "generate_research_tasks",
            "--limit",
            str(STARTER_TASKS),
            "--quiet",
            "--if-none-open",
            verbosity=verbosity,
            stdout=self.stdout if verbosity else StringIO(),
        )


def stamp_starter_records() -> None:
    """Give the records loaddata wrote without provenance their creator, the starter fixture."""
    writer = Writer.fixture("starter", reason="survmap's starter records")
    created = provenance.entry(writer, provenance.now(writer))
    for model in (Agency, Source, Partnership):
        for pk, known in model.objects.values_list("pk", "provenance"):
            if not known:
                model.objects.filter(pk=pk).update(provenance={"e": [created], "c": 0})
