"""The public change log page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survmap.changelog.selectors import change_list, entries

PAGE_SIZE = 50


def changes(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(change_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "changelog/changes.html",
        {"page_obj": page_obj, "entries": entries(list(page_obj.object_list)), "query": ""},
    )
