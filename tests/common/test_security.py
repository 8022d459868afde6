"""Production security: check --deploy is clean with DEBUG off, and real responses carry the
headers, with a Content-Security-Policy that names no host but ours (and the tile server's)."""

from __future__ import annotations

import importlib
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import REPO
from tests.factories import PartnershipFactory

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "survmap.example.org",
}
ENV_KNOBS = {
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SURVMAP_TILE_URL",
    "SECRET_KEY",
    "DEBUG",
    "REDIS_URL",
    "GUNICORN_WORKERS",
}


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ENV_KNOBS}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={**base, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warning_with_debug_off():
    # Several workers share one Redis (checks connect to nothing, so no server is needed).
    result = _check_deploy(REDIS_URL="redis://127.0.0.1:6379/0", GUNICORN_WORKERS="5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_several_workers_would_count_limits_apart():
    result = _check_deploy(GUNICORN_WORKERS="5")
    assert result.returncode != 0
    assert "submissions.W001" in result.stdout + result.stderr
    assert "5 workers" in result.stdout + result.stderr
    # One process counts every request: nothing to warn about.
    single = _check_deploy(GUNICORN_WORKERS="1")
    assert single.returncode == 0, single.stdout + single.stderr


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def sources_allowed(header: str) -> set[str]:
    """Every host-like source in the policy (keywords and schemes such as data: are not hosts)."""
    return {
        value
        for values in directives(header).values()
        for value in values
        if not value.startswith("'") and not re.fullmatch(r"[a-z]+:", value)
    }


@pytest.mark.django_db
def test_pages_carry_the_security_headers():
    partnership = PartnershipFactory()
    client = Client()
    for url in (
        reverse("web:home"),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:technology", args=[partnership.technology.slug]),
    ):
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert sources_allowed(response["Content-Security-Policy"]) == set()


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production():
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get(reverse("web:home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_defaults_are_secure(monkeypatch):
    import survmap.settings as settings_module

    for name in ENV_KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    try:
        production = importlib.reload(settings_module)
        assert production.SECURE_SSL_REDIRECT is True
        assert production.SESSION_COOKIE_SECURE is True
        assert production.CSRF_COOKIE_SECURE is True
        assert production.SECURE_HSTS_SECONDS >= 31536000
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


@pytest.mark.parametrize(
    ("tile_url", "expected"),
    [
        ("", set()),
        ("https://tiles.example.org/{z}/{x}/{y}.png", {"https://tiles.example.org"}),
        ("https://{s}.tile.example.net/{z}/{x}/{y}.png", {"https://*.tile.example.net"}),
    ],
)
def test_the_policy_names_only_the_configured_tile_server(monkeypatch, tile_url, expected):
    import survmap.settings as settings_module

    monkeypatch.setenv("SURVMAP_TILE_URL", tile_url)
    try:
        reloaded = importlib.reload(settings_module)
        policy = reloaded.CONTENT_SECURITY_POLICY
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        response = Client().get("/static-does-not-exist/")
    header = response["Content-Security-Policy"]
    assert sources_allowed(header) == expected
    assert directives(header)["img-src"][:2] == ["'self'", "data:"]


def test_templates_have_no_inline_script():
    """The policy allows no inline script or style, so none may be written."""
    templates = list((REPO / "survmap").glob("**/templates/**/*.html"))
    assert templates
    for path in templates:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline <script> in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
        # style-src is 'self' too: no <style> block, no style="" attribute.
        assert "<style" not in text and not re.search(r"\sstyle\s*=", text), path


@pytest.mark.django_db
def test_form_pages_send_referrers_to_us_only_and_other_pages_send_none(client):
    # With no-referrer, Chromium posts forms with "Origin: null", which CSRF refuses.
    submit = client.get(reverse("submissions:submit"))
    assert submit["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in submit.content.decode()
    assert client.get(reverse("admin:login"))["Referrer-Policy"] == "same-origin"
    table = client.get(reverse("web:table"))
    assert table["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in table.content.decode()
