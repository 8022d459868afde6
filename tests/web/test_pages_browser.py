"""What a reader sees in a browser: every public page passes axe-core at phone and desktop
widths, partnership cards keep their labels on a phone, and a printed page drops navigation and
forms but keeps its address, date and sources in full."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from survmap.common.dates import DatePrecision
from tests.conftest import axe_violations
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def record(db):
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"]),
        technology=TechnologyFactory(name="Face recognition", slug="face-recognition"),
        summary="The department uses the vendor's software since 2018.",
        sources=[
            SourceFactory(
                url="https://www.google.com/maps/d/viewer?mid=abc",
                title="",
                publisher="Ring",
                published_date=dt.date(2020, 2, 13),
                published_precision=DatePrecision.DAY,
            )
        ],
    )
    event = PolicyEventFactory(title="Council bans face recognition")
    event.partnerships.add(partnership)
    return {"partnership": partnership, "event": event}


def _public_pages(record) -> list[str]:
    partnership = record["partnership"]
    # The map page (web:home) is issue 14's to rewrite, with its own browser tests.
    return [
        reverse("web:table"),
        reverse("web:region", args=["26"]),
        reverse("web:region", args=["26099"]),
        reverse("web:region", args=["26001"]),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:technology", args=["face-recognition"]),
        reverse("web:policy_event", args=[record["event"].pk]),
        reverse("changelog:changes"),
        reverse("downloads:list"),
        reverse("submissions:submit"),
        reverse("api:root") + "?format=html",
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_have_no_axe_violation(record, live_server, chromium, viewport):
    page = chromium.new_page(viewport=viewport)
    found = {}
    for path in _public_pages(record):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        violations = axe_violations(page)
        # Nothing runs off the side of the screen (a phone scrolls only down).
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            violations.append(f"page is {width} px wide")
        if violations:
            found[path] = violations
    assert found == {}


def test_a_partnership_card_keeps_its_labels_on_a_phone(record, live_server, chromium):
    page = chromium.new_page(viewport=PHONE)
    page.goto(live_server.url + reverse("web:agency", args=[record["partnership"].agency_id]))
    card = page.locator(f"#partnership-{record['partnership'].pk}")
    labels = card.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Technology"', '"Vendor"', '"Status"', '"Dates"', '"Sources"', '"Summary"']
    # Cards, not a squeezed table: no header row, the card as wide as the screen.
    assert not page.locator("table.partnerships thead").is_visible()
    assert card.bounding_box()["width"] > 300


def test_a_printed_page_drops_navigation_and_forms_and_keeps_address_date_and_sources(
    record, live_server, chromium
):
    page = chromium.new_page(viewport=DESKTOP)
    url = live_server.url + reverse("web:agency", args=[record["partnership"].agency_id])
    page.goto(url)
    assert not page.locator(".print-only").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").is_visible()
    assert not page.locator(".view-downloads").is_visible()
    printed = page.locator(".print-only")
    assert printed.is_visible()
    assert url in printed.inner_text()
    assert dt.date.today().strftime("%Y") in printed.inner_text()
    after = page.locator("ol.sources a").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "https://www.google.com/maps/d/viewer?mid=abc" in after
