"""ETag and Last-Modified for the API, from the shared data version (common.data_version)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
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
    """ETag and Last-Modified on a view's answers, and 304 Not Modified when they match."""
    return condition(etag_func=_etag, last_modified_func=_last_modified)(view)
