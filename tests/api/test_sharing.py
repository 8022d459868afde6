"""/api/v1/sharing/: filters by either end and state, a count, CSV and GeoJSON lines, the
credit of The News & Observer, and a 400 for what it does not take."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from survmap.imports.flock import ATTRIBUTION
from survmap.platereaders.models import Organisation, Sharing
from survmap.records.models import Technology
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def links() -> dict[str, object]:
    technology = Technology.objects.filter(slug="automated-license-plate-readers").first()
    technology = technology or TechnologyFactory(
        name="Automated license plate readers", slug="automated-license-plate-readers"
    )
    source = SourceFactory(url="https://transparency.flocksafety.com/avon-in-pd")
    avon = AgencyFactory(
        name="Avon Police Department", state_id="IN", latitude=39.7, longitude=-86.4
    )
    dare = AgencyFactory(
        name="Dare County Sheriff's Office", state_id="NC", latitude=35.6, longitude=-75.7
    )
    hoa = Organisation.objects.create(name="Lakeside HOA", state_id="GA", kind="hoa")
    common = {
        "technology": technology,
        "as_of": "2024-04-26",
        "source": source,
        "attribution": ATTRIBUTION,
    }
    Sharing.objects.create(from_agency=avon, to_agency=dare, **common)
    Sharing.objects.create(from_agency=avon, to_organisation=hoa, **common)
    Sharing.objects.create(from_agency=dare, to_agency=avon, **common)
    return {"avon": avon, "dare": dare, "hoa": hoa}


def _get(client: Client, **params: object):
    return client.get(reverse("api:sharing-list"), params)


def test_filters_by_either_end_and_counts(client: Client, links) -> None:
    avon, dare = links["avon"], links["dare"]
    assert _get(client, from_agency=avon.pk).json()["count"] == 2
    assert _get(client, to_agency=avon.pk).json()["count"] == 1
    assert _get(client, agency=dare.pk).json()["count"] == 2
    assert _get(client, state="GA").json()["count"] == 1
    body = _get(client, to_agency=avon.pk).json()
    assert body["results"][0]["shared_by"]["name"] == "Dare County Sheriff's Office"
    assert ATTRIBUTION in body["attribution"]


def test_csv_and_geojson_lines_between_the_two_agencies(client: Client, links) -> None:
    csv = _get(client, from_agency=links["avon"].pk, format="csv").content.decode()
    assert "Lakeside HOA" in csv and ATTRIBUTION in csv
    features = _get(client, from_agency=links["avon"].pk, format="geojson").json()["features"]
    lines = [f["geometry"] for f in features if f["geometry"]]
    assert lines == [{"type": "LineString", "coordinates": [[-86.4, 39.7], [-75.7, 35.6]]}]


def test_an_unknown_parameter_or_agency_is_a_400(client: Client, links) -> None:
    assert _get(client, bogus=1).status_code == 400
    assert _get(client, from_agency=999_999).status_code == 400


def test_the_agency_page_groups_who_can_search_by_state(client: Client, links) -> None:
    # An agency page shows agencies with a public partnership.
    PartnershipFactory(agency=links["avon"], sources=[SourceFactory()])
    page = client.get(links["avon"].get_absolute_url()).content.decode()
    assert "Who can search its plate reads: 2 organisations" in page
    assert "Whose plate reads it can search: 1 agency" in page
    assert "The News &amp; Observer" in page


def test_a_release_holds_the_sharing_links_and_their_dictionary(links, tmp_path) -> None:
    from survmap.api.releases import SHARING_CSV_NAME, build_release

    release = build_release(tmp_path)
    folder = tmp_path / release.name
    text = (folder / SHARING_CSV_NAME).read_text(encoding="utf-8-sig")
    assert text.count("\n") == 4  # the header and three links
    assert "Lakeside HOA" in text and ATTRIBUTION in text
    dictionary = next(folder.glob("*.md")).read_text()
    assert f"## {SHARING_CSV_NAME}" in dictionary
    assert "from_agency" in dictionary
    assert "The News & Observer" in dictionary


def test_a_moderator_matches_an_organisation_to_its_agency_in_the_admin(links, bob) -> None:
    from django.test import Client

    hoa = links["hoa"]
    agency = AgencyFactory(name="Lakeside Community Police Department", state_id="GA")
    client = Client()
    client.force_login(bob)
    url = reverse("admin:platereaders_organisation_change", args=[hoa.pk])
    response = client.post(
        url, {"name": hoa.name, "state": "GA", "kind": "hoa", "agency": agency.pk}
    )
    assert response.status_code == 302, response.content[:500]
    assert Sharing.objects.filter(to_agency=agency).count() == 1
    assert not Sharing.objects.filter(to_organisation=hoa).exists()
    hoa.refresh_from_db()
    assert hoa.agency == agency
