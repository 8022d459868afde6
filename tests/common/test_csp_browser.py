"""In a real browser, the public pages load nothing from another host and break no rule of our
Content-Security-Policy (so a script or style the policy blocks is caught here, not by readers)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.conftest import require_or_skip
from tests.factories import PartnershipFactory

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_obey_the_policy_and_stay_on_our_host(live_server):
    require_or_skip(CHROMIUM.exists(), f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    partnership = PartnershipFactory()
    paths = [
        reverse("web:home"),
        reverse("web:table"),
        reverse("web:region", args=[partnership.agency.state.fips]),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:technology", args=[partnership.technology.slug]),
    ]
    ours = urlsplit(live_server.url).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page()
            hosts: set[str] = set()
            violations: list[str] = []
            page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, path
                assert "default-src 'self'" in response.headers["content-security-policy"]
                if path == paths[0]:
                    # The map's scripts run under the policy: the outlines get drawn.
                    page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
                # The stylesheet applied: a blocked or missing style would leave the defaults.
                assert page.evaluate("document.styleSheets.length") >= 1
        finally:
            browser.close()
    assert hosts == {ours}
    assert violations == []
