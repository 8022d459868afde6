"""A directory agency with no partnership, as a reader sees it on a phone and a desktop: what is
known, "No partnership recorded", the checks made, and a tip link that opens the form with the
agency picked. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from survmap.research.models import CheckOutcome
from tests.conftest import axe_violations
from tests.factories import DirectoryAgencyFactory, TechnologyFactory
from tests.research.conftest import approved_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def devine(bob):
    agency = DirectoryAgencyFactory(
        name="Devine Police Department",
        ori="MI5086000",
        city="Devine",
        counties=["26099"],
        latitude=42.5,
        longitude=-82.9,
    )
    approved_check(
        bob,
        agency=agency,
        technology=TechnologyFactory(name="Drones", slug="drones"),
        outcome=CheckOutcome.NONE_FOUND,
        summary="Searched the council minutes and the police budget for drones.",
    )
    return agency


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_directory_agency_page_says_what_is_known_and_how_to_add_a_partnership(
    devine, live_server, chromium, viewport
):
    page = chromium.new_page(viewport=viewport)
    response = page.goto(live_server.url + reverse("web:agency", args=[devine.pk]))
    assert response is not None and response.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"directory-agency-{viewport['width']}.png"), full_page=True
    )
    assert page.get_by_role("heading", name="No partnership recorded").is_visible()
    assert page.get_by_text("MI5086000").is_visible()
    assert page.get_by_text("FBI Crime Data Explorer").first.is_visible()
    assert page.get_by_text("Searched the council minutes").is_visible()
    assert page.get_by_role("link", name="Suggest a correction to this agency").count() == 0
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    page.get_by_role("link", name="Suggest a partnership of Devine Police Department").click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + reverse("submissions:submit"))
    assert page.locator("input[name=agency_name]").input_value() == "Devine Police Department"
    page.close()
