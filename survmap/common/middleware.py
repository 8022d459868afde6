"""Response middleware: a 503 page for a lost database; the referrer policy of form pages;
conditional GETs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """A database that is restarting or unreachable raises OperationalError/InterfaceError in the
    view; readers get a static 503 page (rendered without a request context, so it touches neither
    the database nor the session) with Retry-After, instead of a traceback or a generic 500.
    Django reconnects on the next request, so the site recovers by itself when the database
    returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        # Drop the broken connection now, so the next request opens a fresh one as soon as the
        # database is back (rather than relying on the request_finished signal alone).
        for conn in connections.all(initialized_only=True):
            with contextlib.suppress(DatabaseError):
                conn.close_if_unusable_or_obsolete()
        response = HttpResponse(
            loader.render_to_string("503.html"), status=503, content_type="text/html"
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class FormReferrerPolicyMiddleware:
    """Referrer-Policy "same-origin" on pages that post forms back to us, "no-referrer" (from
    SecurityMiddleware, which only fills in a missing header) everywhere else. Must come after
    SecurityMiddleware in MIDDLEWARE, so that it sees the response first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.SURVMAP_SAME_ORIGIN_REFERRER_PATHS)):
            response.headers["Referrer-Policy"] = "same-origin"
        return response


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """304 Not Modified when If-None-Match or If-Modified-Since match, on every answer, those of
    the page cache included (it sits outside PublicPageCacheMiddleware in MIDDLEWARE). An ETag is
    added to 200s only: an error is no version of a page, and tagging one invites a client to
    keep it (survmap.api.versioning strips them from the API's errors for the same reason)."""

    def needs_etag(self, response: HttpResponseBase) -> bool:
        return response.status_code == 200 and bool(super().needs_etag(response))
