"""The interactive API documentation works under the site's Content-Security-Policy: Swagger UI
draws every endpoint, and the browser reports no blocked script or style."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import require_or_skip

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_draws_the_endpoints_with_nothing_blocked(live_server):
    require_or_skip(CHROMIUM.exists(), f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on(
                "console",
                lambda message: (
                    problems.append(message.text)
                    if message.type == "error" or "Content Security Policy" in message.text
                    else None
                ),
            )
            response = page.goto(live_server.url + reverse("api:docs"))
            assert response is not None and response.status == 200
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector(".opblock", timeout=20_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert problems == []
    assert any("/api/v1/partnerships/" in path.replace("\u200b", "") for path in paths)
