"""The form's pick-as-you-type, in headless Chromium: typing lists public agencies, picking one
ties the tip to it. (Without JavaScript the same form works: see test_form.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from survmap.geo.models import State
from survmap.submissions.models import Submission
from tests.conftest import require_or_skip
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def known_agency(live_server) -> tuple[int, int]:
    """Stored before the browser starts: Playwright's sync API runs an event loop in this
    thread, and Django refuses database calls from inside one."""
    # An earlier transactional test may have flushed the census tables.
    state, _ = State.objects.get_or_create(code="NY", defaults={"fips": "36", "name": "New York"})
    agency = AgencyFactory(name="Gotham Police Department", state=state, city="Gotham")
    PartnershipFactory(agency=agency)
    technology = TechnologyFactory(name="Drones", slug="drones")
    return agency.pk, technology.pk


def test_typing_lists_agencies_and_picking_one_ties_the_tip_to_it(live_server, known_agency):
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    agency_pk, technology_pk = known_agency
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()
        page.goto(live_server.url + reverse("submissions:submit"))
        page.fill("#id_agency_name", "Gotham")
        match = page.locator("button.agency-match", has_text="Gotham Police Department")
        match.wait_for(timeout=5000)
        match.click()
        assert page.input_value("input[name=agency]") == str(agency_pk)
        assert page.input_value("#id_agency_state") == "NY"
        page.select_option("#id_technology", str(technology_pk))
        page.fill("#id_source_1_url", "https://news.example.org/gotham-drones")
        page.click("button[type=submit]")
        page.wait_for_selector("#status-link")
        browser.close()
    submission = Submission.objects.get()
    assert submission.agency_id == agency_pk
    assert submission.sources.get().url == "https://news.example.org/gotham-drones"
