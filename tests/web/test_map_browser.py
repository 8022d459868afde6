"""What a reader sees on the map, in headless Chromium: the map first on a phone and a desktop,
every county drawn, the legend and count on the map, filters and the as-of controls working
through the URL, the keyboard and a screen reader served, the plain form without JavaScript,
and nothing fetched from another host."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from survmap.records.models import Agency
from tests.conftest import REPO, axe_violations
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    TechnologyFactory,
    VendorFactory,
)

# Every run saves them beside the other test artifacts; SURVMAP_UPDATE_SCREENSHOT=1 refreshes
# the ones README.md shows, so an ordinary test run leaves the checkout clean.
SHOTS = REPO / ("docs" if os.environ.get("SURVMAP_UPDATE_SCREENSHOT") == "1" else "test-artifacts")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def seeded() -> None:
    """A handful of agencies in a few counties, with Ring spreading from 2018, one partnership
    with no known start, and Amazon's 2020 moratorium."""
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
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", city="Warren", counties=["26099"]),
        technology=ring,
        vendor=amazon,
        start_date=None,
    )
    PolicyEventFactory(
        title="Amazon announces a one-year moratorium on police use of Rekognition",
        date=dt.date(2020, 6, 10),
        vendor=amazon,
    )


@pytest.fixture
def browser(seeded: None, settings: Any, chromium: Any) -> Any:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    return chromium


def local_url(live_server: Any, path: str) -> str:
    """The live server by address, not name, so 'no other host' means exactly 127.0.0.1."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:") + path


class Watched:
    """A page whose every request and console error is recorded."""

    def __init__(self, browser: Any, viewport: dict[str, int] = DESKTOP, **options: Any) -> None:
        # Playwright's wait_for_function evaluates strings, which our CSP forbids; the policy
        # itself is checked without this bypass in tests/common/test_csp_browser.py.
        self.context = browser.new_context(viewport=viewport, bypass_csp=True, **options)
        self.page = self.context.new_page()
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
        return str(
            self.page.evaluate("(f) => document.getElementById('map').survmap.fillOf(f)", fips)
        )

    def box(self, selector: str) -> dict[str, float]:
        box = self.page.locator(selector).bounding_box()
        assert box is not None, selector
        return box

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def assert_clean(self) -> None:
        hosts = {urlsplit(url).hostname for url in self.requests if not url.startswith("data:")}
        assert hosts == {"127.0.0.1"}, self.requests
        assert self.errors == []


def _share_of_screen(box: dict[str, float], viewport: dict[str, int]) -> float:
    visible = max(0.0, min(box["y"] + box["height"], viewport["height"]) - max(box["y"], 0))
    return visible * min(box["width"], viewport["width"]) / (viewport["width"] * viewport["height"])


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


@pytest.mark.parametrize(("viewport", "least"), [(DESKTOP, 0.6), (PHONE, 0.8)])
def test_the_map_fills_the_first_screen_with_its_legend_count_and_search_on_it(
    browser, live_server, viewport, least
):
    watched = Watched(browser, viewport)
    # A shared, filtered link: on a phone the filters stay folded away in the panel.
    watched.open_map(local_url(live_server, reverse("web:home") + "?technology=ring"))
    page = watched.page
    assert page.get_attribute("#map", "data-features") == "3233"
    stage = watched.box(".map-stage")
    assert _share_of_screen(watched.box("#map"), viewport) >= least
    for on_the_map in ("#legend", "#map-count", "#search-input"):
        assert _inside(watched.box(on_the_map), stage), on_the_map
    legend = page.inner_text("#legend")
    assert "No record" in legend and "Looked, none found" in legend
    assert "Not researched" not in legend
    assert "Agencies per county" in legend
    assert page.inner_text("#map-count") == "4 agencies in 3 counties"
    # Macomb (3 agencies) and an empty county are painted differently, on the one canvas.
    assert watched.fill_of("26099") != watched.fill_of("26125")
    point = page.evaluate("document.getElementById('map').survmap.pointOf('26099')")
    page.mouse.move(point[0] + watched.box("#map")["x"], point[1] + watched.box("#map")["y"])
    page.wait_for_selector(".leaflet-tooltip")
    assert page.inner_text(".leaflet-tooltip") == "Macomb County, MI\n2 agencies"
    name = "map.png" if viewport == DESKTOP else "map-phone.png"
    SHOTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(SHOTS / name))
    if viewport == PHONE:
        # The filters open as a sheet over the map, and close again with Escape.
        assert not page.is_visible("#map-filters") or watched.box("#map-filters")["y"] >= 844
        page.click("#panel-link")
        assert page.get_attribute("#panel-link", "aria-expanded") == "true"
        assert watched.box("#map-filters")["y"] < 844
        page.keyboard.press("Escape")
        assert page.get_attribute("#panel-link", "aria-expanded") == "false"
    watched.assert_clean()


def test_a_filter_changes_the_colours_the_url_the_announced_count_and_the_list(
    browser, live_server
):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    assert page.get_attribute("#map-count", "role") == "status"
    assert "Los Angeles County, CA" in page.inner_text("#region-rows")
    before = watched.fill_of("06037")
    page.check('input[name=technology][value="face-recognition"]')
    page.wait_for_function(
        "document.getElementById('map').dataset.query === 'technology=face-recognition'"
    )
    assert watched.query()["technology"] == ["face-recognition"]
    assert watched.fill_of("06037") != before  # Los Angeles has no face recognition
    assert page.inner_text("#map-count") == "1 agency in 1 county"
    rows = page.locator("#region-rows tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == ["Macomb County, MI", "1"]
    assert "technology=face-recognition" in (rows.first.locator("a").get_attribute("href") or "")
    # The links about this view (downloads) follow too.
    download = page.locator("#map-links a[download]").first.get_attribute("href") or ""
    assert download.endswith("?technology=face-recognition")
    # A shared link restores the view.
    watched.open_map(page.url)
    assert page.is_checked('input[name=technology][value="face-recognition"]')
    assert page.inner_text("#agency-total") == "1"
    watched.assert_clean()


def test_the_keyboard_skips_to_the_map_which_is_one_tab_stop_walked_with_arrows(
    browser, live_server
):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home") + "?focus=26099"))
    page = watched.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.textContent") == "Skip to the map"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "map"
    assert page.get_attribute("#map", "data-cursor") == "26099"
    # Nothing inside the map takes a tab stop of its own: the next Tab leaves it.
    tabbable = "a[href]:not([tabindex='-1']), button:not([tabindex='-1']), [tabindex='0']"
    assert page.locator(f"#map :is({tabbable})").count() == 0
    page.keyboard.press("ArrowLeft")
    west = page.get_attribute("#map", "data-cursor")
    assert west not in (None, "26099")
    announced = page.inner_text("#map-announce")
    assert announced.endswith("Enter opens its page.")
    assert ", MI: " in announced  # a neighbour in Michigan, by name, with its count
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#map", "data-cursor") == "26099"
    assert page.inner_text("#map-announce").startswith("Macomb County, MI: 3 agencies")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("web:region", args=["26099"]))
    page.go_back()
    page.wait_for_selector("#map[data-state=ready]")
    page.focus("#map")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('map').contains(document.activeElement)") is False
    watched.assert_clean()


def test_the_search_is_a_combobox_mixing_places_agencies_and_technologies(browser, live_server):
    watched = Watched(browser, PHONE)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    page.fill("#search-input", "warren")
    page.wait_for_selector("#search-results li[role=option]")
    options = page.locator("#search-results li[role=option]")
    texts = [options.nth(i).inner_text() for i in range(options.count())]
    kinds = [options.nth(i).get_attribute("data-kind") for i in range(options.count())]
    assert texts[0].startswith("Warren, MI")  # the city before a dozen Warren counties
    assert "agency" in kinds and "county" in kinds
    assert page.get_attribute("#search-input", "aria-expanded") == "true"
    # Never under the map's controls: every result is the topmost thing where it is drawn.
    for i in range(options.count()):
        options.nth(i).scroll_into_view_if_needed()
        box = options.nth(i).bounding_box()
        assert box is not None
        on_top = page.evaluate(
            "([x, y, id]) => document.getElementById(id).contains(document.elementFromPoint(x, y))",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, f"search-result-{i}"],
        )
        assert on_top, texts[i]
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search-input", "aria-activedescendant") == "search-result-0"
    assert page.get_attribute("#search-result-0", "aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search-input", "aria-activedescendant") == "search-result-1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    # The place's card: what it is, how many agencies, and a link to its page.
    page.wait_for_selector("#place-card:not([hidden])")
    card = page.inner_text("#place-card")
    assert "Warren, MI" in card
    assert "1 agency with sourced partnerships recorded in the city" in card
    assert "Macomb County, MI: 3 agencies on the map" in card
    links = page.locator("#place-card a")
    assert links.nth(0).inner_text() == "Open the page of Macomb County, MI"
    assert links.nth(0).get_attribute("href") == reverse("web:region", args=["26099"])
    assert links.nth(1).get_attribute("href") == reverse("web:table") + "?q=Warren&state=MI"
    assert page.get_attribute("#map", "data-focus") == "26099"
    assert watched.query()["focus"] == ["26099"]
    page.keyboard.press("Escape")
    assert page.is_hidden("#place-card")
    watched.assert_clean()


@pytest.fixture
def warren_url(seeded: None) -> str:
    """Taken before the browser: once it runs, the test's thread may not query the database."""
    return Agency.objects.get(name="Warren Police Department").get_absolute_url()


def test_an_agency_found_is_carded_on_the_map_with_a_link_to_its_own_page(
    warren_url, browser, live_server
):
    agency_url = warren_url
    watched = Watched(browser, PHONE)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    page.fill("#search-input", "warren police")
    page.wait_for_selector("#search-results li[data-kind=agency]")
    page.click("#search-results li[data-kind=agency]")
    page.wait_for_selector("#place-card:not([hidden])")
    assert page.inner_text("#place-card-title") == "Warren Police Department"
    assert "Macomb County, MI: 3 agencies on the map" in page.inner_text("#place-card")
    links = page.locator("#place-card a")
    assert links.nth(0).inner_text() == "Open the page of Warren Police Department"
    assert links.nth(0).get_attribute("href") == agency_url
    assert links.nth(1).get_attribute("href") == reverse("web:region", args=["26099"])
    assert page.get_attribute("#map", "data-focus") == "26099"
    links.nth(0).click()
    page.wait_for_url("**" + agency_url)
    watched.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_a_shared_focus_link_outlines_names_and_cards_the_county(browser, live_server, viewport):
    watched = Watched(browser, viewport)
    watched.open_map(local_url(live_server, reverse("web:home") + "?focus=26099"))
    page = watched.page
    assert page.get_attribute("#map", "data-cursor") == "26099"  # outlined
    assert page.is_visible("#place-card")
    assert page.inner_text("#place-card-title") == "Macomb County, MI"
    assert page.inner_text("#place-card-count") == "3 agencies on the map with these filters."
    link = page.locator("#place-card a").first
    assert link.get_attribute("href") == reverse("web:region", args=["26099"])
    # The card sits on the map, clear of the county it names.
    assert _inside(watched.box("#place-card"), watched.box("#map"))
    watched.assert_clean()


def test_the_as_of_view_keeps_its_colours_counts_the_undated_and_marks_policy_events(
    browser, live_server
):
    watched = Watched(browser)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    legend = page.inner_text("#legend")
    assert page.is_hidden("#undated")
    # The slider runs month by month from the first recorded start, not from some fixed year.
    assert page.get_attribute("#as-of-slider", "min") == "0"
    assert page.inner_text(".timeline-ends").startswith("2016-01")
    # One blue line on the chart per policy event, named.
    events = page.locator("#timeline line.event")
    assert events.count() == 1
    assert "moratorium" in page.inner_html("#timeline")
    # Walk the slider back to the end of 2018: only Macomb's Ring and its sheriff remain.
    steps = page.evaluate("JSON.parse(document.getElementById('map-config').textContent).steps")
    index = steps.index("2018-12-31")
    page.eval_on_selector(
        "#as-of-slider",
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }",
        index,
    )
    page.wait_for_function("document.getElementById('agency-total').textContent === '2'")
    assert watched.query()["as_of"] == ["2018-12-31"]
    assert page.inner_text("#legend") == legend  # the same bands on every date
    assert page.inner_text("#undated") == (
        "1 partnership with no known start date is not in this view."
    )
    assert page.inner_text("#map-count") == "2 agencies in 1 county on 2018-12-31"
    # A policy event's link sets the date.
    page.click("#policy-events a")
    page.wait_for_function("document.getElementById('as-of-label').textContent === '2020-06-10'")
    assert page.inner_text("#agency-total") == "4"
    # Back to every date; then play steps month by month from the first.
    page.click("#as-of-clear")
    page.wait_for_function("!new URLSearchParams(location.search).has('as_of')")
    # The address changes before the counts for every date arrive; the note goes with them.
    page.wait_for_selector("#undated", state="hidden", timeout=10_000)
    assert page.inner_text("#agency-total") != "2"
    page.click("#as-of-play")
    assert page.get_attribute("#as-of-play", "aria-pressed") == "true"
    page.wait_for_function(
        "new URLSearchParams(location.search).get('as_of') === '2016-02-29'", timeout=20_000
    )
    page.click("#as-of-play")
    assert page.get_attribute("#as-of-play", "aria-pressed") == "false"
    watched.assert_clean()


def test_without_javascript_the_filters_level_and_date_are_a_plain_form(browser, live_server):
    watched = Watched(browser, java_script_enabled=False)
    page = watched.page
    page.goto(local_url(live_server, reverse("web:home")))
    assert page.is_hidden("#as-of-play") and page.is_hidden("#as-of-slider")
    assert page.get_attribute("a[data-jump='02']", "href") == reverse("web:region", args=["02"])
    page.fill("#as-of-date", "2018-12-31")
    page.check("input[name=level][value=state]")
    page.check('input[name=technology][value="ring"]')
    page.click("#map-filters button[type=submit]")
    page.wait_for_load_state("load")
    query = watched.query()
    assert query["as_of"] == ["2018-12-31"]
    assert query["level"] == ["state"]
    assert query["technology"] == ["ring"]
    assert page.locator("#region-rows tr").first.inner_text().split("\t") == ["Michigan", "1"]
    assert page.inner_text("#undated") == (
        "1 partnership with no known start date is not in this view."
    )
    assert page.inner_text("#map-count") == "1 agency in 1 state or territory on 2018-12-31"
    page.click("#as-of-clear")
    page.wait_for_load_state("load")
    assert "as_of" not in watched.query()
    assert watched.query()["technology"] == ["ring"]
    watched.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_the_map_page_has_no_axe_violation(browser, live_server, viewport):
    watched = Watched(browser, viewport)
    watched.open_map(local_url(live_server, reverse("web:home")))
    assert axe_violations(watched.page) == []
    watched.page.fill("#search-input", "los angeles")
    watched.page.wait_for_selector("#search-results li[role=option]")
    watched.page.keyboard.press("ArrowDown")
    assert axe_violations(watched.page) == []


def test_a_search_with_no_result_says_so_on_screen_with_a_link_to_the_table(
    browser, live_server, tmp_path
):
    watched = Watched(browser, PHONE)
    watched.open_map(local_url(live_server, reverse("web:home")))
    page = watched.page
    page.fill("#search-input", "zzqx")
    page.wait_for_selector(".search-none a", state="visible")
    line = page.locator(".search-none")
    assert line.inner_text().startswith("No result.")
    link = page.locator(".search-none a")
    assert link.get_attribute("href") == reverse("web:table") + "?q=zzqx"
    box = line.bounding_box()
    assert box is not None and box["height"] > 5  # seen, not only read out
    page.screenshot(path=str(tmp_path / "search-none-phone.png"))
    watched.assert_clean()
