"""survmap's own research files: checked whole before anything is written, written through the
record services, and loaded again without duplicating, reviving or overwriting anything."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from survmap.common.dates import PartialDate
from survmap.imports.atlas import AtlasImporter
from survmap.imports.curated import (
    RECORDS_FILE,
    RESEARCH_DIR,
    SOURCES_FILE,
    ResearchRefused,
    parse_research,
    read_research,
    research_apply,
)
from survmap.records.models import (
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Source,
)
from survmap.records.plans import Writer
from survmap.records.services import record_delete, record_edit
from tests.factories import AgencyFactory, PartnershipFactory
from tests.imports.conftest import AtlasRows

pytestmark = pytest.mark.django_db


def documents() -> tuple[dict[str, Any], dict[str, Any]]:
    return tuple(  # type: ignore[return-value]
        json.loads((RESEARCH_DIR / name).read_text(encoding="utf-8"))
        for name in (SOURCES_FILE, RECORDS_FILE)
    )


def refused(sources: dict[str, Any], records: dict[str, Any]) -> list[str]:
    with pytest.raises(ResearchRefused) as caught:
        parse_research(sources, records)
    return caught.value.problems


def partnership_entry(records: dict[str, Any], key: str) -> dict[str, Any]:
    return next(item for item in records["partnerships"] if item["key"] == key)


@pytest.fixture
def starter(db: None, small_directory) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)


def counts() -> dict[str, int]:
    return {
        "partnerships": Partnership.objects.count(),
        "events": PolicyEvent.objects.count(),
        "sources": Source.objects.count(),
        "event links": PolicyEvent.partnerships.through.objects.count(),
        "history": Partnership.history.count() + PolicyEvent.history.count(),
    }


def test_the_shipped_research_files_are_accepted() -> None:
    research = read_research()
    assert len(research.partnerships) >= 15
    assert len(research.policy_events) >= 15
    assert all(
        entry.url.startswith("https://") or entry.url.startswith("http://")
        for entry in research.sources
    )


def test_every_problem_in_the_files_is_listed_and_nothing_is_written() -> None:
    sources, records = copy.deepcopy(documents())
    partnership = partnership_entry(records, "rekognition-orlando")
    partnership["sources"] = ["no-such-source"]
    partnership["status"] = "thriving"
    partnership_entry(records, "rekognition-wcso")["end"] = "2015"
    records["policy_events"][0]["kind"] = "decree"
    sources["sources"][0]["url"] = "ftp://example.org/file"

    problems = refused(sources, records)

    assert any("unknown source 'no-such-source'" in problem for problem in problems)
    assert any("status 'thriving'" in problem for problem in problems)
    assert any("'rekognition-wcso': it ends before it starts" in problem for problem in problems)
    assert any("kind 'decree'" in problem for problem in problems)
    assert any("http:// or https://" in problem for problem in problems)
    assert not Partnership.objects.exists()


def test_a_record_without_a_source_and_a_source_no_record_cites_are_refused() -> None:
    sources, records = copy.deepcopy(documents())
    entry = partnership_entry(records, "robot-denver")
    entry["sources"] = []
    problems = refused(sources, records)
    assert "partnership 'robot-denver': it cites no source" in problems
    assert "source 'denverite-denver-2024' is cited by no record" in problems


def test_a_key_used_twice_and_an_unreadable_date_are_refused() -> None:
    sources, records = copy.deepcopy(documents())
    records["partnerships"][1]["key"] = records["partnerships"][0]["key"]
    records["policy_events"][0]["date"] = "June 2020ish"
    problems = refused(sources, records)
    assert any("is used twice" in problem for problem in problems)
    assert any("is not a date" in problem for problem in problems)


def test_a_folder_with_a_broken_file_is_refused_by_the_command(tmp_path: Path) -> None:
    (tmp_path / SOURCES_FILE).write_text("{not json", encoding="utf-8")
    (tmp_path / RECORDS_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("load_research", "--dir", str(tmp_path), verbosity=0)
    assert not Source.objects.exists()


def test_a_research_partnership_gets_its_dates_status_and_sources(starter: None) -> None:
    wcso = Partnership.objects.get(
        agency__name="Washington County Sheriff's Office", agency__state="OR"
    )
    assert wcso.product == "Rekognition"
    assert wcso.vendor is not None and wcso.vendor.slug == "amazon"
    assert wcso.status == PartnershipStatus.ENDED
    # Adopted within days of Rekognition's unveiling at the end of 2016 (the fact-check).
    assert wcso.start == PartialDate(2016, 12)
    assert wcso.end == PartialDate(2020, 6, 10)
    assert wcso.sources.filter(url__contains="co.washington.or.us").exists()
    created = wcso.history.get(history_type="+")
    assert created.history_change_reason == "survmap research: rekognition-wcso"


def test_policy_events_are_linked_to_the_partnerships_they_changed(starter: None) -> None:
    wcso = Partnership.objects.get(agency__name="Washington County Sheriff's Office")
    moratorium = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM)
    assert list(moratorium.partnerships.all()) == [wcso]
    assert wcso.policy_events.filter(kind=PolicyEventKind.PROGRAM_ENDED).exists()
    council = PolicyEvent.objects.get(actor="Los Angeles City Council")
    assert council.kind == PolicyEventKind.CONTRACT_APPROVED
    assert council.when == PartialDate(2023, 5, 23)
    assert [p.agency.name for p in council.partnerships.all()] == ["Los Angeles Police Department"]


def test_the_starter_records_the_research_refines_are_updated_in_place(starter: None) -> None:
    extension = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM_EXTENSION)
    assert extension.pk == 2
    assert extension.when == PartialDate(2021, 5, 18)
    # The starter's print source without an address stays cited (the other, Giant Freakin Robot's,
    # now has its address); the research adds one with an address.
    assert extension.sources.filter(url__isnull=True).count() == 1
    assert extension.sources.filter(url__contains="giantfreakinrobot.com").exists()
    assert extension.sources.filter(url__contains="washingtonpost.com").exists()
    nypd = Partnership.objects.get(pk=1)
    assert nypd.start == PartialDate(2020, 8)
    assert nypd.end == PartialDate(2021, 4, 22)


def test_loading_again_creates_and_changes_nothing(starter: None) -> None:
    before = counts()
    call_command("load_research", verbosity=0)
    assert counts() == before


def test_loading_again_keeps_a_moderators_edit_unless_asked_to_update(
    starter: None, bob: User
) -> None:
    partnership = Partnership.objects.get(agency__name="Honolulu Police Department")
    record_edit(
        instance=partnership,
        values={"summary": "Corrected by a moderator.", "status": PartnershipStatus.ENDED},
        writer=Writer.moderator(bob, "Correction"),
    )

    call_command("load_research", verbosity=0)
    partnership.refresh_from_db()
    assert partnership.summary == "Corrected by a moderator."
    assert partnership.status == PartnershipStatus.ENDED

    call_command("load_research", "--update", verbosity=0)
    partnership.refresh_from_db()
    assert partnership.summary.startswith("The Honolulu police bought a Spot")
    # Out of service since 2021 (AP, 2025): what the research now says.
    assert partnership.status == PartnershipStatus.SUSPENDED


def test_a_research_record_a_moderator_deleted_is_not_brought_back(starter: None) -> None:
    robots = Partnership.objects.filter(
        agency__name="Denver Police Department", technology__slug="robots"
    )
    record_delete(instance=robots.get(), reason="Duplicate")
    report = research_apply(read_research())
    assert not robots.exists()
    assert "partnership robot-denver" in report.deleted


def test_ring_programme_changes_link_the_ring_partnerships_in_effect(starter: None) -> None:
    ring_2021 = PolicyEvent.objects.get(title__startswith="Ring moves police footage requests")
    ring_2024 = PolicyEvent.objects.get(title="Ring ends in-app Request for Assistance for police")
    warren = Partnership.objects.get(agency__name="Warren Police Department")
    assert warren.start == PartialDate(2020, 1, 7)
    assert set(ring_2021.partnerships.all()) == {warren}
    assert set(ring_2024.partnerships.all()) == {warren}

    # Partnerships recorded later (an Atlas import, a submission) are linked by loading again,
    # those that ended before the change or began after it are not.
    ring = warren.vendor
    technology = warren.technology
    joined = PartnershipFactory(
        technology=technology, vendor=ring, start_date=dt.date(2019, 5, 1), start_precision="day"
    )
    left = PartnershipFactory(
        technology=technology,
        vendor=ring,
        start_date=dt.date(2019, 5, 1),
        start_precision="day",
        end_date=dt.date(2022, 1, 1),
        end_precision="day",
    )
    call_command("load_research", verbosity=0)
    assert set(ring_2021.partnerships.all()) == {warren, joined, left}
    assert set(ring_2024.partnerships.all()) == {warren, joined}


def test_an_atlas_import_leaves_the_research_alone_and_loading_again_links_its_rows(
    starter: None, atlas_rows: AtlasRows
) -> None:
    wcso = Partnership.objects.get(agency__name="Washington County Sheriff's Office")
    before = {field: getattr(wcso, field) for field in ("summary", "status", "start_date")}
    AtlasImporter(atlas_rows("AOS3968", "AOS0398"), today=dt.date(2026, 11, 23)).run()

    wcso.refresh_from_db()
    assert {field: getattr(wcso, field) for field in before} == before
    atlas_ring = Partnership.objects.get(atlas_id="AOS3968")
    assert atlas_ring.agency == wcso.agency

    call_command("load_research", verbosity=0)
    ring_2024 = PolicyEvent.objects.get(title="Ring ends in-app Request for Assistance for police")
    assert ring_2024.partnerships.filter(pk=atlas_ring.pk).exists()


def test_an_agency_already_recorded_is_used_as_it_is(db: None) -> None:
    call_command("loaddata", str(RESEARCH_DIR.parent / "starter.json"), verbosity=0)
    agency = AgencyFactory(name="Phoenix Police Department", state_id="AZ", city="Somewhere else")
    research_apply(read_research())
    agency.refresh_from_db()
    assert agency.city == "Somewhere else"
    assert agency.partnerships.filter(product="Spot").exists()
