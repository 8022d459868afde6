"""/api/v1/checks/, its exports, /api/v1/coverage/ and the releases: public checks only, with
the partnership filters that apply to a search."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from survmap.api import releases
from survmap.common.dates import PartialDate
from survmap.records.models import Agency, AgencyKind
from survmap.research.models import CheckOutcome
from survmap.research.services import check_approve, check_reject
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks(bob):
    drones = TechnologyFactory(name="Drones", slug="drones")
    plates = TechnologyFactory(name="Plate readers", slug="plates")
    warren = AgencyFactory(name="Warren Police Department", counties=["26099"])
    sheriff = AgencyFactory(
        name="Wayne County Sheriff", kind=AgencyKind.SHERIFF, counties=["26163"]
    )
    PartnershipFactory(agency=warren, technology=plates)
    public = check_approve(
        research_check=make_check(agency=warren, technology=drones, summary="Nothing on drones"),
        moderator=bob,
    )
    stale = check_approve(
        research_check=make_check(
            agency=sheriff,
            technology=plates,
            outcome=CheckOutcome.INCONCLUSIVE,
            checked_on=PartialDate(2021, 3),
        ),
        moderator=bob,
    )
    pending = make_check(agency=sheriff, technology=drones, summary="PENDING-SECRET")
    rejected = check_reject(
        research_check=make_check(agency=warren, technology=plates, summary="REJECTED-SECRET"),
        moderator=bob,
        reason="No sources",
    )
    return {"public": public, "stale": stale, "pending": pending, "rejected": rejected}


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_list_shows_approved_checks_only(client, checks):
    response = client.get(reverse("api:check-list"))
    assert response.status_code == 200
    assert _ids(response) == {checks["public"].pk, checks["stale"].pk}
    text = response.content.decode()
    assert "PENDING-SECRET" not in text and "REJECTED-SECRET" not in text
    for private in ("token", "ip_hash", "volunteer", "reviewed_by", "decision_reason"):
        assert private not in response.json()["results"][0]


def test_pending_and_rejected_checks_have_no_detail(client, checks):
    for name in ("pending", "rejected"):
        url = reverse("api:check-detail", args=[checks[name].pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("api:check-detail", args=[checks["public"].pk])).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"technology": "drones"}, {"public"}),
        ({"county": "26163"}, {"stale"}),
        ({"agency_kind": "sheriff"}, {"stale"}),
        ({"state": "MI"}, {"public", "stale"}),
        ({"q": "Warren"}, {"public"}),
        ({"outcome": "inconclusive"}, {"stale"}),
        ({"stale": "true"}, {"stale"}),
        ({"stale": "false"}, {"public"}),
        ({"checked_before": "2022-01-01"}, {"stale"}),
        ({"as_of": "2022-01-01"}, {"stale"}),
    ],
)
def test_the_list_takes_the_partnership_filters_that_apply(client, checks, query, expected):
    response = client.get(reverse("api:check-list"), query)
    assert response.status_code == 200, response.content
    assert _ids(response) == {checks[name].pk for name in expected}


def test_a_bad_filter_value_is_a_400_naming_it(client, checks):
    response = client.get(reverse("api:check-list"), {"technology": "no-such"})
    assert response.status_code == 400
    assert "technology" in response.json()["errors"]


@pytest.mark.parametrize(
    "name", ["api:check-list", "api:export-checks-csv", "api:export-checks-geojson", "api:coverage"]
)
def test_an_unknown_parameter_is_a_400_naming_it(client, checks, name):
    # A misspelt filter would otherwise be ignored and the answer look like the whole set.
    response = client.get(reverse(name), {"technolgy": "drones"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"technolgy"}


def test_partnership_only_filters_are_not_check_parameters(client, checks):
    # Vendor and status describe a partnership, not a search: refused, not silently ignored.
    response = client.get(reverse("api:check-list"), {"status": "active"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}


def test_the_check_exports_share_the_export_allowance(client, checks, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SURVMAP_API_EXPORT_RATE = "1/hour"
    assert client.get(reverse("api:export-checks-csv")).status_code == 200
    assert client.get(reverse("api:export-checks-geojson")).status_code == 429
    # The list pages keep their own allowance.
    assert client.get(reverse("api:check-list")).status_code == 200


def test_the_list_as_csv_and_geojson(client, checks):
    text = client.get(reverse("api:check-list"), {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["check_id"] for row in rows} == {str(checks["public"].pk), str(checks["stale"].pk)}
    collection = client.get(reverse("api:check-list"), {"format": "geojson"}).json()
    assert collection["type"] == "FeatureCollection"
    assert {f["id"] for f in collection["features"]} == {checks["public"].pk, checks["stale"].pk}
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])


def test_the_exports_hold_every_public_check_and_nothing_else(client, checks):
    response = client.get(reverse("api:export-checks-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["outcome"] for row in rows} == {"none_found", "inconclusive"}
    assert "SECRET" not in text
    stale = next(row for row in rows if row["check_id"] == str(checks["stale"].pk))
    assert stale["stale"] == "true" and stale["checked_on"] == "2021-03"
    response = client.get(reverse("api:export-checks-geojson"), {"technology": "drones"})
    collection = json.loads(b"".join(response.streaming_content))
    assert [f["id"] for f in collection["features"]] == [checks["public"].pk]


def test_coverage_gives_the_share_of_agencies_checked_per_technology(client, checks):
    response = client.get(reverse("api:coverage"), {"state": "MI"})
    assert response.status_code == 200
    rows = {row["technology"]: row for row in response.json()["results"]}
    # Two public agencies: Warren (a partnership) and the sheriff (a public check).
    assert rows["drones"]["agencies"] == 2
    assert rows["drones"]["checked"] == 1 and rows["drones"]["none_found"] == 1
    assert rows["drones"]["share_checked"] == 0.5
    assert rows["plates"]["recorded"] == 1 and rows["plates"]["inconclusive"] == 1
    assert rows["plates"]["stale"] == 1 and rows["plates"]["share_known"] == 1.0
    assert rows["plates"]["not_researched"] == 0


def test_coverage_ignores_pending_and_rejected_checks(client, bob):
    drones = TechnologyFactory(slug="drones")
    partnership = PartnershipFactory(technology=drones)
    make_check(agency=partnership.agency, technology=TechnologyFactory(slug="plates"))
    rows = client.get(reverse("api:coverage")).json()["results"]
    assert [row["technology"] for row in rows] == ["drones"]
    assert rows[0]["checked"] == 0


def test_coverage_refuses_unknown_values(client, checks):
    response = client.get(reverse("api:coverage"), {"county": "99999", "agency_kind": "army"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"county", "agency_kind"}


def test_a_release_holds_the_public_checks(tmp_path: Path, checks):
    release = releases.build_release(tmp_path)
    folder = release.path
    text = (folder / releases.CHECKS_CSV_NAME).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["check_id"] for row in rows} == {str(checks["public"].pk), str(checks["stale"].pk)}
    assert "SECRET" not in text
    collection = json.loads((folder / releases.CHECKS_GEOJSON_NAME).read_text())
    assert len(collection["features"]) == 2
    dictionary = (folder / releases.DICTIONARY_NAME).read_text()
    assert "| outcome |" in dictionary and "none_found" in dictionary
    assert "| token |" not in dictionary
    assert releases.CHECKS_CSV_NAME in {file.name for file in release.files}


def test_coverage_refuses_values_no_database_can_hold(db, client):
    response = client.get(
        reverse("api:coverage"), {"county": ["0600\x001", "06037"], "state": "C\x00"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"county", "state"}


def test_coverage_refuses_an_unknown_parameter_naming_it(client, checks):
    response = client.get(reverse("api:coverage"), {"technolgy": "drones", "state": "MI"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"technolgy"}


@pytest.mark.parametrize(
    "query",
    [
        {"state": "Michigen"},  # a state's name is taken; a misspelt one is not
        {"state": ""},
        {"county": "2609"},
        {"county": "26099\x00"},
        {"technology": "no such technology"},
        {"technology": "drones\x00"},
        {"agency_kind": "police\x00"},
    ],
)
def test_coverage_answers_a_malformed_value_with_a_400_naming_it(client, checks, query):
    response = client.get(reverse("api:coverage"), query)
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == set(query)


def test_coverage_takes_the_partnership_filters_values(client, checks):
    """The same values the partnership filters take (they share one definition)."""
    both = {"state": "MI", "county": "26099", "agency_kind": "police", "technology": "drones"}
    assert client.get(reverse("api:partnership-list"), both).status_code == 200
    response = client.get(reverse("api:coverage"), both)
    assert response.status_code == 200
    assert [row["technology"] for row in response.json()["results"]] == ["drones"]


@pytest.mark.parametrize("name", ["api:export-checks-csv", "api:export-checks-geojson"])
def test_a_check_export_survives_a_credit_stored_with_a_line_break(client, checks, name):
    # Stored past the cleaning (raw SQL, an old row): the header must still be one line.
    Agency.objects.filter(pk=checks["public"].agency_id).update(
        attribution="Atlas of Surveillance\r\nX-Injected: 1"
    )
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "\n" not in response["X-Attribution"] and "\r" not in response["X-Attribution"]
    assert "X-Injected" not in response.headers
