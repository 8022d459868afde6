"""Write the standalone map of a view to one HTML file: `map_html OUT.html --level county
--technology ring --status active`. Every filter of the map page is an option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.geo.boundaries import Level
from survmap.maps.counts import FILTER_PARAMS
from survmap.maps.standalone import standalone_html, standalone_map
from survmap.records.filters import InvalidQuery


class Command(BaseCommand):
    help = "Write a self-contained HTML map (no network needed to open it) of the filtered view."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="The HTML file to write.")
        parser.add_argument("--level", choices=[str(level) for level in Level], default="county")
        for name in FILTER_PARAMS:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                action="append",
                default=[],
                help=f"The map's '{name}' filter (repeat for several values).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        filters = {name: options[name] for name in FILTER_PARAMS if options[name]}
        try:
            html = standalone_html(standalone_map(filters, level=options["level"]))
        except InvalidQuery as problem:
            raise CommandError(f"Bad filter: {problem}") from None
        out: Path = options["out"]
        try:
            out.write_text(html, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}") from None
        self.stdout.write(
            f"Wrote {out} ({len(html.encode()) / 1e6:.1f} MB, {options['level']} map)"
        )
