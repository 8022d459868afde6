"""The address a request came from, for the rate limits (API, submissions) and the login
lockout. Behind reverse proxies REMOTE_ADDR is the nearest proxy's, the same for every visitor:
limits keyed on it would make one visitor's requests count against all, and let one person lock
a moderator's username out for everyone.

SURVMAP_TRUSTED_PROXY_COUNT (environment TRUSTED_PROXY_COUNT) says how many proxies in front of
the server append to X-Forwarded-For. The client is then the address the outermost of them
received the request from: the Nth entry from the right. Entries further left come from the
client and are not trusted. With 0 (the default, a server that faces the internet), the header
is ignored, since anyone can send one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "SURVMAP_TRUSTED_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
