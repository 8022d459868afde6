"""Open research tasks for the agency-and-technology pairs that most need looking at."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.records.models import Technology
from survmap.research.models import ResearchTask, TaskStatus
from survmap.research.services import task_generate


class Command(BaseCommand):
    help = (
        "Open research tasks for pairs never checked or checked so long ago the check is stale: "
        "large agencies first, neighbours of found records, technologies spreading fastest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=200, help="New tasks to open (200).")
        parser.add_argument(
            "--technology",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this technology (repeat for several).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")
        parser.add_argument(
            "--if-none-open",
            action="store_true",
            help="Open tasks only if none is open now (what a fresh install runs, any number of "
            "times).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        technologies = None
        if options["technology"]:
            technologies = list(Technology.objects.filter(slug__in=options["technology"]))
            missing = set(options["technology"]) - {t.slug for t in technologies}
            if missing:
                raise CommandError(f"Unknown technology: {', '.join(sorted(missing))}")
        if options["if_none_open"] and ResearchTask.objects.filter(status=TaskStatus.OPEN).exists():
            self.stdout.write("Research tasks are already open; none added.")
            return
        created = task_generate(limit=options["limit"], technologies=technologies)
        if not options["quiet"]:
            for task in created:
                pair = f"{task.agency} / {task.technology}"
                self.stdout.write(f"{task.priority:4d}  {pair}: {task.priority_reasons}")
        self.stdout.write(f"Opened {len(created)} research task{'s' if len(created) != 1 else ''}.")
