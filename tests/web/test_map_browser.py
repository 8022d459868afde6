"""What a reader sees on the map, in headless Chromium: every county drawn, a legend, search,
filters and the as-of slider working through the URL, nothing fetched from another host."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.conftest import REPO, require_or_skip
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

CHROMIUM = Path("/usr/bin/chromium")
# Every run saves one beside the other test artifacts; SURVMAP_UPDATE_SCREENSHOT=1 refreshes the
# one README.md shows, so an ordinary test run leaves the checkout clean.
SCREENSHOT = (
    REPO / "docs" / "map.png"
    if os.environ.get("SURVMAP_UPDATE_SCREENSHOT") == "1"
    else REPO / "test-artifacts" / "map.png"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(seeded: None, live_server: object, settings: object) -> Iterator[object]:
    """Started after the data and the server, stopped before them: Playwright's sync API runs
    an event loop, inside which Django refuses database calls."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]  # type: ignore[attr-defined]
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def local_url(live_server: object, path: str) -> str:
    """The live server by address, not name, so 'no other host' means exactly 127.0.0.1."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:") + path  # type: ignore[attr-defined]


class Watched:
    """A page whose every request and console error is recorded."""

    def __init__(self, browser: object) -> None:
        # Playwright's wait_for_function evaluates strings, which our CSP forbids; the policy
        # itself is checked without this bypass in tests/common/test_csp_browser.py.
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # type: ignore[attr-defined]
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open_map(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("#map[data-state=ready]", timeout=60_000)

    def fill_of(self, fips: str) -> str:
        return self.page.get_attribute(f'path[data-fips="{fips}"]', "fill") or ""

    def assert_clean(self) -> None:
        hosts = {urlsplit(url).hostname for url in self.requests if not url.startswith("data:")}
        assert hosts == {"127.0.0.1"}, self.requests
        assert self.errors == []


@pytest.fixture
def seeded() -> None:
    """A handful of agencies in a few counties, with Ring spreading from 2018."""
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    faces = TechnologyFactory(slug="face-recognition", name="Face recognition")
    amazon = VendorFactory(slug="amazon", name="Amazon")
    for county, start in (
        ("26099", "2018-03-01"),
        ("26163", "2019-06-01"),
        ("06037", "2020-01-01"),
    ):
        PartnershipFactory(
            agency=AgencyFactory(counties=[county]),
            technology=ring,
            vendor=amazon,
            start_date=dt.date.fromisoformat(start),
            start_precision="month",
        )
    PartnershipFactory(
        agency=AgencyFactory(name="Macomb County Sheriff", counties=["26099"]),
        technology=faces,
        start_date=dt.date(2016, 1, 1),
        start_precision="year",
    )


def test_county_view_draws_every_county_with_a_legend_and_nothing_from_elsewhere(
    browser, live_server
):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    assert page.get_attribute("#map", "data-features") == "3233"
    assert page.locator("path.region").count() == 3233
    legend = page.inner_text("#legend")
    assert "None recorded" in legend
    assert "Agencies per county" in legend
    assert watched.fill_of("26099") != watched.fill_of("26125")  # 2 agencies vs none
    page.hover('path[data-fips="06037"]', force=True)
    assert "Los Angeles County, CA" in page.inner_text(".leaflet-tooltip")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert page.is_visible("#legend")
    page.locator(".map-wrap").screenshot(path=str(SCREENSHOT))
    watched.assert_clean()


def test_a_filter_changes_the_colours_and_the_url(browser, live_server):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    before = watched.fill_of("06037")
    page.check('input[name=technology][value="face-recognition"]')
    page.wait_for_function(
        "document.getElementById('map').dataset.query === 'technology=face-recognition'"
    )
    assert parse_qs(urlsplit(page.url).query)["technology"] == ["face-recognition"]
    assert watched.fill_of("06037") != before  # Los Angeles has no face recognition
    assert page.inner_text("#agency-total") == "1"
    # A shared link restores the view.
    watched.open_map(page.url)
    assert page.is_checked('input[name=technology][value="face-recognition"]')
    assert page.inner_text("#agency-total") == "1"
    watched.assert_clean()


def test_the_as_of_slider_changes_the_counts(browser, live_server):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    assert page.inner_text("#agency-total") == "4"
    page.check("#as-of-on")
    page.wait_for_function("new URLSearchParams(location.search).has('as_of')")
    # Walk the slider back to the end of 2018: only Macomb's Ring and its sheriff remain.
    days = (dt.date(2018, 12, 31) - dt.date(2016, 1, 1)).days
    page.eval_on_selector(
        "#as-of-slider",
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }",
        days,
    )
    page.wait_for_function("document.getElementById('agency-total').textContent === '2'")
    assert parse_qs(urlsplit(page.url).query)["as_of"] == ["2018-12-31"]
    watched.assert_clean()


def test_a_search_jumps_to_the_place_on_the_map(browser, live_server):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    zoom_before = page.evaluate("document.querySelector('.leaflet-proxy') !== null")
    assert zoom_before
    page.fill("#search-input", "los angeles")
    page.wait_for_selector("#search-results li a")
    assert "Los Angeles County, CA" in page.inner_text("#search-results")
    page.press("#search-input", "Enter")
    page.wait_for_selector("#map[data-focus='06037']")
    assert parse_qs(urlsplit(page.url).query)["focus"] == ["06037"]
    assert "Los Angeles County, CA" in page.inner_text(".leaflet-tooltip")
    watched.assert_clean()
