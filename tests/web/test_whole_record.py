"""Every page tells the whole record: summary, vendors, product, status and when it was
confirmed, dates, sources with readable names; and policy decisions have pages of their own."""

import datetime as dt

import pytest
from django.urls import reverse

from survmap.common.dates import DatePrecision
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def face_recognition():
    return PartnershipFactory(
        agency=AgencyFactory(name="Los Angeles County Sheriff's Department", counties=["26099"]),
        technology=TechnologyFactory(name="Face recognition", slug="face-recognition"),
        vendor=VendorFactory(name="DataWorks Plus", slug="dataworks-plus"),
        product="FACES",
        summary=(
            "As of 2018, the department uses NEC face recognition.\n\n"
            "Vendors named by the Atlas: DataWorks Plus, NEC."
        ),
        sources=[
            SourceFactory(
                url="https://www.google.com/maps/d/viewer?mid=abc",
                title="",
                publisher="Ring",
                published_date=dt.date(2020, 2, 13),
                published_precision=DatePrecision.DAY,
                archive_url="https://web.archive.org/web/2020/https://www.google.com/maps/d/",
            )
        ],
    )


@pytest.mark.parametrize(
    "page",
    [
        lambda p: reverse("web:agency", args=[p.agency_id]),
        lambda p: reverse("web:technology", args=[p.technology.slug]),
        lambda p: reverse("web:region", args=["26"]),
        lambda p: reverse("web:region", args=["26099"]),
        lambda p: reverse("web:table"),
    ],
    ids=["agency", "technology", "state", "county", "table"],
)
def test_every_page_shows_the_summary_every_vendor_and_the_sources_readably(
    client, face_recognition, page
):
    html = client.get(page(face_recognition)).content.decode()
    assert "the department uses NEC face recognition" in html
    assert "DataWorks Plus, NEC" in html
    assert "Product: FACES" in html
    # The status as of its newest dated source, when the record has no date of its own.
    assert "as of 13 February 2020</span>" in html
    # A readable name for the link, never the bare address; the address is still the link.
    assert ">Google My Maps (Ring)</a>" in html
    assert 'href="https://www.google.com/maps/d/viewer?mid=abc"' in html
    assert ">https://www.google.com/maps" not in html
    assert "archived copy" in html
    # On a phone each cell keeps its column's name.
    for label in ("Technology", "Vendor", "Status", "Dates", "Sources", "Summary"):
        assert f'data-label="{label}"' in html


def test_a_partnership_links_the_decisions_that_changed_it(client, face_recognition):
    event = PolicyEventFactory(title="County bans face recognition")
    event.partnerships.add(face_recognition)
    hidden = PolicyEventFactory(title="An unsourced decision", sources=[])
    hidden.partnerships.add(face_recognition)
    html = client.get(reverse("web:agency", args=[face_recognition.agency_id])).content.decode()
    link = f'<a href="{event.get_absolute_url()}">County bans face recognition</a>'
    assert f"Changed by: {link}" in html
    assert "An unsourced decision" not in html


def test_a_policy_event_page_says_what_who_when_on_what_sources_and_what_it_changed(
    client, face_recognition
):
    event = PolicyEventFactory(
        title="Amazon pauses police use of Rekognition",
        actor="Amazon",
        summary="A one-year moratorium.",
        date=dt.date(2020, 6, 10),
        technology=face_recognition.technology,
        sources=[SourceFactory(title="Amazon bans police use", publisher="Boston Globe")],
    )
    event.partnerships.add(face_recognition, PartnershipFactory(sources=[]))
    response = client.get(reverse("web:policy_event", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Amazon pauses police use of Rekognition</h1>" in html
    assert "<dd>Amazon</dd>" in html
    assert "<dd>10 June 2020</dd>" in html
    assert "A one-year moratorium." in html
    assert "Amazon bans police use</a>, Boston Globe" in html
    assert "Los Angeles County Sheriff&#x27;s Department" in html
    # The unsourced partnership it also names is not public.
    assert "1 public partnership." in html


def test_a_policy_event_without_a_source_has_no_page(client):
    event = PolicyEventFactory(sources=[])
    assert client.get(reverse("web:policy_event", args=[event.pk])).status_code == 404


def test_technology_and_agency_pages_and_the_change_log_link_to_the_policy_event(
    client, face_recognition
):
    event = PolicyEventFactory(title="Moratorium", technology=face_recognition.technology)
    event.partnerships.add(face_recognition)
    url = event.get_absolute_url()
    for page in (
        reverse("web:technology", args=[face_recognition.technology.slug]),
        reverse("web:agency", args=[face_recognition.agency_id]),
        reverse("changelog:changes"),
    ):
        assert f'href="{url}"' in client.get(page).content.decode(), page


def test_the_change_log_names_untitled_sources_readably(client, face_recognition):
    html = client.get(reverse("changelog:changes")).content.decode()
    assert ">Google My Maps (Ring)</a>" in html
    assert ">https://www.google.com/maps" not in html
