"""The research checks in a dated release (survmap.api.releases): their CSV and GeoJSON, and
their part of the data dictionary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from survmap.research import csv_format
from survmap.research.api import _credits, geojson_chunks
from survmap.research.models import CheckSource, RecordsRequest, ResearchCheck
from survmap.research.selectors import check_list_public

PRIVATE_FIELDS = {"volunteer", "task", "tip", "token", "ip_hash", "reviewed_by"}


def write(
    csv_path: Path, geojson_path: Path, write_file: Callable[[Path, Iterable[str]], None]
) -> None:
    """Every public check, as the exports write them (never a pending or rejected one)."""
    checks = check_list_public().order_by("pk")
    write_file(csv_path, csv_format.csv_lines(checks.iterator(chunk_size=500)))
    write_file(geojson_path, geojson_chunks(checks, _credits(checks)))


def dictionary(csv_name: str, geojson_name: str) -> list[str]:
    lines = [
        "",
        f"## {csv_name}",
        "",
        "One row per public research check: an agency searched for a technology, and what "
        "was found, including nothing (`none_found`). An agency and technology with neither a "
        "partnership nor a check has not been researched. UTF-8 with a byte-order mark; cells "
        "neutralised against spreadsheet formulas as in the partnership CSV.",
        "",
        "| column | meaning |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {text} |" for name, text in csv_format.COLUMN_HELP.items()]
    lines += [
        "",
        f"## {geojson_name}",
        "",
        "The same checks as a GeoJSON FeatureCollection: a Point per check at the agency (or its "
        "first county's representative point, `location_source`), the CSV columns as properties.",
    ]
    for model in (ResearchCheck, CheckSource, RecordsRequest):
        lines += ["", f"## Model: {model._meta.verbose_name}", "", "| field | meaning |"]
        lines.append("| --- | --- |")
        for field in model._meta.get_fields():
            help_text = getattr(field, "help_text", "")
            if help_text and field.name not in PRIVATE_FIELDS:
                lines.append(f"| {field.name} | {help_text} |")
    return lines
