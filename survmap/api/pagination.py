"""Keyset ("cursor") pagination: each page continues after the last row of the previous one, so
page 2,000 costs what page 1 costs. The cursor carries the sort value and id of that row."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from survmap.api import licensing
from survmap.api.errors import BadParameter
from survmap.common import data_version
from survmap.common.keyset import (
    CURSOR_ERRORS,
    ID,
    SortKey,
    make_cursor,
    read_cursor,
    read_keys,
)
from survmap.records import fulltext

CURSOR_PARAM = "cursor"
# Query parameters that do not change which rows match.
NOT_FILTERS = {CURSOR_PARAM, "format", "ordering", "page_size"}
MAX_PAGE_SIZE = 500
__all__ = ["CURSOR_PARAM", "ID", "KeysetPagination", "SortKey"]


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
        """Up to `limit` keys ([sort values..., id]) in this order, after the key `after`.
        NULL rows sort lowest: first ascending, last descending."""
        if not self.key.paths and self.key.nulls is None:
            # In id order, a text search walks its matches in that order and stops early.
            since = after[-1] if after is not None else None
            ids = fulltext.ids_in_order(queryset, since, self.descending, limit)
            if ids is not None:
                return [[pk] for pk in ids]
        return read_keys(
            queryset,
            self.key,
            after,
            limit,
            descending=self.descending,
            nulls_first=not self.descending,
        )

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
        ordering = ("-" if self.descending else "") + self.ordering
        try:
            key, extra = read_cursor(raw, ordering, self.key)
            if extra:
                raise ValueError("a page's cursor, not the API's")
        except CURSOR_ERRORS as error:
            raise BadParameter(
                CURSOR_PARAM,
                "Invalid cursor: use the 'next' link of a previous page with the same ordering.",
            ) from error
        return key

    def _make_cursor(self, key: list[Any]) -> str:
        """The cursor of the row with this key: [sort values..., id]."""
        return make_cursor(("-" if self.descending else "") + self.ordering, key)

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
