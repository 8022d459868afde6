"""Partnerships over time: the numbers drawn and tabled equal the records', in one cached query."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from survmap.common import data_version
from survmap.geo.models import County, State
from survmap.records.models import Partnership, PartnershipStatus
from survmap.web.timeline import MAX_SERIES, OTHER, count_by_year, draw, timeline
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def partnership(technology, start=None, end=None, county="26099", state="MI", **kwargs):
    return PartnershipFactory(
        agency=AgencyFactory(counties=[county], state=State.objects.get(code=state)),
        technology=technology,
        start_date=dt.date(start, 3, 1) if start else None,
        end_date=dt.date(end, 6, 1) if end else None,
        start_precision="month" if start else "",
        end_precision="month" if end else "",
        status=PartnershipStatus.ENDED if end else PartnershipStatus.ACTIVE,
        **kwargs,
    )


@pytest.fixture
def records():
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    faces = TechnologyFactory(slug="faces", name="Face recognition")
    partnership(ring, 2018)
    partnership(ring, 2018, 2020)
    partnership(ring, 2019, county="06037", state="CA")
    partnership(faces, 2016, 2020)
    partnership(faces, None)  # no start date: counted as undated
    PartnershipFactory(
        technology=ring, start_date=dt.date(2018, 1, 1), start_precision="year", sources=[]
    )  # not public
    return ring, faces


def test_the_counts_equal_the_records_per_year_and_technology(records):
    data = count_by_year(Partnership.objects.public())
    assert data.years == [2016, 2017, 2018, 2019, 2020]
    by_name = {s.name: s for s in data.series}
    assert by_name["Ring/Neighbors"].started == {2018: 2, 2019: 1}
    assert by_name["Ring/Neighbors"].ended == {2020: 1}
    assert by_name["Face recognition"].started == {2016: 1}
    assert by_name["Face recognition"].ended == {2020: 1}
    assert data.started(2018) == 2 and data.ended(2020) == 2 and data.started(2017) == 0
    assert data.undated == 1
    # Against the records themselves, year by year.
    public = Partnership.objects.public()
    for year in data.years:
        assert data.started(year) == public.filter(start_date__year=year).count()
        assert data.ended(year) == public.filter(end_date__year=year).count()


def test_beyond_five_technologies_the_rest_are_summed_as_other(db):
    for i in range(MAX_SERIES + 2):
        technology = TechnologyFactory(slug=f"t{i}", name=f"T{i}")
        for _ in range(10 - i):
            partnership(technology, 2020)
    data = count_by_year(Partnership.objects.public())
    assert [s.name for s in data.series] == ["T0", "T1", "T2", "T3", "T4", OTHER]
    assert data.series[-1].started == {2020: (10 - 5) + (10 - 6)}
    assert data.started(2020) == sum(10 - i for i in range(MAX_SERIES + 2))
    assert len({s.colour for s in data.series}) == len(data.series)


def test_the_bars_stack_to_the_counts(records):
    chart = draw(count_by_year(Partnership.objects.public()))
    unit = (chart["middle"] - chart["top_y"]) / chart["top"]
    started_2018 = [b for b in chart["bars"] if b["title"].startswith("2018:")]
    assert sum(b["h"] for b in started_2018) == pytest.approx(2 * unit, abs=0.2)
    ended = [b for b in chart["bars"] if b["title"].endswith("ended")]
    assert [b["title"] for b in ended] == [
        "2020: 1 Ring/Neighbors ended",
        "2020: 1 Face recognition ended",
    ]
    assert all(b["y"] >= chart["middle"] for b in ended)


def test_it_costs_one_query_and_then_none_until_the_data_changes(
    records, django_assert_num_queries
):
    ring = records[0]
    data_version.current()
    with django_assert_num_queries(1):
        first = timeline("technology:ring", Partnership.objects.public().filter(technology=ring))
    with django_assert_num_queries(0):
        assert timeline("technology:ring", Partnership.objects.public()) == first
    partnership(ring, 2021)
    again = timeline("technology:ring", Partnership.objects.public().filter(technology=ring))
    assert again["last"] == 2021


def table_rows(html: str) -> dict[str, tuple[str, str]]:
    figure = re.search(r'<figure class="timeline".*?</figure>', html, re.S)
    assert figure, "the page has a timeline"
    assert "style=" not in figure.group(0)
    return {
        year: (started, ended)
        for year, started, ended in re.findall(
            r'<th scope="row">(\d{4})</th><td>(\d+)</td><td>(\d+)</td>', figure.group(0)
        )
    }


def test_the_home_page_tables_every_partnership_whatever_the_filters(client, records):
    rows = table_rows(client.get(reverse("web:home")).content.decode())
    assert rows["2018"] == ("2", "0")
    assert rows["2020"] == ("0", "2")
    # The map changes its filters without reloading: the chart never claims to follow them.
    filtered = client.get(reverse("web:home"), {"technology": "faces"}).content.decode()
    assert table_rows(filtered) == rows


def test_technology_and_region_pages_have_their_own_timelines(client, records):
    ring = records[0]
    rows = table_rows(client.get(reverse("web:technology", args=[ring.slug])).content.decode())
    assert rows == {"2018": ("2", "0"), "2019": ("1", "0"), "2020": ("0", "1")}
    california = table_rows(client.get(reverse("web:region", args=["06"])).content.decode())
    assert california == {"2019": ("1", "0")}
    macomb = County.objects.get(fips="26099")
    page = client.get(reverse("web:region", args=[macomb.fips])).content.decode()
    assert table_rows(page)["2016"] == ("1", "0")
    assert table_rows(page)["2019"] == ("0", "0")  # the 2019 start is in Los Angeles


def test_a_page_with_nothing_dated_has_no_timeline(client, db):
    technology = TechnologyFactory(slug="undated", name="Undated")
    partnership(technology, None)
    page = client.get(reverse("web:technology", args=["undated"])).content.decode()
    assert 'class="timeline"' not in page
    cache.clear()
