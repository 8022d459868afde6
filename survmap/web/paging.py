"""The pages' lists of partnerships, paged by keyset as the API is (survmap.common.keyset): a
page's Next and Previous links carry the sort values and id of its last or first row, so any
page costs what the first costs, however deep into the list. The total comes from the page's
counts (kept per data version), and each cursor says where its page starts in the list, so the
page can say "26 to 50 of 7,917" without counting the rows before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from survmap.common.keyset import CURSOR_ERRORS, SortKey, make_cursor, read_cursor, read_keys
from survmap.records.filters import InvalidQuery

CURSOR_PARAM = "cursor"
NEXT, BACK = "n", "p"
BAD_CURSOR = (
    "This page link is out of date or incomplete: start again from the first page of the list."
)


@dataclass(frozen=True)
class ListPage:
    ids: list[int]  # the page's rows, in order
    count: int
    start: int  # rows before this page
    next_query: str | None
    previous_query: str | None
    first_query: str | None  # the first page, when this is not it

    @property
    def first_row(self) -> int:
        return self.start + 1 if self.ids else self.start

    @property
    def last_row(self) -> int:
        return self.start + len(self.ids)


def _read(raw: str, ordering: str, key: SortKey) -> tuple[list[Any], str, int]:
    try:
        since, extra = read_cursor(raw, ordering, key)
        direction, start = extra
        if direction not in (NEXT, BACK) or type(start) is not int or start < 0:
            raise ValueError(extra)
    except CURSOR_ERRORS as error:
        raise InvalidQuery({CURSOR_PARAM: [BAD_CURSOR]}) from error
    return since, direction, start


def list_page(
    filtered: QuerySet,
    *,
    key: SortKey,
    ordering: str,
    count: int,
    query: QueryDict,
    size: int,
    nulls_first: bool = False,
) -> ListPage:
    """The page of `filtered` the query's cursor names (the first without one), in the order
    `key` gives (`ordering`: its name, '-' first for descending), `size` rows (their ids: the
    caller reads what it shows of them). NULL sort values come last unless `nulls_first`.
    A cursor of another ordering, or no cursor at all, is an InvalidQuery (a 400)."""
    descending = ordering.startswith("-")
    raw = query.get(CURSOR_PARAM)
    since, direction, start = _read(raw, ordering, key) if raw else (None, NEXT, 0)
    if direction == NEXT:
        keys = read_keys(
            filtered, key, since, size + 1, descending=descending, nulls_first=nulls_first
        )
        more_after, more_before = len(keys) > size, since is not None
        keys = keys[:size]
    else:
        keys = read_keys(
            filtered, key, since, size + 1, descending=not descending, nulls_first=not nulls_first
        )
        more_before, more_after = len(keys) > size, True
        keys = keys[:size][::-1]
        start = max(0, start - len(keys))
        if not more_before:
            # Back at the beginning (rows may have come or gone since): the first page, whole.
            keys = read_keys(
                filtered, key, None, size + 1, descending=descending, nulls_first=nulls_first
            )
            more_after, start = len(keys) > size, 0
            keys = keys[:size]
    if more_before and not more_after and not keys:
        start = 0  # a cursor past the end: say nothing of where the empty page starts

    def link(cursor: str | None) -> str:
        copy = query.copy()
        for name in (CURSOR_PARAM, "page"):
            copy.pop(name, None)
        if cursor:
            copy[CURSOR_PARAM] = cursor
        return copy.urlencode()

    last = start + len(keys)
    return ListPage(
        ids=[row_key[-1] for row_key in keys],
        count=count,
        start=start,
        next_query=link(make_cursor(ordering, keys[-1], NEXT, last))
        if more_after and keys
        else None,
        previous_query=link(make_cursor(ordering, keys[0], BACK, start))
        if more_before and keys
        else None,
        first_query=link(None) if more_before else None,
    )
