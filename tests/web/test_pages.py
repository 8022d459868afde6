"""The public pages show sourced partnerships, and only those."""

import pytest
from django.urls import reverse

from survmap.geo.models import State
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


def test_table_lists_public_partnerships_with_their_sources(client):
    source = SourceFactory(title="Council minutes", archive_url="https://web.archive.org/web/1/x")
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department"), sources=[source]
    )
    response = client.get(reverse("web:table"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Warren Police Department" in html
    assert "Council minutes" in html
    assert source.url in html
    assert "archived copy" in html
    assert partnership.agency.get_absolute_url() in html


def test_a_partnership_without_a_source_stays_off_every_public_page(client):
    hidden = PartnershipFactory(sources=[], agency=AgencyFactory(name="Hidden Police Department"))
    assert "Hidden Police Department" not in client.get(reverse("web:table")).content.decode()
    assert client.get(reverse("web:agency", args=[hidden.agency_id])).status_code == 404
    technology_page = client.get(reverse("web:technology", args=[hidden.technology.slug]))
    assert "Hidden Police Department" not in technology_page.content.decode()


def test_table_filters_by_the_shared_query_parameters(client):
    PartnershipFactory(agency=AgencyFactory(name="Warren Police Department"))
    other = PartnershipFactory(agency=AgencyFactory(name="Detroit Police Department"))
    response = client.get(reverse("web:table"), {"technology": other.technology.slug})
    html = response.content.decode()
    assert "Detroit Police Department" in html
    assert "Warren Police Department" not in html


def test_a_bad_filter_value_is_a_400_with_the_reason_not_a_500(client):
    response = client.get(reverse("web:table"), {"status": "nonsense", "as_of": "yesterday"})
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
    html = client.get(reverse("web:table")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;" in html


def test_table_sorts_by_a_column_both_ways(client):
    PartnershipFactory(agency=AgencyFactory(name="Alpha Police Department"))
    PartnershipFactory(agency=AgencyFactory(name="Zulu Police Department"))
    ascending = client.get(reverse("web:table"), {"ordering": "agency"}).content.decode()
    descending = client.get(reverse("web:table"), {"ordering": "-agency"}).content.decode()
    assert ascending.index("Alpha Police") < ascending.index("Zulu Police")
    assert descending.index("Zulu Police") < descending.index("Alpha Police")


def test_home_is_the_map_with_counts_and_a_link_to_the_same_data_as_a_table(client):
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"]),
        technology=TechnologyFactory(slug="ring", name="Ring"),
    )
    response = client.get(reverse("web:home"), {"technology": "ring"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map"' in html
    assert "leaflet-1.9.4/leaflet.js" in html
    # The server-rendered list is what a reader without JavaScript gets.
    assert reverse("web:region", args=["26099"]) in html
    assert "Macomb County, MI" in html
    assert reverse("web:table") + "?technology=ring" in html
    assert '"26099": 1' in html  # the counts, embedded for the first paint


def test_home_and_counts_refuse_a_bad_filter_or_level_with_a_400_naming_it(client):
    response = client.get(reverse("web:home"), {"as_of": "yesterday"})
    assert response.status_code == 400
    assert "as_of" in response.content.decode()
    assert "Enter a valid date" in response.content.decode()
    response = client.get(reverse("web:home"), {"level": "zip"})
    assert response.status_code == 400
    assert "Choose &#x27;state&#x27; or &#x27;county&#x27;" in response.content.decode()
    response = client.get(reverse("web:map_counts"), {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_pages_never_load_anything_from_another_host(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    for url in (reverse("web:home"), reverse("web:home") + "?level=state"):
        html = client.get(url).content.decode()
        for attribute in ('src="http', "src='http", 'href="//', 'src="//'):
            assert attribute not in html
        assert "/static/vendor/leaflet-1.9.4/leaflet.css" in html


def test_state_region_page_lists_partnerships_events_and_counties(client):
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"]),
        sources=[SourceFactory(archive_url="https://web.archive.org/web/2/y")],
    )
    PartnershipFactory(
        agency=AgencyFactory(name="Toledo Police Department", state=State.objects.get(code="OH"))
    )
    linked = PolicyEventFactory(title="Council ends the contract")
    linked.partnerships.add(partnership)
    PolicyEventFactory(title="State bans face recognition", state=State.objects.get(code="MI"))
    PolicyEventFactory(title="Ohio decides", state=State.objects.get(code="OH"))
    response = client.get(reverse("web:region", args=["26"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Michigan: police surveillance partnerships" in html
    assert 'name="description"' in html
    assert "Warren Police Department" in html
    assert "Toledo Police Department" not in html
    assert "archived copy" in html
    assert "Council ends the contract" in html
    assert "State bans face recognition" in html
    assert "Ohio decides" not in html
    assert "<svg" in html
    assert reverse("web:region", args=["26099"]) in html


def test_county_region_page_shows_only_agencies_serving_it(client):
    PartnershipFactory(agency=AgencyFactory(name="Warren Police Department", counties=["26099"]))
    PartnershipFactory(agency=AgencyFactory(name="Detroit Police Department", counties=["26163"]))
    PartnershipFactory(agency=AgencyFactory(name="Hidden Sheriff", counties=["26099"]), sources=[])
    response = client.get(reverse("web:region", args=["26099"]))
    html = response.content.decode()
    assert "<title>Macomb County, Michigan" in html
    assert "Warren Police Department" in html
    assert "Detroit Police Department" not in html
    assert "Hidden Sheriff" not in html
    assert 'class="current"' in html


def test_unknown_or_malformed_regions_are_404(client):
    assert client.get(reverse("web:region", args=["99"])).status_code == 404
    assert client.get(reverse("web:region", args=["2609"])).status_code == 404
    assert client.get(reverse("web:region", args=["mi"])).status_code == 404


def test_region_page_refuses_a_bad_filter_with_a_400(client):
    response = client.get(reverse("web:region", args=["26"]), {"status": "nonsense"})
    assert response.status_code == 400


def test_agency_and_technology_pages_link_to_regions_and_the_map(client):
    partnership = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"])
    )
    html = client.get(reverse("web:agency", args=[partnership.agency_id])).content.decode()
    assert reverse("web:region", args=["26"]) in html
    assert reverse("web:region", args=["26099"]) in html
    page = client.get(reverse("web:technology", args=[partnership.technology.slug]))
    html = page.content.decode()
    assert f"{reverse('web:home')}?technology={partnership.technology.slug}" in html
    assert reverse("web:region", args=["26"]) in html


def test_the_map_uses_a_tile_server_only_when_one_is_configured(client, settings):
    settings.SURVMAP_TILE_URL = ""
    assert '"tile_url": ""' in client.get(reverse("web:home")).content.decode()
    settings.SURVMAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.SURVMAP_TILE_ATTRIBUTION = "© Example tiles"
    html = client.get(reverse("web:home")).content.decode()
    assert '"tile_url": "https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "© Example tiles" in html or "\\u00a9 Example tiles" in html


def test_a_bad_value_is_refused_even_when_the_good_part_is_cached(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    assert client.get(reverse("web:map_counts")).status_code == 200
    assert client.get(reverse("web:map_counts"), {"ordering": "bogus"}).status_code == 400
    assert client.get(reverse("web:home"), {"ordering": "bogus"}).status_code == 400


def test_the_map_form_without_javascript_accepts_its_blank_choices(client):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    response = client.get(
        reverse("web:home"),
        {"level": "state", "as_of": "", "vendor": "", "status": "", "agency_kind": ""},
    )
    assert response.status_code == 200
    assert reverse("web:region", args=["26"]) in response.content.decode()


def test_the_map_jump_links_and_policy_events_are_plain_links(client):
    PartnershipFactory(
        agency=AgencyFactory(counties=["26099"]), start_date="2019-01-01", start_precision="year"
    )
    PolicyEventFactory(title="A city bans face recognition", date="2019-06-01")
    html = client.get(reverse("web:home"), {"level": "state"}).content.decode()
    assert f'href="{reverse("web:region", args=["02"])}" data-jump="02"' in html
    assert 'href="?level=state&amp;as_of=2019-06-01" data-date="2019-06-01"' in html
    assert "A city bans face recognition" in html
    assert "{#" not in html and "{%" not in html  # no template comment leaks onto the page


def test_an_agency_in_two_counties_names_both_at_one_level_of_its_breadcrumbs(client):
    # Atlanta's police serve DeKalb and Fulton: neither county lies inside the other.
    partnership = PartnershipFactory(
        agency=AgencyFactory(
            name="Atlanta Police Department",
            state=State.objects.get(code="GA"),
            counties=["13089", "13121"],
        )
    )
    page = client.get(partnership.agency.get_absolute_url()).content.decode()
    crumbs = page.split('<nav class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert crumbs.count(" \u203a ") == 2
    assert "DeKalb County</a>, <a" in crumbs
    assert crumbs.rstrip().endswith("Fulton County</a>")
