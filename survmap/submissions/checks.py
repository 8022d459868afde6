"""Start-up checks: a malformed submission rate is reported by `manage.py check`, not as a 500
on the first tip; `check --deploy` warns when the limits would be counted apart per process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from survmap.common.serving import gunicorn_workers
from survmap.moderation.ratelimit import parse_rate

# Caches that each process keeps to itself (or not at all).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def check_submit_rate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        parse_rate(settings.SURVMAP_SUBMIT_RATE)
    except ValueError as error:
        return [Error(str(error), hint="Write it like '5/hour'.", id="submissions.E001")]
    return []


@register(Tags.security, deploy=True)
def check_rate_limits_are_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The tip limit, the API's throttles and the data version count in the cache: with a
    local-memory cache each gunicorn worker counts apart, so five workers let five times the
    limit through."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    workers = gunicorn_workers()
    if backend not in PER_PROCESS_CACHES or workers <= 1:
        return []
    return [
        Warning(
            f"Rate limits ({settings.SURVMAP_SUBMIT_RATE} tips per address, "
            f"{settings.SURVMAP_API_ANON_RATE} API requests) are counted in a per-process "
            f"cache ({backend.rsplit('.', 1)[-1]}) while gunicorn runs {workers} workers: "
            "each worker counts apart, so an address gets up to "
            f"{workers} times the limit.",
            hint="Set REDIS_URL to share one cache between the workers, or GUNICORN_WORKERS=1.",
            id="submissions.W001",
        )
    ]
