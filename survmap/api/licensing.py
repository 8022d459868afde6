"""What every export must say about its licence and the credit owed for the rows it holds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseBase

from survmap.common.text import header_safe
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    DIRECTORY_ATTRIBUTION,
    Agency,
    Partnership,
    Source,
)
from survmap.records.provenance import credits as credits_of

ATLAS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SURVMAP_CREDIT = "survmap contributors"


def credits_held(queryset: QuerySet) -> set[str]:
    """Each credit the records hold: a credit line may name several ("FBI Crime Data Explorer;
    Electronic Frontier Foundation, ..." on an agency both name)."""
    lines = queryset.order_by().exclude(attribution="").values_list("attribution", flat=True)
    return {credit for line in lines.distinct() for credit in credits_of(line)}


def attributions(partnerships: QuerySet[Partnership]) -> list[str]:
    """The distinct credits owed for these partnerships and for what an export writes with
    them: their agencies' details and their sources (one of our own partnerships may sit at an
    agency, or cite a source, that came from the Atlas). There are only a few credits: each
    one held by some agency or source is looked for among the partnerships, not the reverse."""
    found = {SURVMAP_CREDIT} | credits_held(partnerships)
    for path, model in (("agency", Agency), ("sources", Source)):
        for credit in credits_held(model.objects.all()) - found:
            if partnerships.filter(**{f"{path}__attribution__contains": credit}).exists():
                found.add(credit)
    return sorted(found)


def row_credits(row: Any) -> set[str]:
    """The credits one row of an API page owes: its own, and for a partnership its agency's
    and its sources' (as `attributions` counts them for a whole export)."""
    lines = [getattr(row, "attribution", "")]
    agency = getattr(row, "agency", None)
    if agency is not None:
        lines.append(getattr(agency, "attribution", ""))
    sources = getattr(row, "sources", None)
    if sources is not None:
        lines += [source.attribution for source in sources.all()]
    return {credit for line in lines for credit in credits_of(line)}


def license_info(credits: list[str]) -> dict[str, Any]:
    """The `license` member of a JSON or GeoJSON export."""
    info: dict[str, Any] = {
        "name": settings.SURVMAP_DATA_LICENSE,
        "url": settings.SURVMAP_DATA_LICENSE_URL,
    }
    notes = []
    if ATLAS_ATTRIBUTION in credits:
        notes.append(
            f"Rows credited to '{ATLAS_ATTRIBUTION}' are licensed by the Electronic Frontier "
            f"Foundation under CC BY 4.0 ({ATLAS_LICENSE_URL}); keep that credit when you reuse "
            "them."
        )
    if DIRECTORY_ATTRIBUTION in credits:
        notes.append(
            f"Agency details credited to '{DIRECTORY_ATTRIBUTION}' (names, ORIs, kinds, "
            "counties, coordinates) are the FBI's, a work of the US government in the public "
            "domain; please keep the credit."
        )
    if notes:
        info["notes"] = " ".join(notes)
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


def credit_response(response: HttpResponseBase, credits: list[str]) -> None:
    """The licence (Link) and the credits (X-Attribution) of a download, in its headers."""
    response["Link"] = link_header(credits)
    # The same credit in a header, for a CSV reader that only sees the file's rows. A credit
    # stored with a line break (before input was cleaned, or by raw SQL) must not take the
    # export down: Django refuses a header holding CR or LF.
    response["X-Attribution"] = "; ".join(header_safe(credit) for credit in credits)


def link_header(credits: list[str]) -> str:
    """An HTTP Link header (RFC 8288) naming the licence."""
    urls = [settings.SURVMAP_DATA_LICENSE_URL]
    if ATLAS_ATTRIBUTION in credits and ATLAS_LICENSE_URL not in urls:
        urls.append(ATLAS_LICENSE_URL)
    return ", ".join(f'<{url}>; rel="license"' for url in urls)
