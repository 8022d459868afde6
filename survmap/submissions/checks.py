"""Start-up checks: a malformed submission rate is reported by `manage.py check`, not as a 500
on the first tip."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from survmap.submissions.ratelimit import parse_rate


@register()
def check_submit_rate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        parse_rate(settings.SURVMAP_SUBMIT_RATE)
    except ValueError as error:
        return [Error(str(error), hint="Write it like '5/hour'.", id="submissions.E001")]
    return []
