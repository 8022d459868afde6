"""In Chromium, on a phone and a desktop: "who can search here" lights up the counties whose
agencies may search an agency's plate reads, with the count, the legend and the credit; the
national view shows the counties whose reads are shared; no accessibility violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.imports.flock import ATTRIBUTION
from survmap.platereaders.models import Sharing
from tests.conftest import REPO, axe_violations
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory, TechnologyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def shared(db) -> dict[str, object]:
    alpr = TechnologyFactory(slug="automated-license-plate-readers", name="Plate readers")
    portal = SourceFactory(url="https://transparency.flocksafety.com/pittsboro-in-pd")
    pittsboro = AgencyFactory(name="Pittsboro Police Department", state_id="IN", counties=["18063"])
    PartnershipFactory(agency=pittsboro, technology=alpr, sources=[portal])
    searchers = [
        AgencyFactory(name="Avon Police Department", state_id="IN", counties=["18063"]),
        AgencyFactory(name="Marion County Sheriff's Office", state_id="IN", counties=["18097"]),
        AgencyFactory(name="Warren Police Department", state_id="MI", counties=["26099"]),
    ]
    for agency in searchers:
        Sharing.objects.create(
            from_agency=pittsboro,
            to_agency=agency,
            technology=alpr,
            as_of="2024-04-26",
            source=portal,
            attribution=ATTRIBUTION,
        )
    return {"pittsboro": pittsboro}


def test_who_can_search_here_on_a_phone_and_a_desktop(shared, live_server, chromium) -> None:
    pittsboro = shared["pittsboro"]
    for width, height in ((390, 844), (1280, 800)):
        page = chromium.new_page(viewport={"width": width, "height": height})
        path = reverse("web:sharing_map") + f"?agency={pittsboro.pk}"
        page.goto(live_server.url + path)
        page.locator("#map[data-state=ready]").wait_for(timeout=60_000)
        assert (
            "Who can search Pittsboro Police Department's plate reads"
            in page.locator("h1").inner_text()
        )
        text = page.locator("#content").inner_text()
        assert "3 agencies in 3 counties may search these reads" in text
        assert "The News & Observer" in text
        assert (
            "Agencies that may search its reads, per county" in page.locator("#legend").inner_text()
        )
        # The counties light up: the map's own counts hold the three counties.
        counts = page.evaluate("JSON.parse(document.getElementById('map-counts').textContent)")
        assert counts["counts"] == {"18063": 1, "18097": 1, "26099": 1}
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"sharing-map-{width}.png"))
        page.close()


def test_the_national_view_counts_where_reads_are_shared(shared, live_server, chromium) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("web:sharing_map"))
    page.locator("#map[data-state=ready]").wait_for(timeout=60_000)
    counts = page.evaluate("JSON.parse(document.getElementById('map-counts').textContent)")
    # Pittsboro's county: three agencies may search the reads taken there.
    assert counts["counts"] == {"18063": 3}
    page.close()
