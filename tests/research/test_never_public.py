"""Pending and rejected checks are never public: not on pages, in the API, the exports, the
map's coverage or a release, and writing them leaves the data version (every cache) alone."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from survmap.api import releases
from survmap.common import data_version
from survmap.common.dates import PartialDate
from survmap.research.models import CheckOutcome
from survmap.research.services import ConsultedSource, check_reject, task_claim, task_report
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check, make_task

pytestmark = pytest.mark.django_db


def test_pending_and_rejected_checks_are_never_public(
    client, bob, tmp_path: Path, django_capture_on_commit_callbacks
):
    technology = TechnologyFactory(slug="drones")
    lonely = AgencyFactory(name="Checked Only Police", counties=["26099"])
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=technology)
    task = task_claim(task=make_task(agency=lonely, technology=TechnologyFactory()))
    before = data_version.current().token
    with django_capture_on_commit_callbacks(execute=True):
        # A report that found something: a pending check and a pending tip.
        task_report(
            token=task.claim_token or "",
            outcome=CheckOutcome.FOUND,
            checked_on=PartialDate(2026, 6),
            summary="FOUND-SECRET",
            sources=[ConsultedSource(url="https://city.example.gov/minutes.pdf")],
        )
        pending = make_check(agency=lonely, technology=technology, summary="PENDING-SECRET")
        rejected = check_reject(
            research_check=make_check(
                agency=lonely,
                technology=technology,
                outcome=CheckOutcome.INCONCLUSIVE,
                summary="REJECTED-SECRET",
            ),
            moderator=bob,
            reason="Unclear",
        )
    assert data_version.current().token == before

    # Pages: the agency known only through them has no page; the region lists none.
    assert client.get(reverse("web:agency", args=[lonely.pk])).status_code == 404
    for fips in ("26", "26099"):
        assert "SECRET" not in client.get(reverse("web:region", args=[fips])).content.decode()
    # API, detail and exports.
    assert client.get(reverse("api:check-list")).json()["results"] == []
    for research_check in (pending, rejected):
        detail = client.get(reverse("api:check-detail", args=[research_check.pk]))
        assert detail.status_code == 404
    response = client.get(reverse("api:export-checks-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(text, newline=""))) == []
    response = client.get(reverse("api:export-checks-geojson"))
    assert json.loads(b"".join(response.streaming_content))["features"] == []
    rows = client.get(reverse("api:coverage")).json()["results"]
    assert rows[0]["checked"] == 0 and rows[0]["none_found"] == 0
    # The map.
    coverage = client.get(reverse("research:map_coverage"), {"level": "county"}).json()
    assert coverage["none_found"] == {}
    counts = client.get(reverse("web:map_counts"), {"level": "county"}).json()
    assert counts["none_found"] == {}
    # A release.
    release = releases.build_release(tmp_path)
    assert "SECRET" not in (release.path / releases.CHECKS_CSV_NAME).read_text("utf-8-sig")
    assert "SECRET" not in (release.path / releases.CHECKS_GEOJSON_NAME).read_text()
