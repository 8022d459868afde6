"""Empty and sparse pages help: they say an absent record proves nothing, name the statewide
agencies that cover the place, offer a tip link filled in with it, and a state names its
neighbours with their counts."""

import re
from html import unescape

import pytest
from django.urls import reverse

from survmap.geo.adjacency import build_neighbours, state_neighbours
from survmap.geo.models import State
from survmap.records.models import AgencyKind
from survmap.web.views import LIST_ROWS
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def test_an_empty_county_says_no_record_is_not_proof_and_offers_a_filled_in_tip(client):
    html = client.get(reverse("web:region", args=["26001"])).content.decode()
    assert "No record is not proof of no surveillance." in html
    assert "0 agencies with 0" not in html
    tip = reverse("submissions:submit") + "?agency_state=MI&amp;place=Alcona+County%2C+Michigan"
    assert f'href="{tip}"' in html


def test_the_tip_link_fills_in_the_state_and_the_place(client):
    response = client.get(
        reverse("submissions:submit"), {"agency_state": "MI", "place": "Alcona County, Michigan"}
    )
    html = response.content.decode()
    assert '<option value="MI" selected>Michigan</option>' in html
    assert "About Alcona County, Michigan: </textarea>" in html


def test_a_county_names_the_statewide_agencies_that_cover_it(client):
    PartnershipFactory(
        agency=AgencyFactory(
            name="Michigan State Police", kind=AgencyKind.STATE_POLICE, counties=["26065"]
        ),
        technology=TechnologyFactory(name="Drones", slug="drones"),
    )
    PartnershipFactory(agency=AgencyFactory(name="Lansing Police", counties=["26065"]))
    html = client.get(reverse("web:region", args=["26001"])).content.decode()
    assert "Statewide agencies that also cover Alcona County" in html
    assert "Michigan State Police</a>: Drones" in html
    assert "Lansing Police" not in html


def test_a_well_recorded_county_does_not_carry_the_note(client):
    for n in range(5):
        PartnershipFactory(agency=AgencyFactory(name=f"Agency {n}", counties=["26161"]))
    html = client.get(reverse("web:region", args=["26161"])).content.decode()
    assert "No record is not proof" not in html


def test_a_state_names_its_neighbours_with_their_counts(client):
    ohio = State.objects.get(code="OH")
    PartnershipFactory(agency=AgencyFactory(name="Toledo Police", state=ohio))
    html = client.get(reverse("web:region", args=["26"])).content.decode()
    assert "Neighbouring states" in html
    assert '<a href="/regions/39/">Ohio</a>: 1 agency' in html
    assert '<a href="/regions/18/">Indiana</a>: 0 agencies' in html
    assert "Wisconsin" in html


def test_neighbours_share_a_border_not_a_corner_and_the_cache_agrees_with_the_build():
    built = build_neighbours()
    assert built["26"] == ["18", "39", "55"]  # Michigan: Indiana, Ohio, Wisconsin
    assert "08" not in built["04"]  # Arizona and Colorado meet only at the Four Corners
    assert built["15"] == []  # Hawaii
    assert set(built["36"]) == {"09", "25", "34", "42", "50"}  # New York
    assert all(a in built[b] for a, others in built.items() for b in others)
    assert state_neighbours() == built


def test_every_page_of_a_state_with_neighbours_answers_including_the_next_link(client):
    for n in range(LIST_ROWS + 1):
        PartnershipFactory(agency=AgencyFactory(name=f"Agency {n:03}", counties=["26161"]))
    # An old numbered link still opens the list (at its first page).
    first = client.get(reverse("web:region", args=["26"]), {"page": "1"})
    assert first.status_code == 200
    next_query = re.search(r'href="\?([^"]*)" rel="next"', first.content.decode())
    assert next_query is not None
    second = client.get(reverse("web:region", args=["26"]) + "?" + unescape(next_query[1]))
    assert second.status_code == 200
    assert f"Agency {LIST_ROWS:03}" in second.content.decode()
    assert '<a href="/regions/18/">Indiana</a>: 0 agencies' in second.content.decode()
    # The next link of a filtered page keeps its filter.
    filtered = client.get(reverse("web:region", args=["26"]), {"status": "active"})
    filtered_next = re.search(r'href="\?([^"]*)" rel="next"', filtered.content.decode())
    assert filtered_next is not None and "status=active" in filtered_next[1]
    assert (
        client.get(
            reverse("web:region", args=["26"]) + "?" + unescape(filtered_next[1])
        ).status_code
        == 200
    )
