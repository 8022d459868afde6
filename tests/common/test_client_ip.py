"""Behind trusted reverse proxies, limits and lockouts key on the client's address
(survmap.common.client_ip), and a client cannot pick its own address with a header."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from survmap.common.client_ip import client_ip


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is anyone's to send
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's say
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "127.0.0.1"),
        (1, "not-an-address", "127.0.0.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    count: int, forwarded: str, expected: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(SURVMAP_TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(SURVMAP_API_ANON_RATE="2/min", SURVMAP_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_has_its_own_api_allowance(client: Client) -> None:
    url = reverse("api:technology-list")
    for _ in range(2):
        assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.31").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.31").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.32").status_code == 200
    # Prepending an address of one's choosing does not buy a new allowance.
    spoofed = client.get(url, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.31")
    assert spoofed.status_code == 429


@pytest.mark.django_db
@override_settings(SURVMAP_API_ANON_RATE="2/min")
def test_without_a_trusted_proxy_the_header_changes_nothing(client: Client) -> None:
    url = reverse("api:technology-list")
    # An address of this test's own: the throttle's counts live in the cache, shared by tests.
    remote = "192.0.2.211"
    for address in ("203.0.113.1", "203.0.113.2"):
        response = client.get(url, HTTP_X_FORWARDED_FOR=address, REMOTE_ADDR=remote)
        assert response.status_code == 200
    response = client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.3", REMOTE_ADDR=remote)
    assert response.status_code == 429
