"""A cost-based allowance per client for the answers that are expensive to make.

A standalone map file takes a worker most of a second to build, a share image about one, a page
for a filter combination nobody asked for before a query of its own; the page cache answers a
repeated request for free, but unique query strings miss it every time. Each such view is
decorated with its cost in units (`costly`), and each client (its address bucket:
`common.client_ip.client_bucket`, an IPv6 /64) may spend SURVMAP_COSTLY_ALLOWANCE units per
window of SURVMAP_COSTLY_WINDOW_SECONDS. Past that, the answer is a quick 429 with Retry-After
(the seconds until the window ends) instead of a queue of builds that holds every worker.

Only misses of the page cache reach a view, so pages already made cost nothing. Staff are not
counted. Counted in `common.cache.limit_counters`: shared through Redis, per process while Redis
is down. A refused request does not spend its units.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

from survmap.common.cache import limit_counters
from survmap.common.client_ip import client_bucket

View = TypeVar("View", bound=Callable[..., HttpResponse])
Cost = int | Callable[[HttpRequest], int]

# What each kind of answer costs, in units of the allowance (about a tenth of a second of a
# worker each; measured build times in docs/security.md).
MAP_FILE_COUNTY = 10
MAP_FILE_STATE = 4
SHARE_IMAGE = 6
EMBED = 2
FILTERED_PAGE = 1


def map_file_cost(request: HttpRequest) -> int:
    return MAP_FILE_STATE if request.GET.get("level") == "state" else MAP_FILE_COUNTY


def filtered_page_cost(request: HttpRequest) -> int:
    """A page with a query string is one the page cache is least likely to hold."""
    return FILTERED_PAGE if request.GET else 0


def _key(bucket: str, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), bucket.encode(), hashlib.sha256).hexdigest()
    return f"survmap:cost:{window}:{digest[:32]}"


def spend(bucket: str, units: int) -> int:
    """Spend `units` of the bucket's allowance: 0 when allowed, else the seconds to wait."""
    allowance = int(settings.SURVMAP_COSTLY_ALLOWANCE)
    period = max(1, int(settings.SURVMAP_COSTLY_WINDOW_SECONDS))
    if allowance <= 0:
        return 0
    now = time.time()
    window = int(now // period)
    key = _key(bucket, window)
    limit_counters.add(key, 0, period)
    try:
        used = limit_counters.incr(key, units)
    except ValueError:
        # The window's key vanished between add and incr: count this request alone.
        used = units
    if used <= allowance:
        return 0
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        limit_counters.decr(key, units)
    return max(1, math.ceil((window + 1) * period - now))


def too_many(seconds: int) -> HttpResponse:
    response = HttpResponse(
        loader.render_to_string("429.html", {"minutes": max(1, math.ceil(seconds / 60))}),
        status=429,
        content_type="text/html; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def _is_staff(request: HttpRequest) -> bool:
    # Without a session cookie nobody is signed in; looking at request.user would read the
    # session and make the answer vary on Cookie, which the page cache never stores.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(getattr(getattr(request, "user", None), "is_staff", False))


def costly(cost: Cost) -> Callable[[View], View]:
    """Charge the view's answers to the client's allowance: `cost` units, or a function of the
    request giving them (0: free)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            units = cost(request) if callable(cost) else cost
            if units > 0 and not _is_staff(request):
                wait = spend(client_bucket(request), units)
                if wait:
                    return too_many(wait)
            return view(request, *args, **kwargs)

        return inner  # type: ignore[return-value]

    return decorator
