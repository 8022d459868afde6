"""A per-client limit on what the public sends (tips, corrections, research reports, sign-ups),
counted atomically in Django's cache (Redis in production; each process's memory while Redis is
down: survmap.common.cache.LimitCounters), under a keyed hash of the client's address bucket.

A place is taken (`reserve`) before the submission is checked and saved, with one atomic
increment, and given back (`release`) when nothing was stored: twelve tips posted at once against
'3/hour' store three, where a check before saving and a count after it let most of them through.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re

from django.conf import settings

from survmap.common.cache import limit_counters

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


def ip_hash(address: str) -> str:
    """A keyed hash of the sender's address: enough to count submissions, useless to identify."""
    return hmac.new(
        settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256
    ).hexdigest()


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/hour' -> (5, 3600). '0/hour' turns submissions off."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", rate.lower())
    if not match or match[3] not in _PERIODS:
        raise ValueError(f"SURVMAP_SUBMIT_RATE {rate!r} is not like '5/hour'")
    return int(match[1]), int(match[2] or 1) * _PERIODS[match[3]]


def _key(ip_hash: str) -> str:
    return f"survmap:submit-rate:{ip_hash}"


def _increment(key: str, delta: int, period: int) -> int:
    """The counter after adding `delta`, atomically; the window starts with the first one."""
    for _attempt in range(3):
        # add() only creates a missing key, so concurrent first requests do not reset it.
        limit_counters.add(key, 0, timeout=period)
        try:
            return int(limit_counters.incr(key, delta))
        except ValueError:
            # Expired (or evicted) between add and incr: open a new window and try again.
            continue
    # The key vanished three times running (evicted as soon as written): count this one alone.
    return delta


def reserve(ip_hash: str) -> bool:
    """Take one of the address's places for this window; False when none is left."""
    limit, period = parse_rate(settings.SURVMAP_SUBMIT_RATE)
    if limit <= 0:
        return False
    key = _key(ip_hash)
    if _increment(key, 1, period) <= limit:
        return True
    release(ip_hash)
    return False


def release(ip_hash: str) -> None:
    """Give back a place taken by `reserve` when nothing was submitted (a form with errors)."""
    # Expired meanwhile: nothing to give back.
    with contextlib.suppress(ValueError):
        limit_counters.decr(_key(ip_hash))
