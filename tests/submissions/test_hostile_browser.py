"""In a real browser (headless Chromium), an approved hostile submission runs nothing: no dialog,
no injected script element, and the payload is visible as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from survmap.submissions.services import submission_approve
from tests.conftest import require_or_skip
from tests.submissions.conftest import make_submission

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
AGENCY = f"{SCRIPT} Police Department"

pytestmark = [
    pytest.mark.browser,
    # live_server needs committed data. (serialized_rollback would clash with the moderators
    # group that post_migrate recreates after another transactional test's flush.)
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def hostile_agency_url(live_server) -> str:
    """Stored and approved before the browser starts: Playwright's sync API runs an event loop
    in this thread, and Django refuses database calls from inside one."""
    moderator = User.objects.create_user("mod", password="mod-password-1", is_staff=True)
    submission = make_submission(
        agency_name=AGENCY, description=f"{SCRIPT} described", source_title=IMG
    )
    submission_approve(submission=submission, moderator=moderator)
    submission.refresh_from_db()
    return live_server.url + reverse("web:agency", args=[submission.result_agency_id])


@pytest.fixture
def browser():
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield instance
        instance.close()


def test_an_approved_hostile_submission_runs_nothing_in_the_browser(
    live_server, hostile_agency_url, browser
):
    agency_url = hostile_agency_url
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    external: list[str] = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    for url in (agency_url, live_server.url + reverse("web:table")):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.get_by_text(AGENCY).first.is_visible(), url
        scripts = page.eval_on_selector_all(
            "script", "nodes => nodes.map(n => n.textContent + (n.src || ''))"
        )
        assert not any("alert(1)" in script for script in scripts), url
        assert page.locator("img[onerror]").count() == 0, url
    page.goto(agency_url)
    assert page.get_by_text(IMG).first.is_visible()

    # On the map, the agency reaches the page through the search box's results.
    page.goto(live_server.url + reverse("web:home"))
    page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
    page.fill("#search-input", "Police Department")
    page.wait_for_selector("#search-results li[role=option]")
    assert SCRIPT in page.inner_text("#search-results")
    assert page.locator("#search-results script, #search-results img").count() == 0
    assert page.locator("img[onerror]").count() == 0
    assert dialogs == []
    assert external == []
    page.close()
