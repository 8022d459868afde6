"""The map tells "looked, none found" from "not researched": its own colour and legend entry,
for the current filters."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from survmap.geo.models import State
from survmap.research.services import check_approve
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOKED = "#9db8d6"
NONE = "#dfe3e8"


@pytest.fixture
def looked_in_ohio(live_server, settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    # An earlier transactional test may have flushed the census tables.
    michigan, _ = State.objects.get_or_create(
        code="MI", defaults={"fips": "26", "name": "Michigan"}
    )
    ohio, _ = State.objects.get_or_create(code="OH", defaults={"fips": "39", "name": "Ohio"})
    State.objects.get_or_create(code="IL", defaults={"fips": "17", "name": "Illinois"})
    drones = TechnologyFactory(name="Drones", slug="drones")
    plates = TechnologyFactory(name="Plate readers", slug="plates")
    PartnershipFactory(agency=AgencyFactory(state=michigan), technology=drones)
    PartnershipFactory(agency=AgencyFactory(state=michigan), technology=plates)
    moderator = User.objects.create_user("mod", is_staff=True)
    check_approve(
        research_check=make_check(agency=AgencyFactory(state=ohio), technology=drones),
        moderator=moderator,
    )


def _fill(page, fips: str) -> str:
    return str(page.evaluate("(f) => document.getElementById('map').survmap.fillOf(f)", fips))


def test_looked_none_found_has_its_own_colour_and_legend_entry(
    looked_in_ohio, live_server, chromium
):
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    # Playwright's wait_for_function evaluates strings, which our CSP forbids.
    page = chromium.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + reverse("web:home") + "?level=state")
    page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
    legend = page.inner_text("#legend")
    # "No record" for nothing recorded; "Not researched" is not claimed for it (issue 26).
    assert "Looked, none found" in legend and "No record" in legend
    assert "Not researched" not in legend
    assert _fill(page, "39") == LOOKED  # Ohio: a public check of drones found none
    assert _fill(page, "17") == NONE  # Illinois: nobody reported looking
    box = page.locator("#map").bounding_box()
    assert box is not None
    point = page.evaluate("document.getElementById('map').survmap.pointOf('39')")
    page.mouse.move(point[0] + box["x"], point[1] + box["y"])
    page.wait_for_selector(".leaflet-tooltip")
    assert "Looked, none found (1 agency checked)" in page.inner_text(".leaflet-tooltip")
    page.screenshot(path="test-artifacts/research-map.png")
    # For the current filters: Ohio's check was about drones, not plate readers.
    page.check('input[name=technology][value="plates"]')
    page.wait_for_function("document.getElementById('map').dataset.query === 'technology=plates'")
    assert _fill(page, "39") == NONE
    page.close()
    assert errors == []
