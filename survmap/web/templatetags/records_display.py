"""Template filters over survmap.records.display: the wording of a record on every page."""

from __future__ import annotations

from typing import Any

from django import template

from survmap.common.dates import PartialDate
from survmap.records import display

register = template.Library()


@register.filter
def source_label(source: Any) -> str:
    return display.source_label(source)


@register.filter
def source_shows_publisher(source: Any) -> bool:
    return display.source_shows_publisher(source)


@register.filter
def vendors(partnership: Any) -> list[str]:
    return display.partnership_vendors(partnership)


@register.filter
def status_confirmed(partnership: Any) -> tuple[str, PartialDate] | None:
    return display.status_confirmed(partnership)


@register.filter
def shown_status(partnership: Any) -> Any:
    return display.shown_status(partnership)


@register.filter
def summary_text(partnership: Any) -> str:
    """The summary without the importer's vendor line, which the Vendor column shows."""
    summary = getattr(partnership, "summary", "") or ""
    return display.strip_vendors_line(summary)
