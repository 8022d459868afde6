"""Repeated failed logins lock the username out from that address (django-axes)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": "bob", "password": password, "next": reverse("admin:index")},
    )


def test_the_sixth_login_is_refused_even_with_the_right_password(client, bob: User):
    for _ in range(5):
        response = _login(client, "wrong-password")
        assert "_auth_user_id" not in client.session
    response = _login(client, "bob-password-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_few_mistakes_then_the_right_password_logs_in(client, bob: User):
    for _ in range(3):
        _login(client, "wrong-password")
    response = _login(client, "bob-password-1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_lockout_is_per_username_and_address(client, bob: User):
    for _ in range(5):
        _login(client, "wrong-password")
    other_address = client.post(
        reverse("admin:login"),
        {"username": "bob", "password": "bob-password-1", "next": reverse("admin:index")},
        REMOTE_ADDR="192.0.2.50",
    )
    assert other_address.status_code == 302


def test_behind_a_proxy_a_lockout_holds_only_for_the_client_that_caused_it(
    client, bob: User, settings
):
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    login = reverse("admin:login")
    for _ in range(5):
        client.post(
            login,
            {"username": "bob", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="198.51.100.13",
        )
    refused = client.post(
        login,
        {"username": "bob", "password": "bob-password-1"},
        HTTP_X_FORWARDED_FOR="198.51.100.13",
    )
    assert refused.status_code == 429
    # Bob himself, behind the same proxy from another address, still logs in.
    allowed = client.post(
        login,
        {"username": "bob", "password": "bob-password-1", "next": reverse("admin:index")},
        HTTP_X_FORWARDED_FOR="203.0.113.40",
    )
    assert allowed.status_code == 302


def test_guesses_from_rotating_addresses_lock_the_account_not_only_each_address(
    client, bob: User, settings
):
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    login = reverse("admin:login")
    for n in range(20):
        client.post(
            login,
            {"username": "bob", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"198.51.{100 + n // 4}.{n}",
        )
    guessed = client.post(
        login,
        {"username": "bob", "password": "bob-password-1", "next": reverse("admin:index")},
        HTTP_X_FORWARDED_FOR="203.0.113.77",
    )
    assert guessed.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_lock_spares_the_address_its_owner_logs_in_from(client, bob: User, settings):
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    login = reverse("admin:login")
    usual = {"HTTP_X_FORWARDED_FOR": "2001:db8:5:5::10"}
    assert _login_from(client, "bob-password-1", **usual).status_code == 302
    client.logout()
    for n in range(20):
        client.post(
            login,
            {"username": "bob", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
        )
    # Bob at home, from another address of his own /64, is not slowed down.
    home = _login_from(client, "bob-password-1", HTTP_X_FORWARDED_FOR="2001:db8:5:5::99")
    assert home.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_account_lock_looks_the_same_for_a_username_that_does_not_exist(
    client, bob: User, settings
):
    settings.SURVMAP_TRUSTED_PROXY_COUNT = 1
    answers = []
    for username in ("bob", "nobody-at-all"):
        for n in range(16):
            response = client.post(
                reverse("admin:login"),
                {"username": username, "password": "wrong-password"},
                HTTP_X_FORWARDED_FOR=f"198.18.{n}.{len(username)}",
            )
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1]


def _login_from(client, password: str, **extra: str):
    return client.post(
        reverse("admin:login"),
        {"username": "bob", "password": password, "next": reverse("admin:index")},
        **extra,
    )
