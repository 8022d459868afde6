"""A per-address limit on submissions, counted in Django's cache (Redis in production)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache

_PERIODS = {
    "s": 1,
    "second": 1,
    "m": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/hour' -> (5, 3600). '0/hour' turns submissions off."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", rate.lower())
    if not match or match[3] not in _PERIODS:
        raise ValueError(f"SURVMAP_SUBMIT_RATE {rate!r} is not like '5/hour'")
    return int(match[1]), int(match[2] or 1) * _PERIODS[match[3]]


def _key(ip_hash: str) -> str:
    return f"survmap:submit-rate:{ip_hash}"


def is_limited(ip_hash: str) -> bool:
    limit, _period = parse_rate(settings.SURVMAP_SUBMIT_RATE)
    return int(cache.get(_key(ip_hash), 0)) >= limit


def count(ip_hash: str) -> None:
    """Count one submission; the window starts with the first one."""
    _limit, period = parse_rate(settings.SURVMAP_SUBMIT_RATE)
    key = _key(ip_hash)
    if cache.add(key, 1, timeout=period):
        return
    try:
        cache.incr(key)
    except ValueError:
        # Expired between add and incr: start a new window.
        cache.set(key, 1, timeout=period)
