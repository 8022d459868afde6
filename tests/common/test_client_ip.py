"""Behind trusted reverse proxies, limits and lockouts key on the client's address
(survmap.common.client_ip), and a client cannot pick its own address with a header."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from survmap.common.client_ip import address_bucket, client_ip
from survmap.research.models import ResearchTask, TaskStatus
from tests.research.conftest import make_task


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


@pytest.mark.parametrize(
    ("prefix", "address", "bucket"),
    [
        (64, "203.0.113.9", "203.0.113.9"),
        (64, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        (64, "2001:db8:1:2::1", "2001:db8:1:2::"),
        (56, "2001:db8:1:2ff::1", "2001:db8:1:200::"),
        (128, "2001:db8::5", "2001:db8::5"),
        (64, "::ffff:198.51.100.4", "198.51.100.4"),
        (64, "not-an-address", "not-an-address"),
    ],
)
def test_a_limit_counts_an_ipv6_client_by_its_network_and_ipv4_by_its_address(
    prefix: int, address: str, bucket: str
) -> None:
    with override_settings(SURVMAP_IPV6_LIMIT_PREFIX=prefix):
        assert address_bucket(address) == bucket


# One host's /64: a fresh address for every request costs its owner nothing.
ROTATING = [f"2001:db8:77:1::{n:x}" for n in range(1, 9)]


@pytest.mark.django_db
@override_settings(SURVMAP_TRUSTED_PROXY_COUNT=1, SURVMAP_SUBMIT_RATE="5/hour")
def test_research_claims_from_one_ipv6_network_share_one_allowance(client: Client) -> None:
    tasks = [make_task() for _ in ROTATING]
    answers = [
        Client()
        .post(reverse("research:claim", args=[task.pk]), HTTP_X_FORWARDED_FOR=address)
        .status_code
        for task, address in zip(tasks, ROTATING, strict=True)
    ]
    assert answers == [302] * 5 + [429] * 3
    assert ResearchTask.objects.filter(status=TaskStatus.CLAIMED).count() == 5


@pytest.mark.django_db
@override_settings(SURVMAP_API_ANON_RATE="3/min", SURVMAP_TRUSTED_PROXY_COUNT=1)
def test_the_api_throttle_counts_one_ipv6_network_once(client: Client) -> None:
    url = reverse("api:technology-list")
    answers = [client.get(url, HTTP_X_FORWARDED_FOR=a).status_code for a in ROTATING[:4]]
    assert answers == [200, 200, 200, 429]
