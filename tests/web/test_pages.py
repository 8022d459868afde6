"""The public pages show sourced partnerships, and only those."""

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, PartnershipFactory, PolicyEventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_home_lists_public_partnerships_with_their_sources(client):
    source = SourceFactory(title="Council minutes", archive_url="https://web.archive.org/web/1/x")
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department"), sources=[source]
    )
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Warren Police Department" in html
    assert "Council minutes" in html
    assert source.url in html
    assert "archived copy" in html
    assert partnership.agency.get_absolute_url() in html


def test_a_partnership_without_a_source_stays_off_every_public_page(client):
    hidden = PartnershipFactory(sources=[], agency=AgencyFactory(name="Hidden Police Department"))
    assert "Hidden Police Department" not in client.get(reverse("web:home")).content.decode()
    assert client.get(reverse("web:agency", args=[hidden.agency_id])).status_code == 404
    technology_page = client.get(reverse("web:technology", args=[hidden.technology.slug]))
    assert "Hidden Police Department" not in technology_page.content.decode()


def test_home_filters_by_the_shared_query_parameters(client):
    PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"))
    other = PartnershipFactory(agency=AgencyFactory(name="Detroit Police Department"))
    response = client.get(reverse("web:home"), {"technology": other.technology.slug})
    html = response.content.decode()
    assert "Detroit Police Department" in html
    assert "Warren Police Department" not in html


def test_a_bad_filter_value_is_a_400_with_the_reason_not_a_500(client):
    response = client.get(reverse("web:home"), {"status": "nonsense", "as_of": "yesterday"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_agency_page_lists_partnerships_and_policy_events(client):
    partnership = PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"))
    event = PolicyEventFactory(title="Council ends the contract")
    event.partnerships.add(partnership)
    response = client.get(reverse("web:agency", args=[partnership.agency_id]))
    html = response.content.decode()
    assert "<title>Warren Police Department, Michigan" in html
    assert "Council ends the contract" in html
    assert partnership.technology.name in html


def test_user_text_is_escaped_on_pages(client):
    PartnershipFactory(
        agency=AgencyFactory(name="<script>alert(1)</script> Police Department"),
        sources=[SourceFactory(title="<img src=x onerror=alert(1)>")],
    )
    html = client.get(reverse("web:home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;" in html
