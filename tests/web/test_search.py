"""The search box: agencies, cities, counties, states, technologies and vendors; ranked; tolerant
of case and accents."""

import pytest
from django.urls import reverse

from survmap.geo.models import State
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _search(client, q):
    response = client.get(reverse("web:search"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_it_finds_a_county_whatever_the_accents_and_case(client):
    results = _search(client, "DONA ana")
    assert results[0]["label"] == "Doña Ana County, NM"
    assert results[0]["kind"] == "county"
    assert results[0]["url"] == reverse("web:region", args=["35013"])
    assert results[0]["fips"] == "35013"


def test_it_ranks_a_whole_name_before_a_partial_one(client):
    results = _search(client, "michigan")
    assert results[0]["label"] == "Michigan"
    assert results[0]["kind"] == "state"


def test_it_finds_agencies_cities_technologies_and_vendors(client):
    PartnershipFactory(
        agency=AgencyFactory(
            name="Policía de Mayagüez",
            city="Mayagüez",
            state=State.objects.get(code="PR"),
            counties=["72097"],
        ),
        technology=TechnologyFactory(slug="face-recognition", name="Face recognition"),
        vendor=VendorFactory(slug="clearview-ai", name="Clearview AI"),
    )
    agency = _search(client, "policia mayaguez")
    assert agency[0]["kind"] == "agency"
    assert agency[0]["label"] == "Policía de Mayagüez"
    city = [r for r in _search(client, "mayaguez") if r["kind"] == "city"]
    assert city[0]["url"] == reverse("web:region", args=["72097"])
    technology = _search(client, "face recog")
    assert technology[0]["url"] == reverse("web:technology", args=["face-recognition"])
    vendor = _search(client, "clearview")
    assert vendor[0]["kind"] == "vendor"
    assert vendor[0]["url"] == reverse("web:home") + "?vendor=clearview-ai"


def test_it_never_finds_an_agency_without_a_public_record(client):
    PartnershipFactory(agency=AgencyFactory(name="Secretive Police Department"), sources=[])
    assert _search(client, "secretive") == []


def test_an_empty_query_finds_nothing(client):
    assert _search(client, "  ") == []


def test_a_city_comes_before_the_counties_that_share_its_name_and_no_kind_crowds_out_others(
    client,
):
    PartnershipFactory(
        agency=AgencyFactory(name="Warren Police Department", city="Warren", counties=["26099"])
    )
    results = _search(client, "warren")
    assert results[0]["label"] == "Warren, MI"
    assert results[0]["kind"] == "city"
    assert results[0]["count"] == 1
    assert results[0]["detail"] == "in Macomb County, MI"
    kinds = [result["kind"] for result in results]
    # 30 Warren counties in the census would fill the list; the agency still makes it in.
    assert "agency" in kinds
    assert kinds.count("county") == 10
    assert len(results) == 12


def test_a_kind_fills_the_list_when_nothing_else_matches(client):
    results = _search(client, "warren county")
    assert len(results) == 12
    assert {result["kind"] for result in results} == {"county"}


def _plain_search(entries, query, limit=12):
    """Every entry that holds every word, ranked whole: what the index must answer."""
    from survmap.web.search import _mixed, _rank, fold

    words = fold(query).split()
    matching = [e for e in entries if all(word in e.key for word in words)]
    return _mixed(sorted(matching, key=lambda e: _rank(e, words)), limit)


@pytest.mark.parametrize(
    "query",
    [
        "warren",
        "war",
        "town 1",
        "town",
        "1",
        "police",
        "county",
        "w",
        "ga",
        "town 2 police",
        "police town",
        "sheriff county",
        "ana",
        "zzz",
    ],
)
def test_the_index_answers_as_ranking_every_entry_would(query):
    from survmap.web.search import Entry, SearchIndex, fold

    entries = []
    for i in range(400):
        for kind, label, detail in (
            ("agency", f"Town {i} Police Department", f"Town {i}, GA"),
            ("city", f"Town {i}, GA", "in Warren County, GA"),
            ("agency", f"Warren County Sheriff {i}", "Warren, MI"),
        ):
            entries.append(Entry(kind, label, detail, "/", "", fold(f"{label} {detail}")))
    entries += [
        Entry("county", f"Warren County, {code}", "", "/", "", fold(f"Warren County, {code}"))
        for code in ("GA", "MI", "NY", "OH")
    ]
    entries.append(Entry("state", "Georgia", "GA", "/", "", "georgia ga"))
    index = SearchIndex("test", entries)
    words = fold(query).split()
    assert index.search(words, 12) == _plain_search(entries, query)


def test_after_a_change_a_search_answers_from_the_old_index_while_a_thread_builds(
    client, settings, monkeypatch
):
    from survmap.web import search as search_module

    PartnershipFactory(agency=AgencyFactory(name="Oldtown Police Department"))
    search_module.rebuild_index()
    settings.SURVMAP_SEARCH_INDEX_IN_BACKGROUND = True
    started = []

    class RecordingThread:
        def __init__(self, target, daemon):
            started.append(target)

        def start(self):
            pass

    monkeypatch.setattr(search_module.threading, "Thread", RecordingThread)
    # The recorded thread never runs to clear it: put it back after the test.
    monkeypatch.setattr(search_module, "_building", False)
    PartnershipFactory(agency=AgencyFactory(name="Newtown Police Department"))
    assert _search(client, "newtown") == []  # the old index, at once
    assert started == [search_module._rebuild_in_background]
    assert _search(client, "oldtown")  # and only one build at a time
    assert len(started) == 1
    search_module.rebuild_index()  # what the thread runs
    assert _search(client, "newtown")[0]["label"] == "Newtown Police Department"


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("Warren, Michigan", "Warren, MI"),
        ("Warren Michigan", "Warren, MI"),
        ("michigan warren", "Warren, MI"),
        ("Warren MI", "Warren, MI"),
        ("Fulton County, Georgia", "Fulton County, GA"),
        ("fulton georgia", "Fulton County, GA"),
    ],
)
def test_a_state_by_its_name_or_code_anywhere_in_the_query(client, query, label):
    PartnershipFactory(
        agency=AgencyFactory(
            name="Warren Police Department",
            city="Warren",
            state=State.objects.get(code="MI"),
            counties=["26099"],
        )
    )
    assert _search(client, query)[0]["label"] == label


@pytest.mark.parametrize(
    ("query", "category"),
    [
        ("Rekognition", "face_recognition"),
        ("facial recognition", "face_recognition"),
        ("robot dog", "robot"),
        ("Spot", "robot"),
        ("ALPR", "alpr"),
        ("LPR", "alpr"),
        ("ShotSpotter", "gunshot_detection"),
    ],
)
def test_products_and_common_names_find_their_technology(client, query, category):
    technology = TechnologyFactory(
        slug=category.replace("_", "-"), name=f"Technology {category}", category=category
    )
    PartnershipFactory(technology=technology)
    results = [r for r in _search(client, query) if r["kind"] == "technology"]
    assert results[0]["url"] == technology.get_absolute_url()


@pytest.mark.parametrize(
    ("query", "name", "state"),
    [
        ("NYPD", "New York City Police Department", "NY"),
        ("LAPD", "Los Angeles Police Department", "CA"),
        ("MDPD", "Miami-Dade Police Department", "FL"),
        ("sfpd", "San Francisco Police Department", "CA"),
    ],
)
def test_an_agency_by_its_short_name(client, query, name, state):
    agency = AgencyFactory(name=name, state=State.objects.get(code=state))
    PartnershipFactory(agency=agency)
    results = [r for r in _search(client, query) if r["kind"] == "agency"]
    assert results[0]["label"] == name
    assert results[0]["url"] == agency.get_absolute_url()


def test_policy_events_are_in_the_results(client):
    from tests.factories import PolicyEventFactory

    event = PolicyEventFactory(
        title="Council pauses face recognition",
        kind="moratorium",
        state=State.objects.get(code="MI"),
    )
    results = [r for r in _search(client, "moratorium michigan") if r["kind"] == "event"]
    assert results[0]["label"] == "Council pauses face recognition"
    assert results[0]["url"] == event.get_absolute_url()


def test_an_agency_by_a_name_the_write_path_knows_it_by(client):
    from survmap.records.models import AgencyAlias

    agency = AgencyFactory(name="Sterling Heights Police Department")
    PartnershipFactory(agency=agency)
    AgencyAlias.objects.create(agency=agency, name="SHPD Michigan")
    results = [r for r in _search(client, "shpd") if r["kind"] == "agency"]
    assert results[0]["label"] == "Sterling Heights Police Department"


def test_a_vendor_by_a_name_a_merge_kept(client):
    from survmap.records.models import VendorAlias

    vendor = VendorFactory(name="Physical Sciences", slug="physical-sciences")
    PartnershipFactory(vendor=vendor)
    VendorAlias.objects.create(vendor=vendor, name="Physcial Sciences")
    results = [r for r in _search(client, "physcial") if r["kind"] == "vendor"]
    assert results[0]["label"] == "Physical Sciences"


def test_a_city_in_several_counties_goes_to_where_most_of_it_lies_and_names_the_others(client):
    # Atlanta lies mostly in Fulton County (13121), partly in DeKalb (13089), whose code is lower.
    PartnershipFactory(
        agency=AgencyFactory(
            name="Atlanta Police Department",
            city="Atlanta",
            state=State.objects.get(code="GA"),
            counties=["13089", "13121"],
        )
    )
    city = next(r for r in _search(client, "Atlanta, GA") if r["kind"] == "city")
    assert city["label"] == "Atlanta, GA"
    assert city["fips"] == "13121"
    assert city["url"] == reverse("web:region", args=["13121"])
    assert city["detail"] == "in Fulton County, GA; partly in DeKalb County"
