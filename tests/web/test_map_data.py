"""The map's JSON: outlines built once and served immutable, counts cached until data changes."""

import datetime as dt
import gzip
import json

import pytest
from django.urls import reverse

from survmap.geo.boundaries import Level
from survmap.geo.topology import geometry_asset
from survmap.maps.counts import slider_steps
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def _counts(client, **params):
    response = client.get(reverse("web:map_counts"), params)
    assert response.status_code == 200
    return response.json()


def test_counts_are_agencies_per_county_for_the_filters(client):
    ring = TechnologyFactory(slug="ring", name="Ring")
    PartnershipFactory(agency=AgencyFactory(counties=["26099", "26163"]), technology=ring)
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    PartnershipFactory(agency=AgencyFactory(counties=["26125"]), sources=[])
    assert _counts(client)["counts"] == {"26099": 2, "26163": 1}
    assert _counts(client, technology="ring")["counts"] == {"26099": 1, "26163": 1}
    state = _counts(client, level="state")
    assert state["counts"] == {"26": 2}
    assert state["agencies"] == 2
    assert state["breaks"] == [2]


def test_counts_follow_the_as_of_date(client):
    PartnershipFactory(
        agency=AgencyFactory(counties=["26099"]), start_date="2018-01-01", start_precision="year"
    )
    PartnershipFactory(
        agency=AgencyFactory(counties=["26163"]), start_date="2021-05-01", start_precision="month"
    )
    assert _counts(client, as_of="2019-06-01")["counts"] == {"26099": 1}
    assert _counts(client, as_of="2022-06-01")["counts"] == {"26099": 1, "26163": 1}


def test_cached_counts_are_dropped_when_a_record_changes(client):
    partnership = PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    assert _counts(client)["counts"] == {"26099": 1}
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    assert _counts(client)["counts"] == {"26099": 2}
    partnership.sources.clear()  # an m2m change: the partnership is no longer public
    assert _counts(client)["counts"] == {"26099": 1}
    partnership.agency.counties.set(["26163"])
    partnership.sources.add(*PartnershipFactory().sources.all())
    assert _counts(client)["counts"] == {"26099": 1, "26163": 1}


def test_the_same_filters_in_another_order_share_one_cache_entry(client, django_assert_num_queries):
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    _counts(client, status=["active", "ended"], level="county")
    with django_assert_num_queries(0):
        response = client.get(
            reverse("web:map_counts") + "?level=county&status=ended&status=active"
        )
    assert response.json()["counts"] == {"26099": 1}


def test_geometry_is_gzipped_immutable_and_has_every_county(client):
    asset = geometry_asset(Level.COUNTY)
    url = reverse("web:map_geometry", kwargs={"level": "county", "digest": asset.digest})
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    topology = json.loads(gzip.decompress(response.content))
    counties = topology["objects"]["counties"]["geometries"]
    assert len(counties) == 3233
    assert {"id": "26099", "n": "Macomb County, MI"} in [
        {"id": g["id"], "n": g["properties"]["n"]} for g in counties
    ]
    # The budget for the whole first load is 300 KB; the outlines must leave room for the rest.
    assert len(response.content) < 220_000


def test_geometry_under_an_old_digest_or_level_is_404(client):
    url = reverse("web:map_geometry", kwargs={"level": "county", "digest": "0123456789ab"})
    assert client.get(url).status_code == 404
    url = reverse("web:map_geometry", kwargs={"level": "zip", "digest": "0123456789ab"})
    assert client.get(url).status_code == 404


def test_state_geometry_keeps_alaska_in_one_hemisphere(client):
    asset = geometry_asset(Level.STATE)
    topology = json.loads(asset.body)
    ids = {g["id"] for g in topology["objects"]["states"]["geometries"]}
    assert {"02", "15", "72", "78", "66", "69", "60"} <= ids
    west, _south, east, _north = topology["bbox"]
    # Shifted west of the antimeridian: the Aleutians and Guam no longer span the globe.
    assert east < 0
    assert west > -220


def test_an_as_of_view_keeps_the_colour_bands_of_the_whole_record_and_counts_the_undated(client):
    for county, start in (("26099", "2018-01-01"), ("26099", "2021-05-01"), ("26163", None)):
        PartnershipFactory(
            agency=AgencyFactory(counties=[county]),
            start_date=start,
            start_precision="month" if start else "",
        )
    everything = _counts(client)
    assert everything["counts"] == {"26099": 2, "26163": 1}
    assert everything["breaks"] == [1, 2]
    early = _counts(client, as_of="2019-06-01")
    assert early["counts"] == {"26099": 1}
    # On its own this view would have one band, "1": the colours would not compare.
    assert early["breaks"] == everything["breaks"]
    assert early["colours"] == everything["colours"]
    assert early["undated"] == 1
    assert early["as_of"] == "2019-06-01"


def test_the_timeline_counts_partnerships_in_effect_at_each_step_of_the_slider(client):
    PartnershipFactory(
        start_date=dt.date(2018, 3, 5),
        start_precision="day",
        end_date=dt.date(2018, 5, 20),
        end_precision="day",
    )
    PartnershipFactory(start_date=dt.date(2018, 4, 1), start_precision="month")
    payload = _counts(client)
    steps = client.get(reverse("web:home")).context["config"]["steps"]
    # Month ends up to the last recorded date (the end in May), then today.
    assert steps == ["2018-03-31", "2018-04-30", "2018-05-31", dt.date.today().isoformat()]
    assert payload["timeline"] == [1, 2, 1, 1]


def test_slider_steps_run_from_the_first_record_to_the_last_then_today():
    today = dt.date(2026, 12, 1)
    assert slider_steps(dt.date(2020, 1, 15), dt.date(2020, 3, 2), today) == [
        "2020-01-31",
        "2020-02-29",
        "2020-03-31",
        "2026-12-01",
    ]
    assert slider_steps(None, None, today) == ["2026-12-01"]
    # A last date in the current month ends on today, not on the month's end.
    assert slider_steps(dt.date(2026, 11, 3), dt.date(2026, 12, 1), today) == [
        "2026-11-30",
        "2026-12-01",
    ]


def test_outlines_go_in_brotli_to_a_browser_that_takes_it(client):
    import brotli

    asset = geometry_asset(Level.STATE)
    url = reverse("web:map_geometry", kwargs={"level": "state", "digest": asset.digest})
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == asset.body
    assert len(response.content) < len(asset.gzipped)
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
