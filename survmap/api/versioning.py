"""ETag and Last-Modified for the API, from the shared data version (common.data_version)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import condition

from survmap.common import data_version


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    # The same data in another format or for another query is another representation.
    key = "|".join(
        (
            data_version.current().token,
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.META.get("HTTP_ACCEPT", ""),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime:
    return data_version.current().last_modified


def conditional(view: Callable[..., Any]) -> Callable[..., Any]:
    """ETag and Last-Modified on a view's answers, and 304 Not Modified when they match. Not on
    errors (a 400, a 429): they are no version of the data, and a client that revalidated one
    would be told 304 instead of the error."""
    conditioned = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = conditioned(request, *args, **kwargs)
        if response.status_code >= 400:
            for header in ("ETag", "Last-Modified"):
                if response.has_header(header):
                    del response[header]
        return response

    return inner
