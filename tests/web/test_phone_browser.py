"""Every public page on a 390 x 844 phone: nothing wider than the screen, every form control and
menu link at least 44 px to a thumb, the table's results before its filters, and the map's
Filters sheet drawn when it opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.research.models import CheckOutcome
from survmap.research.services import ConsultedSource, check_approve, check_submit
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    TechnologyFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What a thumb must be able to hit: every visible control (a checkbox or radio through its
# label), the site's menu, the map's zoom buttons, and the paging and sorting links. Links
# inside a sentence are exempt, as WCAG's target-size rule exempts them.
SMALL_TARGETS_JS = """() => {
  const small = [];
  const seen = new Set();
  const check = (el, what) => {
    if (seen.has(el)) return;
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest('.visually-hidden')) return;
    if (getComputedStyle(el).visibility === 'hidden') return;
    if (box.height < 44 || box.width < 44) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${what} ${el.outerHTML.slice(0, 80)}: ${size}`);
    }
  };
  for (const el of document.querySelectorAll(
      'input:not([type=hidden]), select, textarea, button, summary')) {
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label');
      if (label) { check(label, 'label of'); continue; }
    }
    if (el.type === 'range') continue;  // a slider is dragged, across its whole width
    check(el, 'control');
  }
  for (const el of document.querySelectorAll(
      'header.site nav a, .leaflet-bar a, .pagination a, .sort-links a, .panel-link')) {
    check(el, 'link');
  }
  return small;
}"""


# Every menu link inside the header's box: the map page fixes the header's height, and a link
# wrapped onto a row beyond it ("About") was drawn over the map, under the search box.
MENU_OUTSIDE_HEADER_JS = """() => {
  const header = document.querySelector('header.site').getBoundingClientRect();
  return [...document.querySelectorAll('header.site nav a')]
    .filter(a => a.getBoundingClientRect().bottom > header.bottom + 0.5)
    .map(a => `menu link ${a.textContent.trim()} below the header`);
}"""


@pytest.fixture
def records(db) -> dict[str, Any]:
    """Partnerships of several technologies over several years: the timeline's table of them
    (hidden, for screen readers) holds long lines, which once widened the page to 1,100 px."""
    amazon = VendorFactory(slug="amazon", name="Amazon")
    technologies = [
        TechnologyFactory(slug=slug, name=name)
        for slug, name in (
            ("ring", "Ring/Neighbors partnership"),
            ("face-recognition", "Face recognition"),
            ("drones", "Drones"),
            ("plate-readers", "Automated license plate readers"),
        )
    ]
    first = None
    for year in range(2014, 2024):
        for number, technology in enumerate(technologies):
            partnership = PartnershipFactory(
                agency=AgencyFactory(
                    name=f"Macomb {year} {number} Police Department", counties=["26099"]
                ),
                technology=technology,
                vendor=amazon,
                start_date=dt.date(year, 3, 1),
                start_precision="month",
                end_date=dt.date(year + 1, 5, 1) if number % 2 else None,
                end_precision="month" if number % 2 else "",
            )
            first = first or partnership
    event = PolicyEventFactory(title="Council bans face recognition", date=dt.date(2020, 6, 10))
    event.partnerships.add(first)
    # An agency public through a published check alone: its page has no partnership at all.
    looked = check_approve(
        research_check=check_submit(
            agency=AgencyFactory(
                name="Clinton Township Department of Public Safety and Emergency Management",
                counties=["26099"],
            ),
            technology=technologies[2],
            outcome=CheckOutcome.NONE_FOUND,
            checked_on=PartialDate(2026, 5, 1),
            summary="Searched the township board's agendas and minutes for drones.",
            credit_name="Dana Researcher",
            sources=[
                ConsultedSource(
                    url="https://clintontownship.example.gov/agendas?q=unmanned+aircraft+systems",
                    kind="council_agenda",
                )
            ],
        ),
        moderator=User.objects.create_user("charlie-moderator"),
    )
    return {"partnership": first, "event": event, "agency_without_partnerships": looked.agency_id}


def _public_pages(records: dict[str, Any]) -> list[str]:
    partnership = records["partnership"]
    return [
        reverse("web:home"),
        reverse("web:table"),
        reverse("web:region", args=["26"]),
        reverse("web:region", args=["26099"]),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:agency", args=[records["agency_without_partnerships"]]),
        reverse("web:sharing_map"),
        reverse("web:about"),
        reverse("web:technology", args=["face-recognition"]),
        reverse("web:policy_event", args=[records["event"].pk]),
        reverse("changelog:changes"),
        reverse("downloads:list"),
        reverse("submissions:submit"),
        reverse("research:tasks"),
        reverse("api:root") + "?format=html",
    ]


def test_no_public_page_is_wider_than_a_phone_and_every_target_fits_a_thumb(
    records, live_server, chromium, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    page = chromium.new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    found: dict[str, list[str]] = {}
    for path in [*_public_pages(records), reverse("api:docs")]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        problems = []
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"page is {width} px wide")
        if path != reverse("api:docs"):  # Swagger UI's own controls are not ours to size
            problems.extend(page.evaluate(SMALL_TARGETS_JS))
            problems.extend(page.evaluate(MENU_OUTSIDE_HEADER_JS))
        if problems:
            found[path] = problems
    assert found == {}


def test_the_table_on_a_phone_shows_results_before_its_filters(records, live_server, chromium):
    page = chromium.new_page(viewport=PHONE)
    page.goto(live_server.url + reverse("web:table") + "?technology=drones")
    first_result = page.locator("table.partnerships tbody.partnership").first.bounding_box()
    assert first_result is not None and first_result["y"] < PHONE["height"]
    assert not page.locator("form.table-filters fieldset").first.is_visible()
    # The fold says how many filters are on, and opens on a tap.
    summary = page.locator("details.filter-box > summary")
    assert summary.inner_text() == "Filters (1 chosen)"
    summary.click()
    assert page.locator("form.table-filters fieldset").first.is_visible()


def test_the_table_shows_its_filters_open_on_a_desktop(records, live_server, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("web:table"))
    assert page.locator("form.table-filters fieldset").first.is_visible()
    assert not page.locator("details.filter-box > summary").is_visible()


def test_the_map_filters_sheet_opens_drawn_and_its_checkboxes_can_be_tapped(
    records, live_server, chromium, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("web:home"))
    page.wait_for_selector("#map[data-state=ready]", timeout=60_000)
    page.locator("#panel-link").tap()
    box = page.locator("#map-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The sheet is painted: the first filter fieldset is on screen and a point in it hits it.
    fieldset = page.locator("#map-filters fieldset").first
    fieldset.scroll_into_view_if_needed()
    assert fieldset.is_visible()
    hit = page.evaluate(
        """() => { const f = document.querySelector('#map-filters fieldset');
        const r = f.getBoundingClientRect();
        return f.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"""
    )
    assert hit
    label = page.locator("#map-filters label.inline:has(input[name=technology])").first
    label.scroll_into_view_if_needed()
    label.tap()
    assert page.locator("#map-filters input[name=technology]").first.is_checked()
