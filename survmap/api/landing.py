"""/api/v1/: what the API offers, in one place. A browser gets a page; a program (any client that
does not ask for HTML first, or `?format=json`) gets the same facts as a JSON index."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from survmap.api import licensing, releases
from survmap.api.pagination import MAX_PAGE_SIZE
from survmap.records.filters import PartnershipFilterSet

# (url name, label, what it answers, formats)
ENDPOINTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "api:partnership-list",
        "Partnerships",
        "Agency, technology, vendor, status, dates, summary and sources of every public "
        "partnership; takes every filter below.",
        ("json", "csv"),
    ),
    (
        "api:agency-list",
        "Agencies",
        "Agencies with a public partnership and those of the directory of US agencies (FBI "
        "Crime Data Explorer), each with its ORI; `ori=` finds one, `has_partnerships=true|"
        "false` keeps those with or without a partnership, and a partnership filter keeps "
        "those with a matching one. Each links to its partnerships.",
        ("json", "csv", "geojson"),
    ),
    ("api:technology-list", "Technologies", "Technologies in the record.", ("json", "csv")),
    ("api:vendor-list", "Vendors", "Vendors that appear in the record.", ("json", "csv")),
    ("api:source-list", "Sources", "Documents cited by public records.", ("json", "csv")),
    (
        "api:policyevent-list",
        "Policy events",
        "Decisions that changed many partnerships at once: moratoriums, bans, cancellations.",
        ("json", "csv"),
    ),
    (
        "api:regions",
        "Region counts",
        "Agencies with a matching partnership per state or county (`level=state|county`).",
        ("json", "csv", "geojson"),
    ),
    (
        "api:export-partnerships-csv",
        "Whole export, CSV",
        "Every matching public partnership in one streamed file.",
        ("csv",),
    ),
    (
        "api:export-partnerships-geojson",
        "Whole export, GeoJSON",
        "Every matching public partnership as points, in one streamed file.",
        ("geojson",),
    ),
    ("api:schema", "OpenAPI schema", "All of the above, machine-readable.", ("yaml", "json")),
    ("api:docs", "Interactive documentation", "Try each endpoint in the browser.", ("html",)),
)


def _wants_html(request: HttpRequest) -> bool:
    """A browser asks for text/html before anything else; programs ask for JSON or anything."""
    if request.GET.get("format") == "json":
        return False
    if request.GET.get("format") == "html":
        return True
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in {"text/html", "application/xhtml+xml"}


def index(request: HttpRequest) -> dict[str, Any]:
    """The facts both forms show."""
    absolute = request.build_absolute_uri
    latest = next(iter(releases.list_releases()), None)
    return {
        "name": settings.SPECTACULAR_SETTINGS["TITLE"],
        "description": settings.SPECTACULAR_SETTINGS["DESCRIPTION"],
        "version": "1",
        "endpoints": [
            {
                "name": label,
                "url": absolute(reverse(url_name)),
                "description": description,
                "formats": list(formats),
            }
            for url_name, label, description, formats in ENDPOINTS
        ],
        "filters": [
            {"name": name, "description": str(field.extra.get("help_text", ""))}
            for name, field in PartnershipFilterSet.base_filters.items()
        ],
        "license": {
            "name": settings.SURVMAP_DATA_LICENSE,
            "url": settings.SURVMAP_DATA_LICENSE_URL,
            "attribution": (
                f"Credit '{licensing.SURVMAP_CREDIT}'; rows credited to the Electronic Frontier "
                "Foundation's Atlas of Surveillance are CC BY 4.0 and must keep that credit. "
                "Every answer names the credits it owes in its `attribution` member or column "
                "and its licence in a Link header."
            ),
        },
        "citation": {
            "how": (
                "Cite a dated release (name, address and SHA-256 checksum), not the live API, so "
                "that others can check your work against the same data."
            ),
            "releases": absolute(reverse("downloads:list")),
            "latest": None
            if latest is None
            else {
                "name": latest.name,
                "url": absolute(reverse("downloads:list")) + f"#release-{latest.name}",
            },
        },
        "limits": {
            "anonymous_rate": settings.SURVMAP_API_ANON_RATE,
            "page_size": settings.SURVMAP_API_PAGE_SIZE,
            "max_page_size": MAX_PAGE_SIZE,
            "paging": "Follow each page's `next` link (a cursor); there are no page numbers.",
            "cache_seconds": settings.SURVMAP_API_MAX_AGE,
            "errors": "A bad parameter is a 400 naming it; too many requests a 429 with "
            "Retry-After.",
        },
    }


def api_root(request: HttpRequest) -> HttpResponse:
    facts = index(request)
    if _wants_html(request):
        response: HttpResponse = render(request, "api/landing.html", {"api": facts})
    else:
        response = JsonResponse(facts, json_dumps_params={"indent": 2})
        response["Link"] = licensing.link_header([licensing.SURVMAP_CREDIT])
    patch_vary_headers(response, ["Accept"])
    patch_cache_control(response, public=True, max_age=settings.SURVMAP_API_MAX_AGE)
    return response
