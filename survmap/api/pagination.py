"""Keyset ("cursor") pagination: each page continues after the last row of the previous one, so
page 2,000 costs what page 1 costs. The cursor carries the sort value and id of that row."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from survmap.api import licensing
from survmap.api.errors import BadParameter
from survmap.common import data_version

CURSOR_PARAM = "cursor"
# Query parameters that do not change which rows match.
NOT_FILTERS = {CURSOR_PARAM, "format", "ordering", "page_size"}
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class SortKey:
    """One sort choice: the ORM paths it sorts by (the id comes last, always), their types, and
    for nullable columns what NULL sorts as. A path that names a related row's column and then
    its id (agency name, agency id) lets the database walk two indexes in order and stop after
    one page, instead of sorting every row."""

    paths: tuple[str, ...]
    types: tuple[type, ...]
    nulls: tuple[Any, ...] | None = None


ID = SortKey((), ())


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _decode(value: Any, kind: type) -> Any:
    """The cursor arrives from the client: check each value has its column's type."""
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if type(value) is not kind:
        raise ValueError(value)
    return value


def _after(names: list[str], values: list[Any], descending: bool) -> Q:
    """Rows after (names) = (values) in this order, written so that the leading column's range
    can be sought in an index: a >= x AND (a > x OR (a = x AND (b > y OR ...)))."""
    after, at_least = ("lt", "lte") if descending else ("gt", "gte")
    condition = Q(**{f"{names[-1]}__{after}": values[-1]})
    for name, value in zip(reversed(names[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{name}__{after}": value}) | (Q(**{name: value}) & condition)
    return Q(**{f"{names[0]}__{at_least}": values[0]}) & condition


class KeysetPagination(BasePagination):
    """Views name their sort choices in `sort_keys` ({parameter value: SortKey}); `ordering`
    picks one (prefix '-' for descending) and ties are broken by id, so the order is total."""

    page_size_query_param = "page_size"

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        self.view = view
        sort_keys: dict[str, SortKey] = getattr(view, "sort_keys", {"id": ID})
        self.ordering, self.descending = self._ordering(request, sort_keys)
        self.key = sort_keys[self.ordering]
        self.page_size = self._page_size(request)

        full = queryset
        names = []
        for index, path in enumerate(self.key.paths):
            null = self.key.nulls[index] if self.key.nulls else None
            expression = Coalesce(F(path), Value(null)) if null is not None else F(path)
            queryset = queryset.annotate(**{f"_sort{index}": expression})
            names.append(f"_sort{index}")
        sign = "-" if self.descending else ""
        queryset = queryset.order_by(*(f"{sign}{name}" for name in [*names, "pk"]))

        self.count = self._cached_count(queryset, request, view)
        raw = request.query_params.get(CURSOR_PARAM)
        if raw:
            values = self._read_cursor(raw)
            queryset = queryset.filter(_after([*names, "pk"], values, self.descending))
        # Two steps: the ids of the page from a lean query (only the joins that the filters and
        # the sort need, so the database can walk indexes and stop early), then the page's rows
        # with everything the serializer needs.
        keys = list(queryset.values_list("pk", *names)[: self.page_size + 1])
        self.has_next = len(keys) > self.page_size
        keys = keys[: self.page_size]
        rows = full.order_by().in_bulk([key[0] for key in keys])
        self.page = []
        for pk, *values in keys:
            row = rows[pk]
            row._sort_values = values
            self.page.append(row)
        return self.page

    def _ordering(self, request: Request, sort_keys: dict[str, SortKey]) -> tuple[str, bool]:
        raw = request.query_params.get("ordering", "") or "id"
        first = raw.split(",")[0].strip()
        name = first.lstrip("-")
        if name not in sort_keys:
            raise BadParameter(
                "ordering", f"Cannot sort by '{first}'. Choose one of: {', '.join(sort_keys)}."
            )
        return name, first.startswith("-")

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(settings.SURVMAP_API_PAGE_SIZE)
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise BadParameter("page_size", f"A whole number from 1 to {MAX_PAGE_SIZE}.")
        return int(raw)

    def _read_cursor(self, raw: str) -> list[Any]:
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            ordering, values = data
            if ordering != ("-" if self.descending else "") + self.ordering:
                raise ValueError("the cursor belongs to another ordering")
            kinds = [*self.key.types, int]
            if not isinstance(values, list) or len(values) != len(kinds):
                raise ValueError(values)
            return [_decode(value, kind) for value, kind in zip(values, kinds, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeError) as error:
            raise BadParameter(
                CURSOR_PARAM,
                "Invalid cursor: use the 'next' link of a previous page with the same ordering.",
            ) from error

    def _make_cursor(self, row: Any) -> str:
        ordering = ("-" if self.descending else "") + self.ordering
        values = [_encode(value) for value in row._sort_values]
        payload = json.dumps([ordering, [*values, row.pk]], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")

    def _cached_count(
        self, queryset: QuerySet, request: Request, view: APIView | None
    ) -> int | None:
        """The total for this filter, counted once per data version: cheap from the second
        request on, and never stale for longer than the version is."""
        params = sorted(
            (name, value)
            for name, values in request.query_params.lists()
            if name not in NOT_FILTERS
            for value in values
        )
        key_source = f"{data_version.current().token}|{type(view).__name__}|{params}"
        key = "survmap:api:count:" + hashlib.sha256(key_source.encode()).hexdigest()
        count: int | None = cache.get(key)
        if count is None and not request.query_params.get(CURSOR_PARAM):
            # Counted with the first page only; a later page that finds no count in the cache
            # (another process, an expired entry) says null rather than scan the set again.
            count = queryset.order_by().count()
            cache.set(key, count, 3600)
        return count

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, self._make_cursor(self.page[-1]))

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        credits = sorted(
            {licensing.SURVMAP_CREDIT} | {row.attribution for row in self.page if row.attribution}
            if self.page and hasattr(self.page[0], "attribution")
            else {licensing.SURVMAP_CREDIT}
        )
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "license": licensing.license_info(credits),
                "attribution": credits,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "license", "attribution", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": (
                        "How many rows match the filters, over all pages; null on a later page "
                        "when the total is no longer at hand."
                    ),
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last one.",
                },
                "license": {
                    "type": "object",
                    "description": "The licence of the data on this page.",
                    "additionalProperties": {"type": "string"},
                },
                "attribution": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Credit owed for the rows on this page.",
                },
                "results": {**schema, "description": "The rows of this page."},
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the 'next' link of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
