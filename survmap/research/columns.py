"""A research check's public columns: one row per public check, for the CSV export, the API's
`?format=csv`, the GeoJSON properties and the releases, written as every survmap CSV is
(`records.csv_format.csv_text`). Several sources in one cell keep one value per line, aligned
across the `source_*` columns, as in survmap's partnership CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from survmap.common.dates import stored_isoformat
from survmap.records.csv_format import csv_text
from survmap.research.models import ResearchCheck

COLUMN_HELP: Mapping[str, str] = {
    "check_id": "survmap's stable id of the research check.",
    "agency_id": "survmap's stable id of the agency searched.",
    "agency": "Agency name.",
    "agency_kind": "police, sheriff, state_police, federal, university, school or other.",
    "state": "USPS code of the agency's state or territory.",
    "county_fips": "Census FIPS codes of the counties the agency serves, separated by ';'.",
    "ori": "The agency's FBI Originating Agency Identifier, if known.",
    "technology": "The technology searched for.",
    "technology_slug": "Its identifier in filters and URLs.",
    "outcome": "found, none_found (looked, none found) or inconclusive.",
    "partnership_id": "For a 'found' check: the partnership found (see the partnership export).",
    "checked_on": "When the search was made: '2024', '2024-03' or '2024-03-05'.",
    "stale": "true when the check is older than survmap's stale period (18 months by default).",
    "summary": "What was searched and what it showed.",
    "credit": "Who searched: the name they asked to be credited with, or 'Anonymous'.",
    "source_kinds": "For each address consulted (one per line): the checklist item it covers.",
    "source_urls": "The addresses consulted, one per line.",
    "source_notes": "What each address showed, one per line, aligned with source_urls.",
    "request_references": "Public-records requests: their reference numbers, one per line.",
    "request_urls": "Where each request can be read, one per line.",
    "request_answers": "Each request's answer: awaiting, no_records, released, partial...",
    "request_filed": "When each request was filed (YYYY-MM-DD), one per line.",
    "request_answered": "When each was answered (YYYY-MM-DD), one per line.",
    "approved_at": "When a moderator published the check (UTC).",
}
COLUMNS: tuple[str, ...] = tuple(COLUMN_HELP)


def check_row(research_check: ResearchCheck) -> dict[str, str]:
    """A public check as text cells (not yet neutralised for spreadsheets)."""
    agency = research_check.agency
    sources = list(research_check.sources.all())
    requests = list(research_check.records_requests.all())
    reviewed = research_check.reviewed_at
    return {
        "check_id": str(research_check.pk),
        "agency_id": str(agency.pk),
        "agency": agency.name,
        "agency_kind": agency.kind,
        "state": agency.state_id,
        "county_fips": ";".join(sorted(county.fips for county in agency.counties.all())),
        "ori": agency.ori,
        "technology": research_check.technology.name,
        "technology_slug": research_check.technology.slug,
        "outcome": research_check.outcome,
        "partnership_id": str(research_check.partnership_id or ""),
        "checked_on": stored_isoformat(
            research_check.checked_date, research_check.checked_precision
        ),
        "stale": "true" if research_check.is_stale else "false",
        "summary": research_check.summary,
        "credit": research_check.credit,
        "source_kinds": "\n".join(source.kind for source in sources),
        "source_urls": "\n".join(source.url for source in sources),
        "source_notes": "\n".join(source.notes for source in sources),
        "request_references": "\n".join(request.reference for request in requests),
        "request_urls": "\n".join(request.url for request in requests),
        "request_answers": "\n".join(request.answer for request in requests),
        "request_filed": "\n".join(
            request.filed_date.isoformat() if request.filed_date else "" for request in requests
        ),
        "request_answered": "\n".join(
            request.answered_date.isoformat() if request.answered_date else ""
            for request in requests
        ),
        "approved_at": reviewed.isoformat() if reviewed else "",
    }


def csv_lines(checks: Iterable[ResearchCheck]) -> Iterator[str]:
    """The checks as CSV text (records.csv_format.csv_text: byte-order mark, cells neutralised)."""
    rows = (check_row(research_check) for research_check in checks)
    return csv_text(COLUMNS, ([row[column] for column in COLUMNS] for row in rows))
