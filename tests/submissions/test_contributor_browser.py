"""In a browser: a tip that repeats a published record shows it while it is typed, with a
link to suggest a correction instead; the confirmation's button copies the status link; the
form and the confirmation pass axe-core."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.geo.models import State
from tests.conftest import axe_violations
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(db) -> dict[str, int]:
    state, _ = State.objects.get_or_create(code="NY", defaults={"fips": "36", "name": "New York"})
    agency = AgencyFactory(name="Gotham Police Department", state=state, city="Gotham")
    technology = TechnologyFactory(name="Drones", slug="drones")
    partnership = PartnershipFactory(agency=agency, technology=technology)
    return {"technology": technology.pk, "partnership": partnership.pk}


def test_a_tip_that_repeats_a_record_shows_it_as_it_is_typed(published, live_server, chromium):
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + reverse("submissions:submit"))
    assert axe_violations(page) == []
    page.select_option("#id_agency_state", "NY")
    page.fill("#id_agency_name", "Gotham Police Department")
    page.select_option("#id_technology", str(published["technology"]))
    notice = page.locator("#duplicate-matches")
    notice.get_by_text("survmap already records this").wait_for(timeout=5000)
    correction = notice.get_by_role("link", name="suggest a correction")
    expected = reverse("submissions:correction") + f"?partnership={published['partnership']}"
    assert correction.get_attribute("href") == expected


def test_the_copy_button_puts_the_status_link_on_the_clipboard(published, live_server, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + reverse("submissions:submit"))
    page.select_option("#id_agency_state", "NY")
    page.fill("#id_agency_name", "Metropolis Police Department")
    page.select_option("#id_technology", str(published["technology"]))
    page.fill("#id_source_1_url", "https://news.example.org/metropolis-drones")
    page.click("button[type=submit]")
    link = page.locator("#status-link")
    link.wait_for()
    assert axe_violations(page) == []
    # The address wraps inside a phone's screen instead of running off it.
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for(timeout=5000)
    assert page.evaluate("navigator.clipboard.readText()") == link.get_attribute("href").replace(
        "/submissions/", live_server.url + "/submissions/", 1
    )
