"""Anonymous throttling whose rate is read from settings at request time."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """DRF copies its rates into a class attribute at import; reading the setting on each request
    lets a deployment (and a test) change SURVMAP_API_ANON_RATE without a restart."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return str(settings.SURVMAP_API_ANON_RATE) or None
