"""CSV and GeoJSON renderers for the list endpoints (`?format=csv`, `?format=geojson`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404
from rest_framework import renderers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from survmap.api.errors import BadParameter
from survmap.records.csv_format import BOM, neutralize_cell


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested objects become dotted columns; lists of values one per line, as in csv_format."""
    if isinstance(value, Mapping):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        if all(isinstance(item, Mapping) for item in value) and value:
            merged: dict[str, list[str]] = {}
            for item in value:
                for key, cell in _flatten(item, prefix).items():
                    merged.setdefault(key, []).append(cell)
            return {key: "\n".join(cells) for key, cells in merged.items()}
        return {prefix: "\n".join("" if item is None else str(item) for item in value)}
    if value is None:
        return {prefix: ""}
    if isinstance(value, bool):
        return {prefix: "true" if value else "false"}
    return {prefix: str(value)}


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        # A page of rows, or one record (a detail view) as a single row.
        rows = data.get("results", [data]) if isinstance(data, Mapping) else data or []
        flat = [_flatten(row) for row in rows]
        columns: list[str] = []
        for row in flat:
            columns.extend(key for key in row if key not in columns)
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in flat:
            writer.writerow([neutralize_cell(row.get(column, "")) for column in columns])
        return buffer.getvalue().encode("utf-8")


class GeoJSONRenderer(renderers.BaseRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return json.dumps(data, separators=(",", ":")).encode("utf-8")


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a bad parameter (400), not a missing page (404)."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[renderers.BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[Any, str]:
        choices = list(renderers)
        try:
            return super().select_renderer(request, choices, format_suffix)
        except (NotFound, Http404) as error:
            formats = ", ".join(str(renderer.format) for renderer in choices)
            raise BadParameter("format", f"Unknown format. Choose one of: {formats}.") from error
