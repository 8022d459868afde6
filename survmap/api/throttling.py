"""Anonymous throttling whose rate is read from settings at request time."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from survmap.common.client_ip import client_ip


class AnonymousThrottle(AnonRateThrottle):
    """DRF copies its rates into a class attribute at import; reading the setting on each request
    lets a deployment (and a test) change SURVMAP_API_ANON_RATE without a restart."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return str(settings.SURVMAP_API_ANON_RATE) or None

    def get_ident(self, request: Request) -> str:
        # The client behind our trusted proxies (common.client_ip), as the other limits see it.
        return client_ip(request)
