"""Following a place, an agency or a technology: an Atom feed of what changed there (new,
corrected and ended partnerships, and the policy decisions that touched them), linked from its
page, valid Atom, naming no moderator and no contributor."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from survmap.records.models import PartnershipStatus
from survmap.submissions.services import submission_approve
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    TechnologyFactory,
)
from tests.records.by_hand import partnership_upsert
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def places() -> dict[str, object]:
    drones = TechnologyFactory(name="Drones", slug="drones")
    ring = TechnologyFactory(name="Ring/Neighbors partnership", slug="ring")
    warren = AgencyFactory(name="Warren Police Department", counties=["26099"])
    warren_drones = PartnershipFactory(agency=warren, technology=drones)
    PartnershipFactory(agency=warren, technology=ring)
    detroit = PartnershipFactory(
        agency=AgencyFactory(name="Detroit Police Department", counties=["26163"]),
        technology=drones,
    )
    fresno = PartnershipFactory(
        agency=AgencyFactory(name="Fresno Police Department", state_id="CA", counties=["06019"]),
        technology=ring,
    )
    # Warren's drones ended: a correction the feed must carry.
    partnership_upsert(
        instance=warren_drones,
        agency=warren,
        technology=drones,
        vendor=warren_drones.vendor,
        sources=list(warren_drones.sources.all()),
        status=PartnershipStatus.ENDED,
    )
    event = PolicyEventFactory(title="Macomb County bans police drones")
    event.partnerships.add(warren_drones)
    PolicyEventFactory(title="Fresno council renews Ring").partnerships.add(fresno)
    return {"warren": warren, "detroit": detroit, "drones": drones}


def _entries(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    # What RFC 4287 requires of a feed and of each entry.
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}"), required
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    titles = []
    for entry in feed.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        titles.append(entry.findtext(f"{ATOM}title") or "")
    return titles


def test_a_county_feed_has_its_own_changes_and_no_one_elses(client, places):
    titles = _entries(client, reverse("changelog:region_feed", args=["26099"]))
    text = "\n".join(titles)
    assert "Partnership added: Warren Police Department: Drones" in text
    assert "Partnership added: Warren Police Department: Ring/Neighbors partnership" in text
    assert "Partnership changed: Warren Police Department: Drones (changed: status)" in text
    assert "Macomb County bans police drones" in text
    assert "Detroit" not in text and "Fresno" not in text


def test_a_state_feed_covers_its_counties(client, places):
    text = "\n".join(_entries(client, reverse("changelog:region_feed", args=["26"])))
    assert "Warren Police Department" in text and "Detroit Police Department" in text
    assert "Fresno" not in text


def test_an_agency_feed_and_a_technology_feed(client, places):
    agency = "\n".join(
        _entries(client, reverse("changelog:agency_feed", args=[places["warren"].pk]))
    )
    assert "Warren Police Department: Ring/Neighbors partnership" in agency
    assert "Detroit" not in agency
    technology = "\n".join(_entries(client, reverse("changelog:technology_feed", args=["drones"])))
    assert "Warren Police Department: Drones" in technology
    assert "Detroit Police Department: Drones" in technology
    assert "Ring/Neighbors" not in technology
    assert "Macomb County bans police drones" in technology


def test_each_page_links_its_feed(client, places):
    for page, feed in (
        (reverse("web:region", args=["26099"]), reverse("changelog:region_feed", args=["26099"])),
        (reverse("web:region", args=["26"]), reverse("changelog:region_feed", args=["26"])),
        (
            reverse("web:agency", args=[places["warren"].pk]),
            reverse("changelog:agency_feed", args=[places["warren"].pk]),
        ),
        (
            reverse("web:technology", args=["drones"]),
            reverse("changelog:technology_feed", args=["drones"]),
        ),
    ):
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed}"' in html


def test_a_feed_never_names_the_moderator_or_the_contributor(client, bob):
    submission = make_submission(
        agency_name="Gotham Police Department",
        contributor_name="Carol Contributor",
        contributor_email="carol@example.org",
        technology=TechnologyFactory(name="Drones", slug="drones"),
    )
    submission_approve(submission=submission, moderator=bob, reason="Checked by bob")
    submission.refresh_from_db()
    agency = submission.result_partnership.agency
    for url in (
        reverse("changelog:region_feed", args=["36"]),
        reverse("changelog:agency_feed", args=[agency.pk]),
        reverse("changelog:technology_feed", args=["drones"]),
    ):
        text = client.get(url).content.decode()
        assert "Gotham Police Department" in text, url
        for secret in ("bob", "Carol", "carol@example.org", "Checked by", "submission"):
            assert secret not in text, (url, secret)


def test_unknown_places_agencies_and_technologies_are_not_found(client):
    for url in (
        reverse("changelog:region_feed", args=["99"]),
        reverse("changelog:region_feed", args=["abc"]),
        reverse("changelog:agency_feed", args=[999999]),
        reverse("changelog:technology_feed", args=["lasers"]),
    ):
        assert client.get(url).status_code == 404, url
