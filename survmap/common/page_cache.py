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

The cache stores what it sends: a page is gzipped once, when it is stored, so that a hit is the
stored bytes and nothing more (the compression middleware above leaves an encoded answer alone).
For a reader without gzip the page is unpacked once and that plain copy kept beside it (up to 4
times the size limit), so neither encoding pays per hit. Pages that are expensive to keep (over
`SURVMAP_PAGE_CACHE_MAX_BYTES` as stored, gzipped) are not kept at all. Only the cookies survmap
sets (session, CSRF, messages, language) make a request personal: any other cookie (a tracker's,
an attacker's `Cookie: x=1`) is no reason to skip the cache.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    cc_delim_re,
    get_cache_key,
    has_vary_header,
    learn_cache_key,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.text import compress_string

from survmap.common import data_version

GZIP = "gzip"
IDENTITY = "identity"
# Shorter pages are sent as they are (as GZipMiddleware does).
COMPRESS_FROM_BYTES = 200
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# A page's plain copy (for readers without gzip) is kept up to this many times the size limit.
PLAIN_TIMES_MAX = 4


def own_cookies() -> frozenset[str]:
    """The cookies survmap itself sets: only these say a request may be personal."""
    return frozenset(
        {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            # django.contrib.messages' cookie storage (the fallback of the session storage).
            "messages",
        }
    )


def _headers(response: HttpResponse) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.items() if k.lower() != "content-length"]


def _plain_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() != "content-encoding"]


def _encoding(request: HttpRequest) -> str:
    return GZIP if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else IDENTITY


class PublicPageCacheMiddleware:
    """Serve and store anonymous GETs. Anything personal is never stored: a request with one of
    survmap's cookies or credentials bypasses the cache, and a response that sets a cookie,
    varies on Cookie (a CSRF-protected form), is not a 200 or says private/no-store is passed
    through."""

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
            status, headers, content, gzipped = cached
            if gzipped and _encoding(request) != GZIP:
                assert key is not None
                # A reader without gzip: the plain copy, kept beside the gzipped one the first
                # time one asks (unpacking a map file of 1.5 MB on every hit cost 3/4 of
                # that reader's rate).
                plain = cache.get(f"{key}:{IDENTITY}")
                if plain is None:
                    plain = (gzip.decompress(content), _plain_headers(headers))
                    self._keep_plain(key, plain, timeout)
                content, headers = plain
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            # The response says what it varies on; the key learnt from it includes those headers
            # (learnt before the page is gzipped: one entry serves both encodings).
            key = learn_cache_key(request, response, timeout, prefix, cache)
            # Worked out once and stored, for ConditionalGetMiddleware's 304s on every hit.
            if not response.has_header("ETag"):
                set_response_etag(response)
            stored = self._compressed(response)
            if stored is None:
                status, headers, content = (
                    response.status_code,
                    _headers(response),
                    response.content,
                )
                gzipped = False
            else:
                status, headers, content = stored
                gzipped = True
            if len(content) <= self._max_bytes():
                cache.set(key, (status, headers, content, gzipped), timeout)
                if gzipped and _encoding(request) != GZIP:
                    self._keep_plain(key, (response.content, _plain_headers(headers)), timeout)
            if gzipped and _encoding(request) == GZIP:
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
        return response

    @staticmethod
    def _compressed(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """The page gzipped once, as GZipMiddleware would for each request (None when it is
        short, already encoded or does not shrink). A stored page holds no secret (a page with
        a form varies on Cookie and is never stored), so the random padding that GZipMiddleware
        adds against BREACH would protect nothing here."""
        if response.has_header("Content-Encoding") or len(response.content) < COMPRESS_FROM_BYTES:
            return None
        compressed = compress_string(response.content, max_random_bytes=0)
        if len(compressed) >= len(response.content):
            return None
        patch_vary_headers(response, ("Accept-Encoding",))
        headers = [*_headers(response), ("Content-Encoding", GZIP)]
        return response.status_code, headers, compressed

    def _keep_plain(
        self, key: str, plain: tuple[bytes, list[tuple[str, str]]], timeout: int
    ) -> None:
        # Pages are a few times their gzipped size unpacked: kept while that stays reasonable.
        if len(plain[0]) <= PLAIN_TIMES_MAX * self._max_bytes():
            cache.set(f"{key}:{IDENTITY}", plain, timeout)

    @staticmethod
    def _max_bytes() -> int:
        return int(getattr(settings, "SURVMAP_PAGE_CACHE_MAX_BYTES", 1_000_000))

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        if request.method not in {"GET", "HEAD"}:
            return False
        if own_cookies() & request.COOKIES.keys() or "HTTP_AUTHORIZATION" in request.META:
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
        # header list) unreachable at once. "v2": entries hold whether they are gzipped.
        return f"survmap:page:v2:{data_version.current().token}"
