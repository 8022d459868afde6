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
