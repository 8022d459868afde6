"""The fields every public form carries besides its own: the optional private contact address and
the honeypot, a field hidden from people that only robots fill in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

HONEYPOT = "website"


def contact_email_field(label: str) -> forms.EmailField:
    return forms.EmailField(label=label, max_length=254, required=False)


def honeypot_field() -> forms.CharField:
    """Declare it as `website` (HONEYPOT). Hidden from people by CSS and from assistive
    technology; only robots fill it in."""
    return forms.CharField(
        label="Leave this empty",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def honeypot_filled(data: Mapping[str, Any]) -> bool:
    """Whether the honeypot of the posted `data` was filled in."""
    return bool(str(data.get(HONEYPOT, "")).strip())
