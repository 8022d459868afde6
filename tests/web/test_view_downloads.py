"""Each view offers its own rows for download, with the same filters: the table, region,
agency, technology and map pages link to the CSV and GeoJSON exports of what they show."""

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from survmap.geo.models import State
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def _download_links(page_html: str) -> dict[str, str]:
    block = re.search(r'<p class="view-downloads">(.*?)</p>', page_html, re.S)
    assert block, "no 'Download these rows' on the page"
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block.group(1))
    return {text: html.unescape(href) for href, text in links}


def _csv_agencies(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return sorted(row["agency"] for row in csv.DictReader(io.StringIO(body)))


@pytest.fixture
def records():
    face = TechnologyFactory(name="Face recognition", slug="face-recognition")
    ring = TechnologyFactory(name="Ring", slug="ring")
    california = State.objects.get(code="CA")
    return {
        "ca_face": PartnershipFactory(
            agency=AgencyFactory(name="Oakland Police", state=california, counties=["06001"]),
            technology=face,
        ),
        "ca_ring": PartnershipFactory(
            agency=AgencyFactory(name="Fresno Police", state=california), technology=ring
        ),
        "mi_face": PartnershipFactory(agency=AgencyFactory(name="Detroit Police"), technology=face),
    }


def test_the_tables_download_holds_exactly_the_filtered_rows(client, records):
    page = client.get(reverse("web:table"), {"technology": "face-recognition", "state": "CA"})
    links = _download_links(page.content.decode())
    assert "Download these 1 row" in page.content.decode()
    assert _csv_agencies(client, links["as CSV"]) == ["Oakland Police"]
    geojson = client.get(links["as GeoJSON"])
    assert geojson["Content-Type"] == "application/geo+json"


def test_a_state_pages_download_is_that_state_with_the_readers_filters(client, records):
    page = client.get(reverse("web:region", args=["06"]), {"technology": "ring"})
    assert _csv_agencies(client, _download_links(page.content.decode())["as CSV"]) == [
        "Fresno Police"
    ]


def test_a_county_pages_download_is_that_county(client, records):
    page = client.get(reverse("web:region", args=["06001"]))
    assert _csv_agencies(client, _download_links(page.content.decode())["as CSV"]) == [
        "Oakland Police"
    ]


def test_agency_and_technology_pages_offer_their_own_rows(client, records):
    agency_page = client.get(reverse("web:agency", args=[records["mi_face"].agency_id]))
    links = _download_links(agency_page.content.decode())
    assert _csv_agencies(client, links["as CSV"]) == ["Detroit Police"]
    technology_page = client.get(reverse("web:technology", args=["face-recognition"]))
    links = _download_links(technology_page.content.decode())
    assert _csv_agencies(client, links["as CSV"]) == ["Detroit Police", "Oakland Police"]


def test_the_map_offers_the_rows_it_counts(client, records):
    page = client.get(reverse("web:home"), {"technology": "ring", "level": "state"})
    links = _download_links(page.content.decode())
    assert _csv_agencies(client, links["as CSV"]) == ["Fresno Police"]


def test_the_tables_filters_are_labelled_checkboxes_that_keep_unshown_filters(client, records):
    page = client.get(
        reverse("web:table"), {"technology": "ring", "county": "06019", "start_after": "2019-01-01"}
    ).content.decode()
    assert "[invalid name]" not in page
    assert "Technology slug" not in page
    assert "<select multiple" not in page and "multiple>" not in page
    assert '<input type="checkbox" name="technology" value="ring" checked> Ring' in page
    assert '<input type="checkbox" name="status" value="active"> Active' in page
    assert '<label for="filter-q">Search</label>' in page
    assert '<input type="hidden" name="county" value="06019">' in page
    assert '<input type="hidden" name="start_after" value="2019-01-01">' in page
