"""A volunteer's task in headless Chromium, as a person sees it: the task list, the claim with
its checklist, the report, the private status link; and the agency page listing the check.
Screenshots go to test-artifacts/ at a phone's and a laptop's size."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.urls import reverse

from survmap.geo.models import State
from survmap.research.models import CheckStatus, ResearchCheck
from survmap.research.services import check_approve
from tests.conftest import axe_violations
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


@pytest.fixture
def task(live_server):
    # An earlier transactional test may have flushed the census tables.
    State.objects.get_or_create(code="MI", defaults={"fips": "26", "name": "Michigan"})
    agency = AgencyFactory(name="Warren Police Department", city="Warren")
    PartnershipFactory(agency=agency)
    return make_task(
        agency=agency,
        technology=TechnologyFactory(name="Drones", slug="drones"),
        priority_reasons="police agency; 1 other technology recorded; never checked",
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_a_volunteer_takes_a_task_and_reports_none_found(live_server, task, bob, chromium, size):
    ARTIFACTS.mkdir(exist_ok=True)
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live_server.url + reverse("research:tasks"))
    assert page.get_by_text("Warren Police Department").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"research-tasks-{size}.png"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Take this task").click()
    page.wait_for_selector("ol.checklist")
    assert page.get_by_text("Council agendas and minutes").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"research-claim-{size}.png"), full_page=True)
    assert axe_violations(page) == []
    page.fill("#id_council_agenda_url", "https://warren.example.gov/agendas?q=drone")
    page.fill("#id_council_agenda_notes", "Searched 2022-2026 agendas for drone and UAS")
    page.get_by_label("Looked, none found").check()
    page.fill("#id_credit_name", "Dana Researcher")
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_selector("#status-link")
    page.screenshot(path=str(ARTIFACTS / f"research-reported-{size}.png"), full_page=True)
    page.click("#status-link")
    assert page.get_by_text("Pending review").is_visible()

    def approve() -> None:
        check_approve(research_check=ResearchCheck.objects.get(), moderator=bob)

    # Playwright's event loop runs in this thread, and Django refuses database calls in it.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(approve).result()
    page.goto(live_server.url + reverse("web:agency", args=[task.agency_id]))
    checks = page.locator("section.research-checks")
    assert checks.get_by_text("Looked, none found").is_visible()
    assert checks.get_by_text("Dana Researcher").is_visible()
    checks.screenshot(path=str(ARTIFACTS / f"research-agency-{size}.png"))
    page.goto(live_server.url + reverse("web:region", args=["26"]))
    page.locator("section.research-coverage").screenshot(
        path=str(ARTIFACTS / f"research-coverage-{size}.png")
    )
    page.close()
    assert errors == []

    def stored() -> tuple[str, str]:
        research_check = ResearchCheck.objects.get()
        return research_check.status, research_check.sources.get().url

    with ThreadPoolExecutor(1) as pool:
        status, url = pool.submit(stored).result()
    assert status == CheckStatus.APPROVED
    assert url == "https://warren.example.gov/agendas?q=drone"
