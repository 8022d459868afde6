"""The line at the foot of every page saying where the records come from and up to when."""

from __future__ import annotations

from django import template

from survmap.web.about import provenance_line

register = template.Library()


@register.simple_tag
def provenance() -> str:
    return provenance_line()
