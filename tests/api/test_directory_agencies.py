"""The API lists the directory's agencies (an ORI, often no partnership) beside those with
partnerships: `ori=`, `has_partnerships=`, the ORI in every agency row of every format, and the
FBI Crime Data Explorer's credit wherever its agencies are."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survmap.records.models import ATLAS_ATTRIBUTION, DIRECTORY_ATTRIBUTION
from survmap.research.models import CheckOutcome
from tests.factories import (
    AgencyFactory,
    DirectoryAgencyFactory,
    PartnershipFactory,
    TechnologyFactory,
)
from tests.research.conftest import approved_check

pytestmark = pytest.mark.django_db


def _get(client: Client, name: str, params: dict[str, Any] | None = None) -> Any:
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200, response.content
    return response.json()


def _ids(data: dict[str, Any]) -> set[int]:
    return {row["id"] for row in data["results"]}


@pytest.fixture
def agencies() -> dict[str, Any]:
    drones = TechnologyFactory(name="Drones", slug="drones")
    plates = TechnologyFactory(name="Plate readers", slug="plate-readers")
    with_drones = PartnershipFactory(
        agency=DirectoryAgencyFactory(name="Devine Police Department", ori="TX0820100"),
        technology=drones,
    ).agency
    with_plates = PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", counties=["26099"]),
        technology=plates,
    ).agency
    lonely = DirectoryAgencyFactory(
        name="Hondo Police Department", ori="TX0820200", counties=["26099"]
    )
    texan = DirectoryAgencyFactory(
        name="Medina County Sheriff's Office",
        ori="TX08200",
        kind="sheriff",
        state_id="TX",
    )
    hidden = PartnershipFactory(sources=[], agency=AgencyFactory(name="Hidden PD")).agency
    return {
        "with_drones": with_drones,
        "with_plates": with_plates,
        "lonely": lonely,
        "texan": texan,
        "hidden": hidden,
    }


def test_the_list_has_every_listed_agency_and_filters_by_partnerships(client, agencies):
    a = agencies
    everyone = {a["with_drones"].pk, a["with_plates"].pk, a["lonely"].pk, a["texan"].pk}
    assert _ids(_get(client, "api:agency-list")) == everyone
    assert _ids(_get(client, "api:agency-list", {"has_partnerships": "true"})) == {
        a["with_drones"].pk,
        a["with_plates"].pk,
    }
    assert _ids(_get(client, "api:agency-list", {"has_partnerships": "false"})) == {
        a["lonely"].pk,
        a["texan"].pk,
    }
    # A partnership filter keeps the agencies with a matching partnership, as it always did...
    assert _ids(_get(client, "api:agency-list", {"technology": "drones"})) == {a["with_drones"].pk}
    # ...and with has_partnerships=false it asks for the others.
    assert _ids(
        _get(client, "api:agency-list", {"technology": "drones", "has_partnerships": "false"})
    ) == {a["with_plates"].pk, a["lonely"].pk, a["texan"].pk}
    # Place and kind filters apply to the agency itself, with or without a partnership.
    assert _ids(_get(client, "api:agency-list", {"county": "26099"})) == {
        a["with_plates"].pk,
        a["lonely"].pk,
    }
    assert _ids(_get(client, "api:agency-list", {"agency_kind": "sheriff"})) == {a["texan"].pk}
    assert _ids(_get(client, "api:agency-list", {"agency": a["lonely"].pk})) == {a["lonely"].pk}
    detail = client.get(reverse("api:agency-detail", kwargs={"pk": a["lonely"].pk}))
    assert detail.status_code == 200 and detail.json()["ori"] == "TX0820200"
    hidden = client.get(reverse("api:agency-detail", kwargs={"pk": a["hidden"].pk}))
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("ori", "expected"),
    [
        ("TX0820200", ["lonely"]),
        ("tx0820200", ["lonely"]),
        (" TX08202 ", ["lonely"]),  # an ORI7 finds the ORI9 that begins with it
        ("TX0820000", ["texan"]),  # an ORI9 finds the agency recorded by its ORI7
        ("TX08200", ["texan"]),
        ("TX0829900", []),
    ],
)
def test_ori_finds_the_agency_in_either_length_and_any_case(client, agencies, ori, expected):
    data = _get(client, "api:agency-list", {"ori": ori})
    assert _ids(data) == {agencies[name].pk for name in expected}


@pytest.mark.parametrize(
    "query",
    [
        {"ori": "TX08"},
        {"ori": "1X0820200"},
        {"ori": "TX0820200%"},
        {"has_partnerships": "maybe"},
        {"has_partnerships": "true", "status": "nope"},
        {"ori": "TX0820200\x00"},
    ],
)
def test_a_bad_ori_or_has_partnerships_is_a_400_naming_it(client, agencies, query):
    response = client.get(reverse("api:agency-list"), query)
    assert response.status_code == 400
    if not any("\x00" in value for value in query.values()):
        assert set(response.json()["errors"]) == set(query) - {"has_partnerships"} | (
            {"has_partnerships"} if query.get("has_partnerships") == "maybe" else set()
        )


def test_other_routes_refuse_the_agency_list_s_own_parameters(client, agencies):
    response = client.get(reverse("api:partnership-list"), {"ori": "TX0820200"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ori"}


def test_every_agency_row_carries_its_ori_as_json_csv_and_geojson(client, agencies):
    lonely = agencies["lonely"]
    data = _get(client, "api:agency-list", {"ori": lonely.ori})
    assert data["results"][0]["ori"] == "TX0820200"
    response = client.get(reverse("api:agency-list"), {"ori": lonely.ori, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["ori"] for row in rows] == ["TX0820200"]
    response = client.get(reverse("api:agency-list"), {"ori": lonely.ori, "format": "geojson"})
    (feature,) = response.json()["features"]
    assert feature["properties"]["ori"] == "TX0820200"


def test_partnership_rows_carry_their_agency_s_ori_in_every_format(client, agencies):
    data = _get(client, "api:partnership-list", {"technology": "drones"})
    assert data["results"][0]["agency"]["ori"] == "TX0820100"
    response = client.get(
        reverse("api:partnership-list"), {"technology": "drones", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["ori"] for row in rows] == ["TX0820100"]
    export = client.get(reverse("api:export-partnerships-csv"), {"technology": "drones"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["ori"] for row in rows] == ["TX0820100"]
    export = client.get(reverse("api:export-partnerships-geojson"), {"technology": "drones"})
    collection = json.loads(b"".join(export.streaming_content))
    assert [f["properties"]["ori"] for f in collection["features"]] == ["TX0820100"]


def test_check_rows_carry_their_agency_s_ori(client, agencies, bob):
    approved_check(
        bob,
        agency=agencies["lonely"],
        technology=TechnologyFactory(slug="drones"),
        outcome=CheckOutcome.NONE_FOUND,
    )
    data = _get(client, "api:check-list")
    assert data["results"][0]["agency"]["ori"] == "TX0820200"
    assert DIRECTORY_ATTRIBUTION in data["attribution"]
    export = client.get(reverse("api:export-checks-csv"))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert [row["ori"] for row in csv.DictReader(io.StringIO(text, newline=""))] == ["TX0820200"]
    assert DIRECTORY_ATTRIBUTION in export["X-Attribution"]


def test_the_directory_is_credited_wherever_its_agencies_are(client, agencies):
    data = _get(client, "api:agency-list", {"has_partnerships": "false"})
    assert data["attribution"] == sorted(["survmap contributors", DIRECTORY_ATTRIBUTION])
    assert "public domain" in data["license"]["notes"]
    # An agency both the directory and the Atlas name holds both credits on one line: each is
    # credited on its own, and the Atlas's licence is named.
    both = agencies["with_drones"]
    both.attribution = f"{DIRECTORY_ATTRIBUTION}; {ATLAS_ATTRIBUTION}"
    both.save()
    data = _get(client, "api:partnership-list", {"technology": "drones"})
    assert DIRECTORY_ATTRIBUTION in data["attribution"]
    assert ATLAS_ATTRIBUTION in data["attribution"]
    assert "CC BY 4.0" in data["license"]["notes"]
    export = client.get(reverse("api:export-partnerships-csv"), {"technology": "drones"})
    assert export["X-Attribution"].split("; ") == sorted(
        [
            "Electronic Frontier Foundation, Atlas of Surveillance (CC BY 4.0)",
            DIRECTORY_ATTRIBUTION,
            "survmap contributors",
        ]
    )
    # A page without a directory agency owes the FBI nothing.
    data = _get(client, "api:agency-list", {"technology": "plate-readers"})
    assert DIRECTORY_ATTRIBUTION not in data["attribution"]
