"""The research checks as files: their credits and GeoJSON features, shared by the check routes
(survmap.api.checks) and the dated release (survmap.api.releases), with the release's CSV,
GeoJSON and part of the data dictionary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.db.models import QuerySet

from survmap.api import exports, licensing
from survmap.geo.boundaries import Level, centroids
from survmap.records.models import Agency
from survmap.research import columns as check_columns
from survmap.research.models import CheckSource, RecordsRequest, ResearchCheck
from survmap.research.selectors import check_list_public

PRIVATE_FIELDS = {"volunteer", "task", "tip", "token", "ip_hash", "reviewed_by"}


def check_credits(checks: QuerySet[ResearchCheck]) -> list[str]:
    """Checks are survmap's own research; the agency's details may come from the Atlas."""
    agencies = Agency.objects.filter(pk__in=checks.values("agency_id"))
    return sorted({licensing.SURVMAP_CREDIT, *licensing.credits_held(agencies)})


def check_feature(research_check: ResearchCheck, points: dict[str, tuple[float, float]]) -> dict:
    geometry, location_source = exports.agency_point(research_check.agency, points)
    return {
        "type": "Feature",
        "id": research_check.pk,
        "geometry": geometry,
        "properties": {
            **check_columns.check_row(research_check),
            "location_source": location_source,
        },
    }


def geojson_chunks(checks: QuerySet[ResearchCheck], credits: list[str]) -> Iterator[str]:
    points = centroids(Level.COUNTY)
    features = (check_feature(c, points) for c in checks.iterator(chunk_size=500))
    return exports.feature_collection_chunks(features, credits)


def write(
    csv_path: Path, geojson_path: Path, write_file: Callable[[Path, Iterable[str]], None]
) -> None:
    """Every public check, as the exports write them (never a pending or rejected one)."""
    checks = check_list_public().order_by("pk")
    write_file(csv_path, check_columns.csv_lines(checks.iterator(chunk_size=500)))
    write_file(geojson_path, geojson_chunks(checks, check_credits(checks)))


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
    lines += [f"| {name} | {text} |" for name, text in check_columns.COLUMN_HELP.items()]
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
