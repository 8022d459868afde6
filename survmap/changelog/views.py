"""The public change log page: newest first, paged by "newer" and "older" links (a total count
would read every history row)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survmap.changelog.selectors import change_rows, entries

PAGE_SIZE = 50
# Deep pages read (page x PAGE_SIZE) rows from each history table; the feed and the first pages
# are what people read.
MAX_PAGE = 200


def changes(request: HttpRequest) -> HttpResponse:
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    rows = change_rows(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return render(
        request,
        "changelog/changes.html",
        {
            "entries": entries(rows[:PAGE_SIZE]),
            "page": page,
            "newer": page - 1 if page > 1 else None,
            "older": page + 1 if len(rows) > PAGE_SIZE and page < MAX_PAGE else None,
        },
    )
