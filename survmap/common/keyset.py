"""Keyset paging, shared by the API's cursor pagination and the pages' lists: each page continues
after (or before) one row of the previous page, so the 2,000th page costs what the first costs.
A cursor carries the ordering it belongs to and the sort values and id of that row."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

# Sort values are names of at most 200 characters (6 bytes each as JSON escapes): a cursor
# is never longer.
MAX_CURSOR_LENGTH = 4096


@dataclass(frozen=True)
class SortKey:
    """One sort choice: the ORM paths it sorts by (the id comes last, always) and their types.
    A path that names a related row's column and then its id (agency name, agency id) lets the
    database walk two indexes in order and stop after one page, instead of sorting every row.

    A nullable sort (a start date, a vendor) says what its NULL rows sort as (`nulls`) and which
    path is NULL for them (`null_when`, the first path by default). Those rows are paged as a
    segment of their own, in id order: each segment is then an index walk, where sorting on
    COALESCE(...) would sort every row."""

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


def after(names: list[str], values: list[Any], descending: bool) -> Q:
    """Rows after (names) = (values) in this order, written so that the leading column's range
    can be sought in an index: a >= x AND (a > x OR (a = x AND (b > y OR ...)))."""
    beyond, at_least = ("lt", "lte") if descending else ("gt", "gte")
    condition = Q(**{f"{names[-1]}__{beyond}": values[-1]})
    for name, value in zip(reversed(names[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{name}__{beyond}": value}) | (Q(**{name: value}) & condition)
    return Q(**{f"{names[0]}__{at_least}": values[0]}) & condition


def segment(
    queryset: QuerySet,
    paths: tuple[str, ...],
    since: list[Any] | None,
    limit: int,
    descending: bool,
) -> list[list[Any]]:
    """Keys ([sort values..., id]) of rows ordered by `paths` then id, after the key `since`
    (None: from the first), in this direction."""
    names = [f"_sort{index}" for index in range(len(paths))]
    queryset = queryset.annotate(**{name: F(path) for name, path in zip(names, paths, strict=True)})
    if since is not None:
        queryset = queryset.filter(after([*names, "pk"], since, descending))
    sign = "-" if descending else ""
    ordered = queryset.order_by(*(f"{sign}{name}" for name in [*names, "pk"]))
    return [list(row) for row in ordered.values_list(*names, "pk")[:limit]]


def read_keys(
    queryset: QuerySet,
    key: SortKey,
    since: list[Any] | None,
    limit: int,
    *,
    descending: bool,
    nulls_first: bool,
) -> list[list[Any]]:
    """Up to `limit` keys in this order, after the key `since`. A nullable sort reads its NULL
    rows as a segment before the others (`nulls_first`) or after them."""
    if key.nulls is None:
        return segment(queryset, key.paths, since, limit, descending)
    nulls = list(key.nulls)
    null_rows = queryset.filter(**{f"{key.null_when or key.paths[0]}__isnull": True})
    value_rows = queryset.filter(**{f"{key.paths[0]}__isnull": False})
    segments = ["null", "value"] if nulls_first else ["value", "null"]
    start = 0
    if since is not None:
        start = segments.index("null" if since[:-1] == nulls else "value")
    keys: list[list[Any]] = []
    for part in segments[start:]:
        if part == "null":
            ids = [since[-1]] if since is not None else None
            found = segment(null_rows, (), ids, limit - len(keys), descending)
            keys.extend([*nulls, *found_key] for found_key in found)
        else:
            keys.extend(segment(value_rows, key.paths, since, limit - len(keys), descending))
        if len(keys) >= limit:
            break
        since = None  # the next segment is read from its beginning
    return keys


def make_cursor(ordering: str, key: list[Any], *extra: str | int) -> str:
    """The cursor of the row with this key ([sort values..., id]) in this ordering ('-' first
    for descending); `extra` says more (the pages' direction)."""
    payload = json.dumps(
        [ordering, [_encode(value) for value in key], *extra], separators=(",", ":")
    )
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def read_cursor(raw: str, ordering: str, key: SortKey) -> tuple[list[Any], list[Any]]:
    """(the key, what else the cursor says) of a cursor of this ordering; ValueError (or one of
    the errors `CURSOR_ERRORS` names) for anything else."""
    if len(raw) > MAX_CURSOR_LENGTH:
        # A real cursor is a sort value or two and an id; a long one is no cursor, and
        # deeply nested JSON would exhaust the parser's recursion.
        raise ValueError("cursor too long")
    padded = raw + "=" * (-len(raw) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(data, list) or len(data) < 2:
        raise ValueError("not a cursor")
    cursor_ordering, values, *extra = data
    if cursor_ordering != ordering:
        raise ValueError("the cursor belongs to another ordering")
    kinds = [*key.types, int]
    if not isinstance(values, list) or len(values) != len(kinds):
        raise ValueError(values)
    return [_decode(value, kind) for value, kind in zip(values, kinds, strict=True)], extra


# What a bad cursor raises while it is read.
CURSOR_ERRORS = (ValueError, TypeError, UnicodeError, RecursionError)
