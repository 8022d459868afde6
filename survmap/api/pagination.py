"""Keyset ("cursor") pagination: each page continues after the last row of the previous one, so
page 2,000 costs what page 1 costs. The cursor carries the sort value and id of that row."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from survmap.api import licensing
from survmap.api.errors import BadParameter
from survmap.common import data_version
from survmap.records import fulltext

CURSOR_PARAM = "cursor"
# Query parameters that do not change which rows match.
NOT_FILTERS = {CURSOR_PARAM, "format", "ordering", "page_size"}
MAX_PAGE_SIZE = 500
# Sort values are names of at most 200 characters (6 bytes each as JSON escapes): a cursor
# is never longer.
MAX_CURSOR_LENGTH = 4096


@dataclass(frozen=True)
class SortKey:
    """One sort choice: the ORM paths it sorts by (the id comes last, always) and their types.
    A path that names a related row's column and then its id (agency name, agency id) lets the
    database walk two indexes in order and stop after one page, instead of sorting every row.

    A nullable sort (a start date, a vendor) says what its NULL rows sort as (`nulls`: lowest)
    and which path is NULL for them (`null_when`, the first path by default). Those rows are
    paged as a segment of their own, in id order, before the others (after them, descending):
    each segment is then an index walk, where sorting on COALESCE(...) would sort every row."""

    paths: tuple[str, ...]
    types: tuple[type, ...]
    nulls: tuple[Any, ...] | None = None
    null_when: str | None = None


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

        self.count = self._cached_count(queryset, request, view)
        raw = request.query_params.get(CURSOR_PARAM)
        after = self._read_cursor(raw) if raw else None
        # Two steps: the keys of the page from lean queries (only the joins that the filters and
        # the sort need, so the database can walk indexes and stop early), then the page's rows
        # with everything the serializer needs.
        keys = self._keys(queryset, after, self.page_size + 1)
        self.has_next = len(keys) > self.page_size
        keys = keys[: self.page_size]
        rows = self._rows_by_id(view, queryset, [key[-1] for key in keys])
        # A row deleted or hidden between the two queries is left out, not a 500.
        self.page = [rows[key[-1]] for key in keys if key[-1] in rows]
        # Where the next page starts: the sort values and id of this page's last row.
        self.last_key = keys[-1] if keys else None
        return self.page

    def _keys(self, queryset: QuerySet, after: list[Any] | None, limit: int) -> list[list[Any]]:
        """Up to `limit` keys ([sort values..., id]) in this order, after the key `after`."""
        key = self.key
        if key.nulls is None:
            return self._segment(queryset, key.paths, after, limit)
        nulls = list(key.nulls)
        null_rows = queryset.filter(**{f"{key.null_when or key.paths[0]}__isnull": True})
        value_rows = queryset.filter(**{f"{key.paths[0]}__isnull": False})
        # Ascending, NULL rows (lowest) come first; descending, last.
        segments = ["null", "value"][:: -1 if self.descending else 1]
        start = 0
        if after is not None:
            start = segments.index("null" if after[:-1] == nulls else "value")
        keys: list[list[Any]] = []
        for segment in segments[start:]:
            if segment == "null":
                since = [after[-1]] if after is not None else None
                found = self._segment(null_rows, (), since, limit - len(keys))
                keys.extend([*nulls, *found_key] for found_key in found)
            else:
                keys.extend(self._segment(value_rows, key.paths, after, limit - len(keys)))
            if len(keys) >= limit:
                break
            after = None  # the next segment is read from its beginning
        return keys

    def _segment(
        self, queryset: QuerySet, paths: tuple[str, ...], after: list[Any] | None, limit: int
    ) -> list[list[Any]]:
        """Keys of rows ordered by `paths` then id, after the key `after` (None: from the
        first), in this paginator's direction."""
        if not paths:
            # In id order, a text search walks its matches in that order and stops early.
            since = after[-1] if after is not None else None
            ids = fulltext.ids_in_order(queryset, since, self.descending, limit)
            if ids is not None:
                return [[pk] for pk in ids]
        names = [f"_sort{index}" for index in range(len(paths))]
        queryset = queryset.annotate(
            **{name: F(path) for name, path in zip(names, paths, strict=True)}
        )
        if after is not None:
            queryset = queryset.filter(_after([*names, "pk"], after, self.descending))
        sign = "-" if self.descending else ""
        ordered = queryset.order_by(*(f"{sign}{name}" for name in [*names, "pk"]))
        return [list(row) for row in ordered.values_list(*names, "pk")[:limit]]

    def _rows_by_id(self, view: APIView | None, filtered: QuerySet, ids: list[int]) -> Any:
        """The page's rows by id: from the view's `rows_by_id` where it has one, else from its
        unfiltered queryset. Never from the filtered one: the ids already match, and running
        the filters again can cost as much as finding the page did."""
        rows_by_id = getattr(view, "rows_by_id", None)
        if rows_by_id is not None:
            return rows_by_id(ids)
        get_queryset = getattr(view, "get_queryset", None)
        base = get_queryset() if get_queryset is not None else filtered
        return base.order_by().in_bulk(ids)

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
        # ASCII digits: '²'.isdigit() is true, and int('²') fails.
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise BadParameter("page_size", f"A whole number from 1 to {MAX_PAGE_SIZE}.")
        return int(raw)

    def _read_cursor(self, raw: str) -> list[Any]:
        try:
            if len(raw) > MAX_CURSOR_LENGTH:
                # A real cursor is a sort value or two and an id; a long one is no cursor, and
                # deeply nested JSON would exhaust the parser's recursion.
                raise ValueError("cursor too long")
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            ordering, values = data
            if ordering != ("-" if self.descending else "") + self.ordering:
                raise ValueError("the cursor belongs to another ordering")
            kinds = [*self.key.types, int]
            if not isinstance(values, list) or len(values) != len(kinds):
                raise ValueError(values)
            return [_decode(value, kind) for value, kind in zip(values, kinds, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError) as error:
            raise BadParameter(
                CURSOR_PARAM,
                "Invalid cursor: use the 'next' link of a previous page with the same ordering.",
            ) from error

    def _make_cursor(self, key: list[Any]) -> str:
        """The cursor of the row with this key: [sort values..., id]."""
        ordering = ("-" if self.descending else "") + self.ordering
        payload = json.dumps([ordering, [_encode(value) for value in key]], separators=(",", ":"))
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
        if not self.has_next or self.last_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, self._make_cursor(self.last_key))

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        credits = sorted(
            {licensing.SURVMAP_CREDIT}.union(*(licensing.row_credits(row) for row in self.page))
        )
        next_link = self.get_next_link()
        response = Response(
            {
                "count": self.count,
                "next": next_link,
                "license": licensing.license_info(credits),
                "attribution": credits,
                "results": data,
            }
        )
        # The total and the next page in headers too: a CSV page has no envelope to carry them,
        # and a reader who asked for ?format=csv must not take one page for the whole set.
        links = [f'<{next_link}>; rel="next"'] if next_link else []
        response["Link"] = ", ".join([*links, licensing.link_header(credits)])
        if self.count is not None:
            response["X-Total-Count"] = str(self.count)
        return response

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
