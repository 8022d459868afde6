"""What a councillor asks: what has been voted down elsewhere. The map filters by every status,
a technology's page lists the decisions against it, and the API gives each status's age."""

import datetime as dt

import pytest
from django.urls import reverse

from survmap.records.models import PartnershipStatus
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


def test_the_maps_status_filter_offers_every_status(client):
    html = client.get(reverse("web:home")).content.decode()
    for status in PartnershipStatus.values:
        assert f'name="status" value="{status}"' in html, status
    counts = client.get(reverse("web:map_counts"), {"level": "state", "status": "rejected"})
    assert counts.status_code == 200


def test_a_technology_page_lists_the_decisions_against_it_newest_first(client):
    plates = TechnologyFactory(name="Automated license plate readers", slug="alpr")
    older = PartnershipFactory(
        technology=plates,
        agency=AgencyFactory(name="Alpha Police Department"),
        status=PartnershipStatus.REJECTED,
        status_as_of_date=dt.date(2023, 5, 1),
        status_as_of_precision="month",
    )
    newer = PartnershipFactory(
        technology=plates,
        agency=AgencyFactory(name="Beta Police Department"),
        status=PartnershipStatus.ENDED,
        end_date=dt.date(2025, 12, 16),
        end_precision="day",
        status_as_of_date=dt.date(2025, 12, 16),
        status_as_of_precision="day",
    )
    PartnershipFactory(technology=plates, agency=AgencyFactory(name="Gamma Police Department"))
    html = client.get(reverse("web:technology", args=["alpr"])).content.decode()
    section = html[html.index('id="decisions"') :]
    assert "2 partnerships turned down, ended, banned or paused" in section
    assert section.index("Beta Police Department") < section.index("Alpha Police Department")
    assert "Reported ended, as of 16 December 2025" in section
    assert "Rejected, as of May 2023" in section
    decisions = section[: section.index("</section>")]
    assert "Gamma Police Department" not in decisions
    assert f"#partnership-{older.pk}" in section and f"#partnership-{newer.pk}" in section


def test_the_counts_a_vendor_reported_are_a_dated_series_on_its_technology_page(client):
    ring = TechnologyFactory(name="Ring/Neighbors partnership", slug="ring")
    PolicyEventFactory(
        technology=ring,
        title="Ring maps its partners",
        date=dt.date(2019, 8, 28),
        reported_count=405,
    )
    PolicyEventFactory(
        technology=ring,
        title="Ring's 2020 total",
        date=dt.date(2020, 1, 1),
        date_precision="year",
        reported_count=2014,
    )
    PolicyEventFactory(
        technology=ring, title="June count", date=dt.date(2020, 6, 10), reported_count=1300
    )
    PolicyEventFactory(technology=ring, title="No count", date=dt.date(2021, 1, 1))
    html = client.get(reverse("web:technology", args=["ring"])).content.decode()
    series = html[
        html.index('id="reported-counts"') : html.index(
            "</section>", html.index('id="reported-counts"')
        )
    ]
    # A count for a whole year stands at its end, after the June one.
    assert series.index(">405<") < series.index(">1300<") < series.index(">2014<")
    assert "No count" not in series


def test_the_api_gives_each_status_as_shown_and_its_age(client):
    partnership = PartnershipFactory(
        status=PartnershipStatus.ACTIVE,
        status_as_of_date=dt.date(2020, 10, 1),
        status_as_of_precision="month",
        sources=[SourceFactory()],
    )
    detail = client.get(reverse("api:partnership-detail", kwargs={"pk": partnership.pk})).json()
    assert detail["status_label"] == "Reported active, as of October 2020"
    assert detail["confirmed_age_years"] >= 6
    listed = client.get(reverse("api:partnership-list")).json()
    row = next(item for item in listed["results"] if item["id"] == partnership.pk)
    assert row["status_label"] == detail["status_label"]
    assert row["confirmed_age_years"] == detail["confirmed_age_years"]
