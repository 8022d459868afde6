"""The accessibility checker the browser tests share: it runs under our CSP and it can fail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import axe_violations
from tests.factories import TechnologyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_reports_a_known_violation(chromium):
    page = chromium.new_page()
    page.set_content("<!doctype html><html lang='en'><title>t</title><img src='x.png'></html>")
    found = axe_violations(page, rules=["image-alt"])
    assert len(found) == 1 and found[0].startswith("image-alt")


@pytest.fixture
def technology(db):
    return TechnologyFactory(slug="face-recognition")


def test_axe_runs_on_a_page_under_our_content_security_policy(technology, live_server, chromium):
    page = chromium.new_page()
    response = page.goto(live_server.url + reverse("web:technology", args=["face-recognition"]))
    assert (
        response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    )
    # The document-level rules every page must pass; whole-page checks live with each page.
    assert axe_violations(page, rules=["html-has-lang", "document-title"]) == []
