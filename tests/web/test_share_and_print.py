"""Every public page carries Open Graph metadata from its own title and description, and a
print stylesheet that drops navigation and forms and prints the address, date and sources."""

import html
import re

import pytest
from django.template import RequestContext, Template
from django.urls import reverse

from tests.factories import PartnershipFactory, PolicyEventFactory

pytestmark = pytest.mark.django_db


def _meta(page: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    return " ".join(html.unescape(match.group(1)).split()) if match else None


@pytest.fixture
def pages():
    partnership = PartnershipFactory()
    event = PolicyEventFactory()
    event.partnerships.add(partnership)
    return [
        reverse("web:home"),
        reverse("web:table"),
        reverse("web:region", args=["26"]),
        reverse("web:region", args=["26001"]),
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:technology", args=[partnership.technology.slug]),
        reverse("web:policy_event", args=[event.pk]),
        reverse("changelog:changes"),
        reverse("downloads:list"),
        reverse("submissions:submit"),
        reverse("api:root") + "?format=html",
    ]


def test_every_public_page_shares_its_own_title_and_description(client, pages):
    for path in pages:
        page = client.get(path).content.decode()
        title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
        assert _meta(page, "property", "og:title") == " ".join(title.split()), path
        assert _meta(page, "property", "og:description") == _meta(page, "name", "description")
        assert _meta(page, "property", "og:url") == f"http://testserver{path}", path
        assert _meta(page, "property", "og:type") == "website"


def test_every_public_page_links_the_print_stylesheet_and_its_printed_address(client, pages):
    for path in pages:
        page = client.get(path).content.decode()
        assert re.search(r'<link rel="stylesheet" href="[^"]*print\.css" media="print">', page)
        assert f'<span class="print-url">http://testserver{html.escape(path)}</span>' in page


def test_a_page_can_fill_the_share_image_block(rf):
    """Pages with a picture of themselves (issue 16) fill og_image; the title still comes from
    the page's own title block."""
    page = Template(
        '{% extends "web/base.html" %}{% block title %}Michigan | survmap{% endblock %}'
        '{% block og_image %}<meta property="og:image" content="/share/26.png">{% endblock %}'
    ).render(RequestContext(rf.get("/regions/26/")))
    assert '<meta property="og:image" content="/share/26.png">' in page
    assert _meta(page, "property", "og:title") == "Michigan | survmap"
