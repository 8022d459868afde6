"""The starter records: real, sourced, and loaded by `make run`."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import (
    Agency,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(db, small_directory):
    call_command("load_starter_data", "--no-atlas", verbosity=0)


def test_every_starter_partnership_and_event_cites_a_source(starter):
    assert Partnership.objects.exists()
    assert PolicyEvent.objects.exists()
    assert set(Partnership.objects.public()) == set(Partnership.objects.all())
    assert set(PolicyEvent.objects.public()) == set(PolicyEvent.objects.all())


def test_every_technology_category_and_the_named_vendors_are_present(starter):
    categories = set(Technology.objects.values_list("category", flat=True))
    assert categories >= set(TechnologyCategory.values) - {TechnologyCategory.OTHER}
    assert Vendor.objects.get(slug="ring").parent == Vendor.objects.get(slug="amazon")
    assert Vendor.objects.filter(slug="boston-dynamics").exists()


def test_the_nypd_robot_dog_partnership_is_recorded_as_ended(starter):
    # The 2020 lease; the research adds the robots bought in 2023 as a partnership of its own.
    partnership = Partnership.objects.get(
        agency__name="New York City Police Department",
        vendor__slug="boston-dynamics",
        start_date__year=2020,
    )
    assert partnership.status == PartnershipStatus.ENDED
    assert partnership.end is not None
    assert partnership.policy_events.filter(kind=PolicyEventKind.PROGRAM_ENDED).exists()
    assert {c.fips for c in partnership.agency.counties.all()} == {
        "36005",
        "36047",
        "36061",
        "36081",
        "36085",
    }


def test_warren_police_and_ring_are_recorded_in_macomb_county(starter):
    partnership = Partnership.objects.get(agency__name="Warren Police Department")
    assert partnership.vendor.slug == "ring"
    assert list(partnership.agency.counties.values_list("fips", flat=True)) == ["26099"]


def test_the_rekognition_moratorium_and_its_extension_are_policy_events(starter):
    moratorium = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM)
    assert moratorium.date.isoformat() == "2020-06-10"
    assert moratorium.vendor.slug == "amazon"
    extension = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM_EXTENSION)
    assert extension.date.year == 2021
    assert moratorium.sources.filter(url__contains="bostonglobe.com").exists()


def test_organisations_allowed_rekognition_are_not_recorded_as_agencies(starter):
    for name in ("Thorn", "Marinus", "Missing"):
        assert not Agency.objects.filter(name__icontains=name).exists()


def test_starter_records_have_a_first_history_entry(starter):
    for partnership in Partnership.objects.all():
        assert partnership.history.exists()


def test_loading_again_leaves_an_edited_database_alone(starter):
    Partnership.objects.filter(agency__name="Warren Police Department").update(summary="Edited.")
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    assert Partnership.objects.filter(summary="Edited.").count() == 1


# The researched records (fixtures/research/, loaded with the starter records).


def rekognition() -> Q:
    return Q(vendor__slug="amazon", technology__slug="face-recognition")


def test_every_shipped_record_cites_a_source_with_an_address_and_a_date(starter):
    dated = Q(sources__url__isnull=False, sources__published_date__isnull=False)
    for model in (Partnership, PolicyEvent):
        undated = model.objects.exclude(pk__in=model.objects.filter(dated).values("pk"))
        assert not undated.exists(), list(undated)


# Sources whose stored copy gives no address and for which no stored page gives one: recorded
# without an address rather than with a guessed one. The records they support cite an addressed
# source for the same fact too (the test above).
UNADDRESSED = {
    "Amazon extends ban on police using its controversial facial-recognition software indefinitely",
    "Amazon Puts 1-Year Ban on Police Use of its Biased Facial Recognition Software",
}


def test_every_starter_and_research_source_has_an_address_and_a_publisher(starter):
    sources = list(Source.objects.all())
    assert len(sources) > 40
    assert [s.title for s in sources if not s.publisher.strip()] == []
    assert {s.title for s in sources if not s.url} == UNADDRESSED
    # The Business Insider article the Warren and moratorium records cite (starter source 5)
    # is the research's addressed one, not a second copy without an address.
    chan = Source.objects.get(pk=5)
    assert chan.url.startswith("https://businessinsider.in/")
    assert Source.objects.filter(notes__startswith="By Rosalie Chan").count() == 1


def test_the_research_covers_rekognition_robot_dogs_and_the_ring_programme(starter):
    rekognition_users = Partnership.objects.filter(rekognition())
    assert {p.agency.name for p in rekognition_users} >= {
        "Washington County Sheriff's Office",
        "Orlando Police Department",
    }
    robots = Partnership.objects.filter(technology__category=TechnologyCategory.ROBOT)
    assert robots.values("agency").distinct().count() >= 10
    ring_events = PolicyEvent.objects.filter(vendor__slug="ring")
    assert ring_events.filter(kind=PolicyEventKind.PROGRAM_ENDED, date__year=2024).exists()
    assert ring_events.count() >= 6


def test_every_rekognition_partnership_has_a_start(starter):
    partnerships = Partnership.objects.filter(rekognition())
    assert partnerships.count() >= 3
    assert not partnerships.filter(start_date__isnull=True).exists()


def test_the_map_shows_fewer_active_rekognition_partnerships_after_the_moratorium(starter):
    def in_effect(day: str) -> tuple[int, int]:
        query = {"technology": "face-recognition", "vendor": "amazon", "as_of": day}
        filterset = PartnershipFilterSet(
            QueryDict(urlencode(query)), queryset=Partnership.objects.public()
        )
        assert filterset.is_valid()
        response = Client().get(reverse("web:map_counts"), {**query, "level": "state"})
        assert response.status_code == 200
        return filterset.qs.count(), response.json()["agencies"]

    before, after = in_effect("2020-06-01"), in_effect("2020-07-01")
    assert after[0] < before[0]
    assert after[1] < before[1]
    moratorium = PolicyEvent.objects.get(kind=PolicyEventKind.MORATORIUM)
    ended = moratorium.partnerships.get()
    assert ended.end_date is not None and ended.end_date.isoformat() == "2020-06-10"


def test_first_load_brings_the_shipped_atlas_export_credited_to_the_eff(db):
    from survmap.imports.shipped import SHIPPED_ATLAS
    from survmap.records.models import ATLAS_ATTRIBUTION, Agency

    assert SHIPPED_ATLAS.exists(), "fixtures/atlas/ must ship the 2020 Atlas export"
    call_command("load_starter_data", verbosity=0)
    # Every agency of the FBI's directory, and the Atlas's agencies found among them (or added
    # beside them where the directory lacks them): what a newcomer can search and map.
    from survmap.imports.models import ImportRun, NoteKind

    assert Agency.objects.count() >= 18_700
    directory = ImportRun.objects.get(label="agencies-2018-09.csv.xz")
    assert directory.created >= 18_650 and directory.refused == 0
    assert not directory.notes.filter(
        kind__in=[NoteKind.CONFLICT, NoteKind.AGENCY_UNMATCHED, NoteKind.REFUSED]
    ).exists()
    # The Atlas's agencies take their ORI from the directory (issue 23: at least 90% of those
    # the directory lists, police, sheriffs, colleges, schools, state police).
    atlas_agencies = Agency.objects.filter(partnerships__atlas_id__isnull=False).distinct()
    listed = atlas_agencies.filter(
        kind__in=["police", "sheriff", "university", "school", "state_police"]
    )
    assert listed.exclude(ori="").count() >= 0.9 * listed.count()
    assert atlas_agencies.exclude(ori="").count() >= 0.85 * atlas_agencies.count()
    imported = Partnership.objects.filter(atlas_id__isnull=False)
    # Every row but the two refused and the few whose agency the directory makes ambiguous
    # ('Chester Police Department', NY: the town's or the village's?), left for a moderator.
    assert imported.count() >= 5775
    # An Atlas row that is a starter record (Warren's Ring partnership) adopts it: our record,
    # our credit, with the Atlas's row id. Every other is the EFF's.
    assert imported.exclude(attribution=ATLAS_ATTRIBUTION).count() <= 2
    # survmap's own records (the starter and researched ones) keep our credit, not the EFF's.
    assert not Partnership.objects.filter(
        atlas_id__isnull=True, attribution=ATLAS_ATTRIBUTION
    ).exists()
    # The research refines a starter record the Atlas then adopts (Warren's Ring partnership:
    # its start from the research, its row id from the Atlas), and Ring's 2024 end of in-app
    # requests links the Atlas's Ring partnerships in effect then.
    warren = Partnership.objects.get(pk=2)
    assert warren.atlas_id and warren.start_date is not None
    assert warren.start_date.isoformat() == "2020-01-07"
    ended = PolicyEvent.objects.get(
        vendor__slug="ring", kind=PolicyEventKind.PROGRAM_ENDED, date__year=2024
    )
    assert ended.partnerships.filter(atlas_id__isnull=False).count() > 1000
    # What the Atlas import could not read is kept for moderators: its run and lines.
    run = ImportRun.objects.get(label=SHIPPED_ATLAS.name)  # (the plate-reader load has its own)
    undecided = run.notes.filter(kind=NoteKind.AGENCY_UNMATCHED)
    assert undecided.count() <= 5
    assert all("could be any of" in note.detail for note in undecided)
    assert (run.label, run.refused) == (SHIPPED_ATLAS.name, 2 + undecided.count())
    # A fresh install has no conflict: where the starter records, the research and the Atlas
    # agree, the Atlas fills what ours left empty and adds its credit to ours.
    from survmap.records.models import Conflict

    assert Conflict.objects.count() == 0
    assert not run.notes.filter(kind=NoteKind.CONFLICT).exists()
    assert run.created + run.updated + run.unchanged == imported.count()
    assert run.notes.filter(kind=NoteKind.REFUSED).count() == 2
    assert run.notes.filter(kind=NoteKind.VALUE_DROPPED, value="9/21/0206").exists()
    # The known duplicates are one record each, found under every name; the Atlas's vendor
    # cell that named an agency created no vendor, and its row's vendor is Ring.
    from survmap.records.models import RecordMerge
    from survmap.records.services import agency_match, vendor_find

    nypd = Agency.objects.get(name="New York City Police Department", state_id="NY")
    assert agency_match(name="New York Police Department", state="NY").agency == nypd
    assert nypd.partnerships.filter(atlas_id__isnull=False).count() >= 9
    for short, kept in (("Flock", "Flock Safety"), ("Physcial Sciences", "Physical Sciences")):
        assert vendor_find(name=short).name == kept
        assert not Vendor.objects.filter(name=short).exists()
    assert not Vendor.objects.filter(name__icontains="Police Department").exists()
    assert Partnership.objects.get(atlas_id="AOS4790").vendor.slug == "ring"
    merges = RecordMerge.objects.count()
    call_command("merge_known_duplicates", verbosity=0)
    assert RecordMerge.objects.count() == merges
    assert Conflict.objects.count() == 0


# Issue 26: the fact-check's corrections, the missing facts, and the decisions against plate
# readers, as a fresh install loads them.


def test_the_fact_checks_corrections_are_in_the_shipped_records(starter):
    def robot(agency: str) -> Partnership:
        return Partnership.objects.get(agency__name=agency, technology__slug="robots")

    taylor = robot("Taylor Police Department")
    assert taylor.status == PartnershipStatus.ACTIVE
    assert taylor.start is not None and taylor.start.isoformat() == "2024-03-19"
    assert taylor.policy_events.get(kind=PolicyEventKind.CONTRACT_APPROVED).date.isoformat() == (
        "2024-02-06"
    )
    for agency, day in (
        ("Austin Police Department", "2025-07-24"),
        ("Los Angeles Police Department", "2023-05-23"),
    ):
        approved = robot(agency)
        assert approved.status == PartnershipStatus.APPROVED, agency
        assert approved.status_as_of is not None and approved.status_as_of.isoformat() == day
    nypd_2023 = Partnership.objects.get(
        agency__name="New York City Police Department", technology__slug="robots", pk__gt=1
    )
    assert nypd_2023.status == PartnershipStatus.APPROVED
    nypd_2020 = Partnership.objects.get(pk=1)
    assert "one Spot robot" in nypd_2020.summary and "robots" not in nypd_2020.summary
    founding = nypd_2020.sources.get(title="Amazon Bans Police From Using Its Software")
    assert founding.url == "https://www.giantfreakinrobot.com/tech/amazon-police.html"
    assert founding.publisher == "Giant Freakin Robot"
    assert nypd_2020.sources.filter(url__contains="engadget.com", published_date__day=29).exists()
    tyr = Partnership.objects.get(product__contains="Project Tyr")
    assert tyr.technology.slug == "video-analytics"
    wcso = Partnership.objects.get(agency__name="Washington County Sheriff's Office")
    assert wcso.start is not None and wcso.start.isoformat() == "2016-12"
    assert robot("Honolulu Police Department").status == PartnershipStatus.SUSPENDED
    ring_405 = Source.objects.get(title__startswith="Doorbell-camera firm Ring has partnered")
    assert ring_405.url.startswith("https://www.washingtonpost.com/")
    assert ring_405.archive_url == "http://archive.is/sDa16"
    assert Source.objects.get(url__contains="ktar.com").title == (
        "San Francisco police can't use deadly robots for now"
    )
    assert Source.objects.get(url__contains="cnet.com/home/security/ring-will-stop").published == (
        PartialDate(2021, 6, 3)
    )
    assert PolicyEvent.objects.get(title__startswith="Amazon says its moratorium").date == (
        dt.date(2024, 1, 26)
    )


def test_the_missing_facts_are_recorded_with_dated_sources(starter):
    counts = PolicyEvent.objects.filter(vendor__slug="ring", reported_count__isnull=False)
    assert sorted(counts.values_list("reported_count", flat=True)) == [200, 405, 1300, 2014, 2161]
    nashville = Partnership.objects.get(
        agency__name="Metro Nashville Police Department", technology__slug="robots"
    )
    assert nashville.status == PartnershipStatus.APPROVED
    assert nashville.policy_events.get().date == dt.date(2023, 12, 19)
    aclu = PolicyEvent.objects.filter(actor="American Civil Liberties Union")
    assert {event.date for event in aclu} == {dt.date(2018, 5, 22), dt.date(2018, 7, 26)}
    disclosure = aclu.get(date=dt.date(2018, 5, 22))
    assert {p.agency.name for p in disclosure.partnerships.all()} == {
        "Washington County Sheriff's Office",
        "Orlando Police Department",
    }
    orlando = PolicyEvent.objects.get(title="Orlando lets its first Rekognition pilot end")
    assert orlando.date == dt.date(2018, 6, 19)


def test_at_least_sixty_decisions_against_plate_readers_and_camera_networks(starter):
    technologies = ("automated-license-plate-readers", "real-time-crime-center")
    against = (
        PartnershipStatus.REJECTED,
        PartnershipStatus.ENDED,
        PartnershipStatus.BANNED,
        PartnershipStatus.SUSPENDED,
    )
    partnerships = Partnership.objects.public().filter(
        technology__slug__in=technologies, status__in=against
    )
    events = PolicyEvent.objects.public().filter(technology__slug__in=technologies)
    assert partnerships.count() + events.count() >= 60
    # Each is dated and rests on a source with an address and a date.
    for partnership in partnerships:
        assert partnership.status_as_of is not None, partnership
        assert partnership.sources.filter(url__startswith="http", published_date__isnull=False)
    assert partnerships.filter(status=PartnershipStatus.BANNED).exists()
    assert partnerships.filter(status=PartnershipStatus.REJECTED).count() >= 5
    flagstaff = partnerships.get(agency__name="Flagstaff Police Department")
    assert flagstaff.end is not None and flagstaff.end.isoformat() == "2025-12-16"
    # The plate-reader page lists them.
    page = Client().get(reverse("web:technology", args=["automated-license-plate-readers"]))
    html = page.content.decode()
    assert "Decisions against automated license plate readers" in html
    assert "Flagstaff Police Department" in html and "Rejected, as of" in html


def test_every_shown_status_says_as_of_when(starter):
    cell = re.compile(r'<td data-label="Status">(.*?)</td>', re.S)
    shown = 0
    for agency in Agency.objects.filter(partnerships__isnull=False).distinct():
        html = Client().get(reverse("web:agency", args=[agency.pk])).content.decode()
        for text in cell.findall(html):
            shown += 1
            assert ", as of " in text, (agency, text)
            assert "date not known" not in text, (agency, text)
            assert not re.search(r">\s*Active\s*<", text), (agency, text)
    assert shown >= Partnership.objects.public().count()


def test_a_fresh_install_opens_the_first_research_tasks_once(starter):
    from survmap.research.models import ResearchTask, TaskStatus

    opened = ResearchTask.objects.filter(status=TaskStatus.OPEN)
    assert opened.count() == 100
    first = opened.order_by("-priority").first()
    assert first is not None and first.priority_reasons
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    call_command("generate_research_tasks", "--if-none-open", "--quiet", verbosity=0)
    assert opened.count() == 100
    assert Client().get(reverse("research:tasks")).status_code == 200
