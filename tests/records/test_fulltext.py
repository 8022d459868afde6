"""The full-text index behind `q` (survmap.records.fulltext): kept in step with every write by
the database itself, and finding at least what the old substring search found."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survmap.geo.models import County
from survmap.records import fulltext
from survmap.records.filters import (
    Q_MAX_LENGTH,
    PartnershipFilterSet,
    agency_or_technology_matches,
)
from survmap.records.models import Partnership, Technology, Vendor
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    filterset = PartnershipFilterSet({"q": q}, queryset=Partnership.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def substring_search(q: str) -> set[int]:
    """The search as it was before the index: each word a substring of a name, read row by
    row."""
    query = Q()
    for word in q.split()[:8]:
        query &= (
            agency_or_technology_matches(word)
            | Q(vendor_id__in=Vendor.objects.filter(name__icontains=word).values("pk"))
            | Q(product__icontains=word)
            | Q(summary__icontains=word)
        )
    return set(Partnership.objects.filter(query).values_list("pk", flat=True))


def test_a_renamed_agency_is_found_by_its_new_name_only():
    partnership = PartnershipFactory(agency__name="Westville Police Department")
    assert found("westville") == {partnership.pk}
    partnership.agency.name = "Eastburgh Police Department"
    partnership.agency.save()
    assert found("westville") == set()
    assert found("eastburgh") == {partnership.pk}


def test_a_renamed_technology_or_vendor_is_found_by_its_new_name():
    partnership = PartnershipFactory(
        technology=TechnologyFactory(name="Drones"), vendor=VendorFactory(name="Skydio")
    )
    Technology.objects.filter(pk=partnership.technology_id).update(name="Aerial robots")
    Vendor.objects.filter(pk=partnership.vendor_id).update(name="Skyward")
    assert found("aerial") == found("skyward") == {partnership.pk}
    assert found("drones") == found("skydio") == set()


def test_the_agencys_counties_are_searchable_as_they_change():
    partnership = PartnershipFactory(agency__counties=["26099"])  # Macomb
    assert found("macomb") == {partnership.pk}
    partnership.agency.counties.set([County.objects.get(fips="26125")])  # Oakland
    assert found("macomb") == set()
    assert found("oakland") == {partnership.pk}


def test_a_changed_summary_and_a_deleted_partnership():
    partnership = PartnershipFactory(summary="Signed in 2019.")
    partnership.summary = "Cancelled by the council."
    partnership.save()
    assert found("council") == {partnership.pk}
    assert found("signed") == set()
    partnership.sources.clear()
    partnership.delete()
    assert found("council") == set()


def test_rows_written_in_bulk_are_indexed():
    agency = AgencyFactory(name="Bulkton Police Department")
    model = PartnershipFactory(agency=agency)
    Partnership.objects.bulk_create(
        [
            Partnership(
                agency=agency,
                technology=model.technology,
                status=model.status,
                summary=f"Row {i}",
            )
            for i in range(3)
        ]
    )
    assert len(found("bulkton")) == 4


@pytest.mark.parametrize(
    "q",
    ["town 12", "12", "police", "MI", "mi", "ring", "town 1 police", "ace rec", "o", "%", "_"],
)
def test_it_finds_at_least_what_the_substring_search_found(q):
    technologies = [TechnologyFactory(name=name) for name in ("Face recognition", "Ring")]
    for i in range(30):
        PartnershipFactory(
            agency=AgencyFactory(
                name=f"Town {i * 7} Police Department", city=f"Town {i}", counties=["26099"]
            ),
            technology=technologies[i % 2],
            summary=f"Report {i}%_" if i % 5 == 0 else "",
        )
    before = substring_search(q)
    assert before <= found(q)
    if q not in {"%", "_", "o"}:
        assert before, q  # the case is not empty


# ---- pages in id order: the walk through the matches (fulltext.ids_in_order) ------------------


@pytest.fixture
def searchable() -> None:
    """Partnerships whose words match many, some or none, in two states, with rows that are
    not public (no source) and rows without a vendor among them."""
    ring = TechnologyFactory(name="Ring")
    face = TechnologyFactory(name="Face recognition")
    vendor = VendorFactory(name="Axon")
    for i in range(36):
        PartnershipFactory(
            agency=AgencyFactory(
                name=f"Town {i} Police Department",
                city=f"Town {i}",
                state_id="TX" if i % 3 else "MI",
            ),
            technology=ring if i % 2 else face,
            vendor=None if i % 4 == 0 else vendor,
            summary="Signed in 2019." if i % 5 == 0 else "",
            **({"sources": []} if i % 7 == 3 else {}),
        )


def _walk(client: Client, query: str) -> Iterator[list[int]]:
    """Each page's ids, following the next links."""
    url: str | None = reverse("api:partnership-list") + "?" + query
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        yield [row["id"] for row in data["results"]]
        url = data["next"]


def _whole_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages as the whole match gives them: no walk."""
    monkeypatch.setattr(fulltext, "ids_in_order", lambda *args: None)


WALKS = [
    "q=police",
    "q=police&page_size=1",
    "q=police&ordering=-id&page_size=4",
    "q=police&state=MI&page_size=2",
    "q=town+1&page_size=2",
    "q=12",
    "q=ring+mi&page_size=3",
    "q=signed&ordering=-id&page_size=1",
    "q=police&ordering=vendor&page_size=3",
    "q=police&ordering=-vendor&page_size=5",
    "q=nothing+matches",
    "q=face&state=TX&status=active&page_size=2",
]


@pytest.mark.parametrize("query", WALKS)
def test_pages_in_id_order_are_those_of_the_whole_match(
    searchable, client, query, monkeypatch, settings
):
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    walked = list(_walk(client, query))
    with monkeypatch.context() as patch:
        _whole_query(patch)
        assert list(_walk(client, query)) == walked
    if "nothing" not in query:
        assert any(walked), query  # the case is not empty


@pytest.mark.parametrize("query", WALKS)
def test_a_walk_cut_short_ends_with_the_whole_match(
    searchable, client, query, monkeypatch, settings
):
    """One step of one page's worth: the other filters leave pages short, and the rest of each
    page comes from the whole match after the last match read."""
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    monkeypatch.setattr(fulltext, "FIRST_STEP_PAGES", 1)
    monkeypatch.setattr(fulltext, "WALK_STEPS", 1)
    walked = list(_walk(client, query))
    with monkeypatch.context() as patch:
        _whole_query(patch)
        assert list(_walk(client, query)) == walked


def test_a_first_page_in_id_order_reads_matches_in_that_order(searchable, client):
    """On SQLite the first page asks the index for its first matches in rowid order (a LIMIT:
    FTS5 stops there) and filters those, rather than every match: here two pages' worth of
    matches (10) do not hold the five MI rows the page needs (one row in three is in MI), and
    the next step (80) does. Only the total reads every match."""
    if connection.vendor != "sqlite":
        pytest.skip("the walk is SQLite's: PostgreSQL's GIN index gives matches in no order")
    url = reverse("api:partnership-list") + "?q=police&state=MI&page_size=4"
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).json()
    matching = [q["sql"] for q in queries if "MATCH" in q["sql"]]
    steps = {int(n) for sql in matching for n in re.findall(r"ORDER BY rowid ASC LIMIT (\d+)", sql)}
    assert steps == {10, 80}, matching
    whole = [sql for sql in matching if "ORDER BY rowid" not in sql and "COUNT(" not in sql]
    assert whole == [], whole
    assert len(first["results"]) == 4 and first["count"] == 10


HOSTILE_Q = [
    "\x00",
    "police\x00department",
    "x" * 10_000,
    "police " * 2_000,
    '"',
    '"police',
    'police"department"',
    "*",
    "police*",
    "NEAR(police department)",
    "NEAR",
    "police NEAR/2 department",
    "(",
    ")",
    "(police",
    "-",
    "- police",
    "-police",
    "police OR department",
    "AND",
    "NOT police",
    "^police",
    "names:police",
    "{names body}: police",
    "+",
    "%",
    "_",
    "\\",
    "\u00e9\u0301",
    "\u202e",
    "\ufffd",
    "\U0001f600 police",
]


@pytest.mark.parametrize("q", HOSTILE_Q)
def test_hostile_search_text_answers_rows_or_a_clear_400(searchable, q, settings):
    """FTS5's syntax (quotes, *, NEAR, parentheses, a lone -, column filters), NUL and very
    long text: each word is a quoted phrase or a LIKE parameter, so the answer is rows or a 400
    that names `q`, never a 500, through the API's partnership and agency lists and the table."""
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    reader = Client(raise_request_exception=False)
    for route in ("api:partnership-list", "api:agency-list"):
        for extra in ({}, {"ordering": "-id"}, {"ordering": "agency"}):
            response = reader.get(reverse(route), {"q": q, **extra})
            assert response.status_code in (200, 400), (route, extra, response.status_code)
            body = json.loads(response.content)
            if response.status_code == 400:
                assert "q" in json.dumps(body), body
            else:
                assert isinstance(body["results"], list)
    response = reader.get(reverse("web:table"), {"q": q})
    assert response.status_code in (200, 400), response.status_code


def test_search_text_of_syntax_characters_finds_what_the_substring_search_found(searchable):
    """A quote or an asterisk inside a word is part of the word, as in the substring search."""
    PartnershipFactory(agency=AgencyFactory(name='The "Quoted" Office*', city="Townx"))
    for q in ('"quoted"', "office*", '"quoted" office*', "-", "(", "NEAR"):
        assert substring_search(q) <= found(q), q
    assert found('"quoted" office*')


def test_a_word_longer_than_a_phrase_is_matched_whole(searchable):
    """FTS5 is asked for a long word's beginning only (each trigram of a phrase costs a
    lookup); LIKE then checks the whole word, so a word that begins alike and ends otherwise
    finds nothing."""
    word = "surveillance" * 8  # 96 characters
    assert len(word) > fulltext.PHRASE_MAX
    partnership = PartnershipFactory(summary=f"Signed ({word}).")
    assert found(word[3:]) == {partnership.pk} == substring_search(word[3:])
    assert found(word[:-1] + "x") == set()


def test_a_search_text_over_the_limit_is_a_400_naming_q(client):
    response = client.get(reverse("api:partnership-list"), {"q": "x" * (Q_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["q"]
    assert client.get(reverse("api:partnership-list"), {"q": "x" * Q_MAX_LENGTH}).status_code == 200


def test_a_walk_stays_within_sqlites_limit_on_parameters(searchable, client, settings):
    """A step's matches go to the page's query as a subquery: as a list of ids, the third step
    of a page of 500 (64,128 ids) passed SQLite's limit of 32,766 parameters and answered 500.
    Here the limit is lowered to 30 and a step reads 42 matches."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on parameters")
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    connection.ensure_connection()
    raw = connection.connection
    before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 30)
    try:
        response = client.get(reverse("api:partnership-list") + "?q=police&page_size=20")
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20
