"""The address a request came from, for the rate limits (API, submissions) and the login
lockout. Behind reverse proxies REMOTE_ADDR is the nearest proxy's, the same for every visitor:
limits keyed on it would make one visitor's requests count against all, and let one person lock
a moderator's username out for everyone.

SURVMAP_TRUSTED_PROXY_COUNT (environment TRUSTED_PROXY_COUNT) says how many proxies in front of
the server append to X-Forwarded-For. The client is then the address the outermost of them
received the request from: the Nth entry from the right. Entries further left come from the
client and are not trusted. With 0 (the default, a server that faces the internet), the header
is ignored, since anyone can send one.

Limits count a client by `client_bucket`, not by its address: an IPv4 address is one bucket, but
an IPv6 host is routinely given a whole /64 (2^64 addresses), so each IPv6 address would be a
fresh allowance. An IPv6 address counts as its network of SURVMAP_IPV6_LIMIT_PREFIX bits
(environment IPV6_LIMIT_PREFIX, default 64), written as that network's first address so that
it still fits where an address is stored (django-axes' records).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's own address (see the module's docstring)."""
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


def address_bucket(address: str) -> str:
    """What a limit counts for `address`: an IPv4 address itself (an IPv4-mapped IPv6 address
    is its IPv4 address), an IPv6 address the first address of its /SURVMAP_IPV6_LIMIT_PREFIX
    network; anything unreadable as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        prefix = int(getattr(settings, "SURVMAP_IPV6_LIMIT_PREFIX", 64))
        return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).network_address)
    return str(parsed)


def client_bucket(request: HttpRequest) -> str:
    """The key every per-client limit counts under: the tips, research claims and reports,
    signups, the API's throttles, the expensive pages' allowance and the login lockout."""
    return address_bucket(client_ip(request))
