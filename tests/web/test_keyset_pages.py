"""The pages' lists paged by keyset (survmap.web.paging): every row reachable by following Next,
the same pages back by following Previous, in a total order whatever the ties, with the
filters kept; a bad cursor is a 400; and the counts by status and year the pages lead with."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.urls import reverse

from survmap.common.keyset import make_cursor
from survmap.geo.models import State
from survmap.records.models import Partnership, PartnershipStatus
from survmap.records.selectors import partnership_list_public
from survmap.web import views
from survmap.web.views import status_and_year_counts
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tbody class="partnership" id="partnership-([0-9]+)">')
NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
PREVIOUS = re.compile(r'href="\?([^"]*)" rel="prev"')
PAGE_SIZE = 4


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "LIST_ROWS", PAGE_SIZE)


@pytest.fixture
def records() -> list[Partnership]:
    """Ties everywhere: agencies with several partnerships, one name in each of two states,
    equal statuses and start dates, no start date, no vendor."""
    michigan, ohio = State.objects.get(code="MI"), State.objects.get(code="OH")
    drones = TechnologyFactory(name="Drones", slug="drones")
    cameras = TechnologyFactory(name="Cameras", slug="cameras")
    vendor = VendorFactory(name="Acme")
    made = []
    for n in range(7):
        for state in (michigan, ohio):
            agency = AgencyFactory(name=f"Town {n} Police", state=state, counties=[])
            for k in range(2):
                made.append(
                    PartnershipFactory(
                        agency=agency,
                        technology=drones if k == 0 else cameras,
                        vendor=vendor if n % 2 else None,
                        status=PartnershipStatus.ENDED if n == 3 else PartnershipStatus.ACTIVE,
                        start_date=None if n == 1 else dt.date(2015 + n % 2, 1, 1),
                        start_precision="" if n == 1 else "year",
                    )
                )
    return made


def _walk(client, path: str, query: str = "") -> tuple[list[list[int]], str]:
    """Every page's rows by following Next from `query`; and the last page's query."""
    pages = []
    while True:
        answer = client.get(f"{path}?{query}")
        assert answer.status_code == 200
        html = answer.content.decode()
        pages.append([int(pk) for pk in ROW.findall(html)])
        found = NEXT.search(html)
        if found is None:
            return pages, query
        query = unescape(found[1])


def _walk_back(client, path: str, query: str) -> list[list[int]]:
    pages = []
    while True:
        html = client.get(f"{path}?{query}").content.decode()
        pages.append([int(pk) for pk in ROW.findall(html)])
        found = PREVIOUS.search(html)
        if found is None:
            return pages[::-1]
        query = unescape(found[1])


def _expected(queryset, *order: str) -> list[int]:
    return list(queryset.order_by(*order).values_list("pk", flat=True))


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize(
    ("ordering", "order"),
    [
        ("", ("agency__state_id", "agency__name", "agency_id", "pk")),
        ("agency", ("agency__name", "agency_id", "pk")),
        ("-agency", ("-agency__name", "-agency_id", "-pk")),
        ("status", ("status", "pk")),
        ("-technology", ("-technology__name", "-technology_id", "-pk")),
    ],
)
def test_the_table_walks_every_row_once_in_order_and_back(client, records, ordering, order):
    path = reverse("web:table")
    query = f"ordering={ordering}" if ordering else ""
    pages, last = _walk(client, path, query)
    assert [pk for page in pages for pk in page] == _expected(partnership_list_public(), *order)
    assert all(len(page) == PAGE_SIZE for page in pages[:-1])
    assert _walk_back(client, path, last) == pages


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize("ordering", ["start", "-start", "vendor", "-vendor"])
def test_rows_without_a_value_come_last_either_way_and_none_is_lost(client, records, ordering):
    pages, last = _walk(client, reverse("web:table"), f"ordering={ordering}")
    shown = [pk for page in pages for pk in page]
    assert sorted(shown) == sorted(p.pk for p in records)
    field = {"start": "start_date", "vendor": "vendor"}[ordering.lstrip("-")]
    empty = set(
        partnership_list_public().filter(**{f"{field}__isnull": True}).values_list("pk", flat=True)
    )
    assert set(shown[-len(empty) :]) == empty
    assert _walk_back(client, reverse("web:table"), last) == pages


@pytest.mark.usefixtures("small_pages")
def test_filters_ride_along_and_only_their_rows_are_listed(client, records):
    query = "status=active&technology=drones"
    pages, last = _walk(client, reverse("web:table"), query)
    assert "status=active" in last and "technology=drones" in last
    expected = partnership_list_public().filter(
        status=PartnershipStatus.ACTIVE, technology__slug="drones"
    )
    assert [pk for page in pages for pk in page] == _expected(
        expected, "agency__state_id", "agency__name", "agency_id", "pk"
    )


@pytest.mark.usefixtures("small_pages")
def test_region_and_technology_pages_reach_every_row(client, records):
    pages, _ = _walk(client, reverse("web:region", args=["26"]))
    michigan = partnership_list_public().filter(agency__state__code="MI")
    assert [pk for page in pages for pk in page] == _expected(
        michigan, "agency__name", "agency_id", "pk"
    )
    filtered, _ = _walk(client, reverse("web:region", args=["26"]), "technology=cameras")
    assert sorted(pk for page in filtered for pk in page) == sorted(
        michigan.filter(technology__slug="cameras").values_list("pk", flat=True)
    )
    pages, last = _walk(client, reverse("web:technology", args=["drones"]))
    drones = partnership_list_public().filter(technology__slug="drones")
    assert [pk for page in pages for pk in page] == _expected(
        drones, "agency__state_id", "agency__name", "agency_id", "pk"
    )
    assert _walk_back(client, reverse("web:technology", args=["drones"]), last) == pages


@pytest.mark.usefixtures("small_pages")
def test_the_common_technology_walk_gives_the_same_rows(client, records, monkeypatch):
    """A technology with many rows is listed by walking the agencies (views.WALK_FROM)."""
    rows, _ = _walk(client, reverse("web:technology", args=["drones"]))
    monkeypatch.setattr(views, "WALK_FROM", 1)
    walked, _ = _walk(client, reverse("web:technology", args=["drones"]))
    assert walked == rows


@pytest.mark.usefixtures("small_pages")
def test_the_page_says_where_it_stands(client, records):
    html = client.get(reverse("web:table")).content.decode()
    total = partnership_list_public().count()
    assert f'<span aria-current="page">1 to {PAGE_SIZE} of {total}</span>' in html
    assert 'aria-label="Pages of partnerships"' in html
    second = client.get(reverse("web:table") + "?" + unescape(NEXT.search(html)[1]))
    assert f"{PAGE_SIZE + 1} to {2 * PAGE_SIZE} of {total}" in second.content.decode()
    assert "First page" in second.content.decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "%%%",
        "W10",  # []
        make_cursor("place", ["MI", "Town", 1, 2]),  # no direction
        make_cursor("place", ["MI", "Town", 1, 2], "x", 3),
        make_cursor("place", ["MI", "Town", 1, 2], "n", -1),
        make_cursor("place", ["MI", 5, 1, 2], "n", 4),  # a number where a name goes
        make_cursor("-status", ["active", 2], "n", 4),  # another ordering's
        "A" * 5000,
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(client, records, cursor):
    answer = client.get(reverse("web:table"), {"cursor": cursor})
    assert answer.status_code == 400
    assert "cursor" in answer.content.decode()
    assert client.get(reverse("web:region", args=["26"]), {"cursor": cursor}).status_code == 400
    technology = reverse("web:technology", args=["drones"])
    assert client.get(technology, {"cursor": cursor}).status_code == 400


def test_an_api_cursor_is_no_page_cursor(client, records):
    api = client.get(reverse("api:partnership-list"), {"page_size": 2, "ordering": "agency"})
    cursor = re.search(r"cursor=([^&\"]+)", api.json()["next"])[1]
    assert (
        client.get(reverse("web:table"), {"cursor": cursor, "ordering": "agency"}).status_code
        == 400
    )


def test_a_cursor_past_the_end_is_an_empty_page_with_a_way_back(client, records):
    cursor = make_cursor("place", ["ZZ", "Zed", 10**9, 10**9], "n", 4000)
    html = client.get(reverse("web:table"), {"cursor": cursor}).content.decode()
    assert ROW.findall(html) == []
    assert "First page" in html


def test_counts_by_status_and_year_match_a_plain_count(records):
    PartnershipFactory(
        status=PartnershipStatus.PILOT, start_date=dt.date(2019, 5, 1), start_precision="month"
    )
    PartnershipFactory(sources=[])  # not public: not counted
    public = partnership_list_public()
    counted = status_and_year_counts(public)
    assert {row["status"]: row["n"] for row in counted["statuses"]} == dict(
        public.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    assert [row["status"] for row in counted["statuses"]] == [
        value for value, _ in PartnershipStatus.choices if value in {"active", "ended", "pilot"}
    ]
    years = {
        row["year"]: row["n"]
        for row in public.filter(start_date__isnull=False)
        .values(year=ExtractYear("start_date"))
        .annotate(n=Count("pk"))
    }
    assert {row["year"]: row["n"] for row in counted["years"]} == years
    assert [row["year"] for row in counted["years"]] == sorted(years)
    assert counted["undated"] == public.filter(start_date__isnull=True).count()
    assert sum(row["n"] for row in counted["statuses"]) == public.count()


def test_region_and_technology_pages_show_the_counts_with_links_to_their_rows(client, records):
    html = client.get(reverse("web:region", args=["26"])).content.decode()
    michigan = partnership_list_public().filter(agency__state__code="MI")
    ended = michigan.filter(status=PartnershipStatus.ENDED).count()
    assert f'<a href="/table/?state=MI&amp;status=ended">Ended</a> ({ended})' in html
    started_2016 = michigan.filter(start_date__year=2016).count()
    assert (
        '<a href="/table/?start_after=2016-01-01&amp;start_before=2016-12-31&amp;state=MI">2016</a>'
        f" ({started_2016})" in html
    )
    table = client.get("/table/?start_after=2016-01-01&start_before=2016-12-31&state=MI")
    assert f"{started_2016} partnerships match" in table.content.decode()
    technology = client.get(reverse("web:technology", args=["drones"])).content.decode()
    assert "By status:" in technology and "?status=ended&amp;technology=drones" in technology
