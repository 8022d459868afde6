"""The read-only API: every endpoint, every filter, only public records, cursor pages, and bad
parameters answered with a 400 that names them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survmap.api.serializers import FastPartnershipSerializer, PartnershipSerializer
from survmap.records.models import Partnership
from survmap.records.selectors import partnership_list_public
from tests.api.conftest import Record
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory


def _get(client: Client, name: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    response = client.get(reverse(name, kwargs=kwargs or None), params or {})
    assert response.status_code == 200, response.content
    return response.json()


def _desc(text: str) -> tuple[int, ...]:
    return (*(-ord(char) for char in text), 1)


def _ids(data: dict[str, Any]) -> set[int]:
    return {row["id"] for row in data["results"]}


def test_partnership_list_shows_public_partnerships_with_their_parts(
    client: Client, record: Record
) -> None:
    data = _get(client, "api:partnership-list")
    assert _ids(data) == {record.doorbell.pk, record.face_ended.pk}
    assert data["count"] == 2
    row = next(r for r in data["results"] if r["id"] == record.doorbell.pk)
    assert row["agency"]["name"] == "Warren Police Department"
    assert row["agency"]["counties"] == ["26099"]
    assert row["technology"]["slug"] == "doorbell-network"
    assert row["vendor"]["slug"] == "ring"
    assert row["start"] == "2019-06"
    assert [s["url"] for s in row["sources"]] == [record.doorbell.sources.get().url]


def test_hand_written_serializer_matches_the_generic_one(client: Client, record: Record) -> None:
    agency = AgencyFactory(counties=["26099", "26125"], latitude=1.5, longitude=-2.25)
    PartnershipFactory(
        agency=agency,
        vendor=None,
        sources=[
            SourceFactory(
                url=None,
                title="Print",
                published_date=dt.date(2020, 1, 1),
                published_precision="year",
                accessed_date=dt.date(2021, 2, 3),
            )
        ],
    )
    partnerships = list(partnership_list_public())
    assert len(partnerships) == 3
    assert FastPartnershipSerializer(partnerships, many=True).data == (
        PartnershipSerializer(partnerships, many=True).data
    )


def test_list_pages_from_light_rows_match_the_generic_serializer(
    client: Client, record: Record
) -> None:
    """List pages are built from records.rows, not model instances: every shape of record (no
    vendor, several counties and sources, partial dates, a source without an address) must come
    out exactly as the generic serializer writes the model instances."""
    agency = AgencyFactory(
        counties=["51013", "26099", "51510"], latitude=42.5, longitude=-83.0, ori="MI1234567"
    )
    PartnershipFactory(
        agency=agency,
        vendor=None,
        start_date=dt.date(2019, 3, 1),
        start_precision="month",
        end_date=dt.date(2021, 12, 31),
        end_precision="year",
        sources=[
            SourceFactory(published_date=dt.date(2021, 5, 6), published_precision="day"),
            SourceFactory(
                url=None,
                title="Council minutes",
                published_date=dt.date(2019, 1, 1),
                published_precision="year",
                accessed_date=dt.date(2022, 2, 3),
                archive_url="https://web.archive.org/web/2022/x",
            ),
        ],
    )
    expected = PartnershipSerializer(partnership_list_public().order_by("pk"), many=True).data
    pages: list[dict[str, Any]] = []
    data = _get(client, "api:partnership-list", {"page_size": 2, "ordering": "id"})
    pages.extend(data["results"])
    while data["next"]:
        response = client.get(data["next"])
        assert response.status_code == 200
        data = response.json()
        pages.extend(data["results"])
    assert pages == [dict(row) for row in expected]
    assert len(pages) == 3


def test_partnership_detail_and_hidden_detail(client: Client, record: Record) -> None:
    data = _get(client, "api:partnership-detail", pk=record.doorbell.pk)
    assert data["id"] == record.doorbell.pk
    response = client.get(reverse("api:partnership-detail", kwargs={"pk": record.hidden.pk}))
    assert response.status_code == 404
    assert response.json()["message"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"technology": "doorbell-network"}, {"doorbell"}),
        ({"technology": ["doorbell-network", "face-recognition"]}, {"doorbell", "face_ended"}),
        ({"vendor": "clearview-ai"}, {"face_ended"}),
        ({"status": "ended"}, {"face_ended"}),
        ({"status": ["ended", "active"]}, {"doorbell", "face_ended"}),
        ({"state": "MI"}, {"doorbell"}),
        ({"county": "06037"}, {"face_ended"}),
        ({"agency_kind": "sheriff"}, {"face_ended"}),
        ({"as_of": "2021-06-01"}, {"doorbell", "face_ended"}),
        ({"as_of": "2022-06-01"}, {"doorbell"}),
        ({"as_of": "2019-01-01"}, set()),
        ({"start_after": "2019-12-01"}, {"face_ended"}),
        ({"start_before": "2019-12-01"}, {"doorbell"}),
        ({"end_after": "2021-01-01"}, {"face_ended"}),
        ({"end_before": "2020-01-01"}, set()),
        ({"q": "warren"}, {"doorbell"}),
        ({"q": "clearview"}, {"face_ended"}),
        ({"q": "unsourced"}, set()),
    ],
)
def test_each_partnership_filter_narrows_the_list(
    client: Client, record: Record, params: dict[str, Any], expected: set[str]
) -> None:
    data = _get(client, "api:partnership-list", params)
    assert _ids(data) == {getattr(record, name).pk for name in expected}
    assert data["count"] == len(expected)


def test_agencies_are_those_with_a_public_partnership(client: Client, record: Record) -> None:
    data = _get(client, "api:agency-list")
    assert _ids(data) == {record.warren.pk, record.los_angeles.pk}
    assert _ids(_get(client, "api:agency-list", {"state": "CA"})) == {record.los_angeles.pk}
    assert _ids(_get(client, "api:agency-list", {"agency_kind": "police"})) == {record.warren.pk}
    assert _ids(_get(client, "api:agency-list", {"county": "26099"})) == {record.warren.pk}
    assert _ids(_get(client, "api:agency-list", {"q": "sheriff"})) == {record.los_angeles.pk}
    assert _ids(_get(client, "api:agency-list", {"technology": "face-recognition"})) == {
        record.los_angeles.pk
    }
    detail = client.get(reverse("api:agency-detail", kwargs={"pk": record.hidden_agency.pk}))
    assert detail.status_code == 404


def test_agencies_as_geojson_say_where_each_point_comes_from(
    client: Client, record: Record
) -> None:
    response = client.get(reverse("api:agency-list"), {"format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    by_id = {feature["id"]: feature for feature in collection["features"]}
    warren = by_id[record.warren.pk]
    assert warren["geometry"]["coordinates"] == [-83.0147, 42.5145]
    assert warren["properties"]["location_source"] == "agency"
    los_angeles = by_id[record.los_angeles.pk]
    assert los_angeles["properties"]["location_source"] == "county_centroid"
    lon, lat = los_angeles["geometry"]["coordinates"]
    assert -119 < lon < -117 and 33.5 < lat < 35  # inside Los Angeles County


def test_reference_lists_hide_what_only_hidden_records_use(client: Client, record: Record) -> None:
    technologies = _get(client, "api:technology-list")
    assert {row["slug"] for row in technologies["results"]} == {
        "doorbell-network",
        "face-recognition",
    }
    vendors = _get(client, "api:vendor-list")
    assert {row["slug"] for row in vendors["results"]} == {"ring", "clearview-ai"}
    sources = _get(client, "api:source-list")
    public_sources = {
        record.doorbell.sources.get().pk,
        record.face_ended.sources.get().pk,
        record.event.sources.get().pk,
    }
    assert _ids(sources) == public_sources
    events = _get(client, "api:policyevent-list")
    assert _ids(events) == {record.event.pk}
    # The event changed a hidden partnership too; only the public one is named.
    assert events["results"][0]["partnerships"] == [record.doorbell.pk]


def test_region_counts_per_state_and_county_follow_the_filters(
    client: Client, record: Record
) -> None:
    states = _get(client, "api:regions")
    assert {(r["fips"], r["agencies"]) for r in states["results"]} == {("26", 1), ("06", 1)}
    counties = _get(client, "api:regions", {"level": "county", "status": "ended"})
    assert counties["results"] == [
        {"fips": "06037", "name": "Los Angeles County", "state": "CA", "agencies": 1}
    ]


def test_regions_as_geojson_are_polygons_with_counts(client: Client, record: Record) -> None:
    response = client.get(reverse("api:regions"), {"format": "geojson", "level": "state"})
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    counts = {f["properties"]["fips"]: f["properties"]["agencies"] for f in collection["features"]}
    assert counts["26"] == 1 and counts["06"] == 1 and counts["48"] == 0  # Texas: hidden only
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("id", lambda p: p.pk),
        ("-id", lambda p: -p.pk),
        ("agency", lambda p: (p.agency.name, p.agency_id, p.pk)),
        ("-agency", lambda p: (_desc(p.agency.name), -p.agency_id, -p.pk)),
        ("state", lambda p: (p.agency.state_id, p.agency_id, p.pk)),
        ("technology", lambda p: (p.technology.name, p.technology_id, p.pk)),
        ("vendor", lambda p: (p.vendor.name if p.vendor else "", p.vendor_id or 0, p.pk)),
        ("status", lambda p: (p.status, p.pk)),
        ("start", lambda p: (str(p.start_date or "0001-01-01"), p.pk)),
        # Nullable sorts page their NULL rows as a segment of their own: first ascending, last
        # descending, with pages that cross from one segment to the other.
        ("-start", lambda p: (_desc(str(p.start_date or "0001-01-01")), -p.pk)),
        ("end", lambda p: (str(p.end_date or "0001-01-01"), p.pk)),
        ("-end", lambda p: (_desc(str(p.end_date or "0001-01-01")), -p.pk)),
        (
            "-vendor",
            lambda p: (_desc(p.vendor.name if p.vendor else ""), -(p.vendor_id or 0), -p.pk),
        ),
    ],
)
def test_cursor_pages_walk_every_row_once_in_order(
    client: Client, record: Record, ordering: str, key: Any
) -> None:
    for number in range(7):
        agency = AgencyFactory(name=f"Page Town {number % 3} Police Department {number}")
        PartnershipFactory(
            agency=agency,
            technology=record.ring,
            status="pilot",
            # Ties on the date, broken by id; some with an end, most without.
            start_date=dt.date(2019, 1 + number % 2, 1),
            start_precision="month",
            end_date=dt.date(2022, 12, 31) if number % 3 == 0 else None,
            end_precision="year" if number % 3 == 0 else "",
        )
        # Several partnerships of one agency: ties on the agency, broken by id.
        PartnershipFactory(agency=agency, technology=record.face, vendor=None)
    expected = sorted(Partnership.objects.public(), key=key)
    seen: list[int] = []
    url: str | None = reverse("api:partnership-list") + f"?ordering={ordering}&page_size=2"
    while url:
        data = client.get(url).json()
        assert data["count"] == len(expected)
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
    assert seen == [p.pk for p in expected]


BAD_PARAMETERS = [
    ("status=nope", "status"),
    ("as_of=tomorrow", "as_of"),
    ("county=123", "county"),
    ("state=ZZ", "state"),
    ("technology=no-such-thing", "technology"),
    ("start_after=2020-13-45", "start_after"),
    ("cursor=not-a-cursor", "cursor"),
    ("cursor=WyJpZCIsImEiLCJiIl0", "cursor"),  # ["id","a","b"]: the right shape, wrong types
    ("ordering=zzz", "ordering"),
    ("format=xml", "format"),
    ("page_size=0", "page_size"),
]


@pytest.mark.parametrize(("query", "name"), BAD_PARAMETERS)
def test_a_bad_parameter_is_a_400_naming_it(
    client: Client, record: Record, query: str, name: str
) -> None:
    response = client.get(reverse("api:partnership-list") + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert name in body["errors"]
    assert name in body["message"]


@pytest.mark.parametrize(
    ("url_name", "query", "name"),
    [
        ("api:agency-list", "status=nope", "status"),
        ("api:agency-list", "ordering=technology", "ordering"),
        ("api:regions", "level=planet", "level"),
        ("api:regions", "as_of=tomorrow", "as_of"),
        ("api:export-partnerships-csv", "county=123", "county"),
        ("api:export-partnerships-geojson", "status=nope", "status"),
        ("api:source-list", "ordering=title", "ordering"),
    ],
)
def test_every_endpoint_names_its_bad_parameters(
    client: Client, record: Record, url_name: str, query: str, name: str
) -> None:
    response = client.get(reverse(url_name) + "?" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert name in response.json()["errors"]


def test_writes_are_refused_with_a_json_message(client: Client, record: Record) -> None:
    response = client.post(reverse("api:partnership-list"), {"summary": "x"})
    assert response.status_code == 405
    assert "not allowed" in response.json()["message"]


def test_a_row_gone_between_the_page_queries_is_left_out(
    client: Client, record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's keys and its rows are two queries: a partnership deleted or hidden between
    them is left out of the page, not a server error."""
    from survmap.api.views import PartnershipViewSet
    from survmap.records import rows

    gone = record.doorbell.pk
    monkeypatch.setattr(
        PartnershipViewSet,
        "rows_by_id",
        lambda self, ids: {
            pk: row for pk, row in rows.partnerships_by_id(ids).items() if pk != gone
        },
    )
    data = _get(client, "api:partnership-list", {"ordering": "id"})
    assert gone not in _ids(data)
    assert _ids(data)
