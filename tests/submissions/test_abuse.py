"""Abuse limits: the honeypot, the per-address rate limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.moderation.ratelimit import parse_rate
from survmap.submissions.models import Submission
from tests.common.tcp_proxy import free_port

pytestmark = pytest.mark.django_db


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client, tip):
    real = client.post(reverse("submissions:submit"), tip, follow=True)
    Submission.objects.all().delete()
    robot = client.post(
        reverse("submissions:submit"), {**tip, "website": "http://spam.example"}, follow=True
    )
    assert robot.status_code == real.status_code == 200
    assert robot.templates[0].name == real.templates[0].name
    assert "Thank you" in robot.content.decode()
    assert not Submission.objects.exists()


def test_the_rate_limit_refuses_the_sixth_submission_in_an_hour_with_a_clear_page(
    client, tip, settings
):
    settings.SURVMAP_SUBMIT_RATE = "5/hour"
    for _ in range(5):
        assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 200
    response = client.post(reverse("submissions:submit"), tip, follow=True)
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert Submission.objects.count() == 5


def test_the_rate_limit_is_per_address(client, tip, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 200
    assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 429
    other = client.post(reverse("submissions:submit"), tip, REMOTE_ADDR="192.0.2.7", follow=True)
    assert other.status_code == 200
    assert Submission.objects.count() == 2


def test_the_rate_limit_applies_to_corrections_too(client, settings):
    from tests.factories import PartnershipFactory

    settings.SURVMAP_SUBMIT_RATE = "0/hour"
    partnership = PartnershipFactory()
    url = reverse("submissions:correction") + f"?partnership={partnership.pk}"
    assert client.post(url, {"what_is_wrong": "x"}, follow=True).status_code == 429


def test_the_ip_address_is_stored_only_as_a_keyed_hash(client, tip):
    client.post(reverse("submissions:submit"), tip, REMOTE_ADDR="198.51.100.23", follow=True)
    submission = Submission.objects.get()
    assert submission.ip_hash and "198.51.100.23" not in submission.ip_hash
    assert len(submission.ip_hash) == 64


@pytest.mark.parametrize(
    ("rate", "expected"), [("5/hour", (5, 3600)), ("10/15m", (10, 900)), ("1/day", (1, 86400))]
)
def test_rates_are_read_from_settings_text(rate, expected):
    assert parse_rate(rate) == expected


def test_a_malformed_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="SURVMAP_SUBMIT_RATE"):
        parse_rate("lots")


def test_a_malformed_rate_setting_fails_the_system_check(settings):
    from survmap.submissions.checks import check_submit_rate

    settings.SURVMAP_SUBMIT_RATE = "lots"
    assert [error.id for error in check_submit_rate()] == ["submissions.E001"]
    settings.SURVMAP_SUBMIT_RATE = "5/hour"
    assert check_submit_rate() == []


def test_behind_a_proxy_the_submission_limit_is_per_client(client, tip, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    submit = reverse("submissions:submit")
    assert (
        client.post(submit, tip, HTTP_X_FORWARDED_FOR="203.0.113.1", follow=True).status_code == 200
    )
    assert (
        client.post(submit, tip, HTTP_X_FORWARDED_FOR="203.0.113.1", follow=True).status_code == 429
    )
    assert (
        client.post(submit, tip, HTTP_X_FORWARDED_FOR="203.0.113.2", follow=True).status_code == 200
    )
    assert Submission.objects.count() == 2


def test_the_honeypots_status_link_answers_like_a_real_one(client, tip):
    real = client.post(reverse("submissions:submit"), tip, follow=True)
    real_status = client.get(reverse("submissions:status", args=[real.context["token"]]))
    robot = client.post(
        reverse("submissions:submit"), {**tip, "website": "http://spam.example"}, follow=True
    )
    token = robot.context["token"]
    assert len(token) == len(real.context["token"])
    assert Submission.objects.count() == 1
    decoy = client.get(reverse("submissions:status", args=[token]))
    assert decoy.status_code == real_status.status_code == 200
    assert decoy.templates[0].name == real_status.templates[0].name
    text = decoy.content.decode()
    assert "Pending review" in text
    assert "Gotham Police Department: Face recognition" in text
    assert decoy["X-Robots-Tag"] == real_status["X-Robots-Tag"]
    # A made-up token is still unknown.
    assert client.get(reverse("submissions:status", args=["x" * 43])).status_code == 404
    assert (
        client.get(
            reverse("submissions:status", args=[("B" if token[0] == "A" else "A") + token[1:]])
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "query",
    ["agency=%C2%B2", "partnership=%C2%B2", "agency=%D9%A3", "partnership=" + "9" * 40],
)
def test_a_malformed_record_id_on_the_correction_form_is_not_found_not_a_500(client, query):
    response = client.get(reverse("submissions:correction") + "?" + query)
    assert response.status_code == 404


# One host's /64 (common.client_ip): a fresh address for every tip costs its owner nothing.
IPV6_ROTATING = [f"2001:db8:77:1::{n:x}" for n in range(1, 9)]


def test_tips_from_every_address_of_one_ipv6_network_share_one_allowance(client, tip, settings):
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    settings.SURVMAP_SUBMIT_RATE = "5/hour"
    answers = [
        client.post(reverse("submissions:submit"), tip, HTTP_X_FORWARDED_FOR=address).status_code
        for address in IPV6_ROTATING
    ]
    # A stored tip answers with the redirect to its thank-you page; a refused one with 429.
    assert answers == [302] * 5 + [429] * 3
    assert Submission.objects.count() == 5
    # Another network is another client.
    other = client.post(reverse("submissions:submit"), tip, HTTP_X_FORWARDED_FOR="2001:db8:78::1")
    assert other.status_code == 302


def test_with_redis_down_the_tip_limit_still_holds(client, tip, settings):
    # A closed port: every call to the shared cache fails, as when Redis is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "survmap.common.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.SURVMAP_SUBMIT_RATE = "5/hour"
    answers = [
        client.post(reverse("submissions:submit"), tip, REMOTE_ADDR="198.51.100.201").status_code
        for _ in range(8)
    ]
    # A stored tip answers with the redirect to its thank-you page; a refused one with 429.
    assert answers == [302] * 5 + [429] * 3
    assert Submission.objects.count() == 5
