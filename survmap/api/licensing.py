"""What every export must say about its licence and the credit owed for the rows it holds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from survmap.records.models import ATLAS_ATTRIBUTION

ATLAS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SURVMAP_CREDIT = "survmap contributors"


def attributions(queryset: QuerySet) -> list[str]:
    """The distinct credits owed for these rows (each model has an `attribution` field)."""
    values = (
        queryset.order_by().exclude(attribution="").values_list("attribution", flat=True).distinct()
    )
    return sorted({SURVMAP_CREDIT, *values})


def license_info(credits: list[str]) -> dict[str, Any]:
    """The `license` member of a JSON or GeoJSON export."""
    info: dict[str, Any] = {
        "name": settings.SURVMAP_DATA_LICENSE,
        "url": settings.SURVMAP_DATA_LICENSE_URL,
    }
    if ATLAS_ATTRIBUTION in credits:
        info["notes"] = (
            f"Rows credited to '{ATLAS_ATTRIBUTION}' are licensed by the Electronic Frontier "
            f"Foundation under CC BY 4.0 ({ATLAS_LICENSE_URL}); keep that credit when you reuse "
            "them."
        )
    return info


def license_text(credits: list[str]) -> str:
    """The same, as plain text for a comment line or a LICENSE file."""
    info = license_info(credits)
    lines = [
        f"Licence: {info['name']} <{info['url']}>.",
        "Attribution: " + "; ".join(credits) + ".",
    ]
    if "notes" in info:
        lines.append(info["notes"])
    return "\n".join(lines)


def link_header(credits: list[str]) -> str:
    """An HTTP Link header (RFC 8288) naming the licence."""
    urls = [settings.SURVMAP_DATA_LICENSE_URL]
    if ATLAS_ATTRIBUTION in credits and ATLAS_LICENSE_URL not in urls:
        urls.append(ATLAS_LICENSE_URL)
    return ", ".join(f'<{url}>; rel="license"' for url in urls)
