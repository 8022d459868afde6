"""Whole-page caching of public pages for anonymous readers, invalidated when the records change.

The day a newspaper links the map, almost every request is the same anonymous GET. This
middleware answers those from the cache (Redis when REDIS_URL is set, so all workers share it;
local memory otherwise). Every cache key carries a data version that any save or delete of a
record bumps, so an edit shows at once where the cache is shared; `SURVMAP_PAGE_CACHE_SECONDS`
bounds how stale a page can be where it is not (local memory, one per worker), or after a bulk
write that sends no signals (see survmap.common.data_version).

Keys come from Django's own cache utilities (`learn_cache_key` / `get_cache_key`): the method,
the absolute URL and the value of every request header the response names in `Vary`. An API
answer negotiated on `Accept` (JSON, CSV, GeoJSON) or outlines negotiated on `Accept-Encoding`
are stored apart, so one client's format is never served to another.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    cc_delim_re,
    get_cache_key,
    has_vary_header,
    learn_cache_key,
    set_response_etag,
)

from survmap.common import data_version


class PublicPageCacheMiddleware:
    """Serve and store anonymous GETs. Anything personal is never stored: a request with a cookie
    or credentials bypasses the cache, and a response that sets a cookie, varies on Cookie
    (a CSRF-protected form), is not a 200 or says private/no-store is passed through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = int(getattr(settings, "SURVMAP_PAGE_CACHE_SECONDS", 0))
        if timeout <= 0 or not self._cacheable_request(request):
            return self.get_response(request)
        prefix = self._prefix()
        key = get_cache_key(request, prefix, request.method or "GET", cache)
        cached = cache.get(key) if key is not None else None
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            # The response says what it varies on; the key learnt from it includes those headers.
            key = learn_cache_key(request, response, timeout, prefix, cache)
            # Worked out once and stored, for ConditionalGetMiddleware's 304s on every hit.
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
            cache.set(key, (response.status_code, headers, response.content), timeout)
        return response

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        if request.method not in {"GET", "HEAD"}:
            return False
        if request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return False
        excluded = getattr(settings, "SURVMAP_PAGE_CACHE_EXCLUDE", ("/admin/",))
        return not request.path.startswith(tuple(excluded))

    @staticmethod
    def _cacheable_response(response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if has_vary_header(response, "Cookie") or has_vary_header(response, "*"):
            return False
        directives = {
            part.strip().split("=")[0].lower()
            for part in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        return not directives & {"private", "no-store", "no-cache"}

    @staticmethod
    def _prefix() -> str:
        # The data version in the prefix: a write makes every stored page (and every learnt
        # header list) unreachable at once.
        return f"survmap:page:{data_version.current().token}"
