"""In Chromium: another site frames /embed/ and gets the drawn map; framing any other page is
refused by the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from tests.conftest import REPO
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def seeded(db, settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)


@pytest.fixture
def other_site() -> Iterator[dict[str, str]]:
    """Another origin (a second server on 127.0.0.1) whose one page frames `pages['src']`."""
    pages: dict[str, str] = {}

    class Article(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (
                "<!doctype html><html lang='en'><title>An article</title><h1>Our story</h1>"
                f"<iframe id='f' src='{pages['src']}' title='survmap' width='100%' height='560'>"
                "</iframe></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages["url"] = f"http://127.0.0.1:{server.server_address[1]}/article"
    yield pages
    server.shutdown()
    server.server_close()


def framed_page(chromium, live_server, other_site, path: str, viewport=None):
    other_site["src"] = live_server.url.replace("//localhost:", "//127.0.0.1:") + path
    page = chromium.new_page(viewport=viewport or {"width": 1280, "height": 800})
    page.goto(other_site["url"])
    return page


def test_another_site_can_frame_the_embed_and_it_draws_the_map(
    seeded, live_server, chromium, other_site
):
    for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
        path = reverse("web:embed") + "?technology=ring"
        page = framed_page(chromium, live_server, other_site, path, viewport)
        frame = page.frame_locator("#f")
        frame.locator("#map[data-state=ready]").wait_for(timeout=60_000)
        assert "Ring/Neighbors: agencies per county" in frame.locator("h1").inner_text()
        assert "Agencies per county" in frame.locator("#legend").inner_text()
        assert frame.locator("text=View on survmap").get_attribute("target") == "_blank"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"embed-{viewport['width']}.png"))
        page.close()


def test_the_map_page_itself_cannot_be_framed(seeded, live_server, chromium, other_site):
    page = framed_page(chromium, live_server, other_site, reverse("web:home"))
    page.wait_for_timeout(1500)
    frame = next(f for f in page.frames if f != page.main_frame)
    # The browser blocks the document: the frame shows its own error page, not survmap.
    assert frame.url.startswith("chrome-error://")
    assert page.frame_locator("#f").locator("#map").count() == 0
