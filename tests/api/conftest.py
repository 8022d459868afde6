"""A small public record with hidden (unsourced) rows beside it, shared by the API tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from survmap.common.dates import DatePrecision
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
    VendorFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters, cached counts and the data version must not leak between tests."""
    cache.clear()


@dataclass
class Record:
    ring: Technology
    face: Technology
    amazon: Vendor
    clearview: Vendor
    warren: Agency
    los_angeles: Agency
    hidden_agency: Agency
    doorbell: Partnership
    face_ended: Partnership
    hidden: Partnership
    hidden_vendor: Vendor
    hidden_technology: Technology
    event: PolicyEvent
    hidden_event: PolicyEvent
    uncited_source: Source


@pytest.fixture
def record(db) -> Record:
    ring = TechnologyFactory(name="Doorbell camera network", slug="doorbell-network")
    face = TechnologyFactory(name="Face recognition", slug="face-recognition")
    amazon = VendorFactory(name="Ring", slug="ring")
    clearview = VendorFactory(name="Clearview AI", slug="clearview-ai")
    warren = AgencyFactory(
        name="Warren Police Department",
        city="Warren",
        counties=["26099"],
        latitude=42.5145,
        longitude=-83.0147,
    )
    los_angeles = AgencyFactory(
        name="Los Angeles County Sheriff's Department",
        kind=AgencyKind.SHERIFF,
        state_id="CA",
        city="Los Angeles",
        counties=["06037"],
    )
    doorbell = PartnershipFactory(
        agency=warren,
        technology=ring,
        vendor=amazon,
        status=PartnershipStatus.ACTIVE,
        start_date=dt.date(2019, 6, 1),
        start_precision=DatePrecision.MONTH,
        summary="Warren joined the Neighbors Portal.",
        attribution=ATLAS_ATTRIBUTION,
        atlas_id="AOS1",
    )
    face_ended = PartnershipFactory(
        agency=los_angeles,
        technology=face,
        vendor=clearview,
        status=PartnershipStatus.ENDED,
        start_date=dt.date(2020, 1, 1),
        start_precision=DatePrecision.YEAR,
        end_date=dt.date(2021, 12, 31),
        end_precision=DatePrecision.YEAR,
        summary="Deputies ran searches during a trial.",
    )
    hidden_technology = TechnologyFactory(name="Secret tech", slug="secret-tech")
    hidden_vendor = VendorFactory(name="Secret Vendor", slug="secret-vendor")
    hidden_agency = AgencyFactory(name="Hiddenville Police Department", state_id="TX")
    hidden = PartnershipFactory(
        agency=hidden_agency,
        technology=hidden_technology,
        vendor=hidden_vendor,
        summary="An unsourced tip.",
        sources=[],
    )
    event = PolicyEventFactory(title="Amazon pauses Rekognition", vendor=amazon, technology=ring)
    event.partnerships.set([doorbell, hidden])
    hidden_event = PolicyEventFactory(title="Rumoured ban", sources=[])
    uncited_source = SourceFactory(title="Never cited", url="https://news.example.org/uncited")
    return Record(
        ring=ring,
        face=face,
        amazon=amazon,
        clearview=clearview,
        warren=warren,
        los_angeles=los_angeles,
        hidden_agency=hidden_agency,
        doorbell=doorbell,
        face_ended=face_ended,
        hidden=hidden,
        hidden_vendor=hidden_vendor,
        hidden_technology=hidden_technology,
        event=event,
        hidden_event=hidden_event,
        uncited_source=uncited_source,
    )
