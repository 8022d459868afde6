"""The standalone map file opened from disk in headless Chromium with every network request
refused: every county is drawn, with its legend, credits and tooltips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from survmap.geo.boundaries import Level
from survmap.geo.topology import OBJECT_NAME, geometry_asset
from survmap.maps.standalone import PALETTE, standalone_html, standalone_map
from tests.conftest import REPO, axe_violations
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

ARTIFACTS = REPO / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fits the map to every region (Guam to the Virgin Islands), then reports what was drawn.
DRAWN = """() => {
  const id = document.querySelector('.folium-map').id;
  const map = window[id];
  let bounds = null;
  map.eachLayer(l => { if (l.getBounds && l.feature === undefined) {
    bounds = bounds ? bounds.extend(l.getBounds()) : l.getBounds(); } });
  map.fitBounds(bounds, {animate: false});
  const paths = [...document.querySelectorAll('.leaflet-overlay-pane path')];
  return {
    paths: paths.length,
    empty: paths.filter(p => !(p.getAttribute('d') || '').match(/[0-9]/)).length,
    fips: paths.map(p => p.getAttribute('data-fips')),
  };
}"""


ZOOM_TO = """(fips) => {
  const map = window[document.querySelector('.folium-map').id];
  map.eachLayer(l => { if (l.feature && l.feature.id === fips) map.fitBounds(l.getBounds(),
    {animate: false, maxZoom: 8}); });
}"""


def open_offline(chromium, path: Path, viewport: dict[str, int]):
    """The file opened from disk with every other request refused and recorded."""
    page = chromium.new_page(viewport=viewport)
    refused: list[str] = []
    errors: list[str] = []
    url = path.as_uri()

    def route(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        if request.url == url:
            route.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(request.url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector(".leaflet-overlay-pane path")
    return page, refused, errors


@pytest.fixture
def county_file(tmp_path: Path) -> Path:
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)
    PartnershipFactory(agency=AgencyFactory(counties=["26099", "26163"]), technology=ring)
    out = tmp_path / "county.html"
    out.write_text(standalone_html(standalone_map({"technology": "ring"}, level=Level.COUNTY)))
    return out


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
)
def test_from_disk_with_no_network_it_draws_every_county_and_its_legend(
    county_file, chromium, viewport
):
    page, refused, errors = open_offline(chromium, county_file, viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"standalone-{viewport['width']}.png"))
    drawn = page.evaluate(DRAWN)
    geometries = json.loads(geometry_asset(Level.COUNTY).body)["objects"][
        OBJECT_NAME[Level.COUNTY]
    ]["geometries"]
    assert drawn["paths"] == len(geometries) > 3000
    assert drawn["empty"] == 0
    assert sorted(drawn["fips"]) == sorted(g["id"] for g in geometries)
    legend = page.inner_text("#survmap-legend")
    assert "Agencies per county" in legend
    assert "No record" in legend
    assert page.is_visible("#survmap-legend")
    assert "Ring/Neighbors" in page.inner_text("#survmap-about")
    assert "CC BY 4.0" in page.inner_text(".leaflet-control-attribution")
    macomb = page.locator('path[data-fips="26099"]')
    assert macomb.get_attribute("fill") == PALETTE[-1]
    assert page.locator('path[data-fips="26125"]').get_attribute("fill") != PALETTE[-1]
    page.evaluate(ZOOM_TO, "26099")
    macomb.hover(force=True)
    assert "2 agencies" in page.inner_text(".leaflet-tooltip")
    assert refused == []
    assert errors == []
    assert axe_violations(page, rules=["html-has-lang", "document-title"]) == []
