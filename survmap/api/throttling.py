"""Anonymous throttling whose rate is read from settings at request time."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from survmap.common.cache import limit_counters
from survmap.common.client_ip import client_bucket


class AnonymousThrottle(AnonRateThrottle):
    """DRF copies its rates into a class attribute at import; reading the setting on each request
    lets a deployment (and a test) change SURVMAP_API_ANON_RATE without a restart."""

    scope = "anon"
    # Shared while Redis is up, per process while it is down (never off).
    cache = limit_counters  # type: ignore[assignment]  # the methods DRF calls: get, set

    def get_rate(self) -> str | None:
        return str(settings.SURVMAP_API_ANON_RATE) or None

    def get_ident(self, request: Request) -> str:
        # The client behind our trusted proxies (common.client_ip), as the other limits see it.
        return client_bucket(request)


class ExportThrottle(AnonymousThrottle):
    """The whole-set exports' own, lower allowance (SURVMAP_API_EXPORT_RATE), counted apart
    from the list pages': one export of every row costs seconds of a worker, a list page
    milliseconds. An export answered from a release file costs nothing and is not counted."""

    scope = "export"

    def get_rate(self) -> str | None:
        return str(settings.SURVMAP_API_EXPORT_RATE) or None

    def allow_request(self, request: Request, view: Any) -> bool:
        release_file = getattr(view, "release_file", None)
        if release_file is not None and release_file(request) is not None:
            return True
        return super().allow_request(request, view)
