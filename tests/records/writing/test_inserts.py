"""The bulk path's multi-row INSERTs (`records/writing/_inserts.py`) store what the plain
way stores: `bulk_create` for records and links, simple-history's `bulk_history_create` for
history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models

from survmap.common.dates import PartialDate
from survmap.records.models import Agency, Partnership, PartnershipStatus, Source
from survmap.records.writing import _inserts as inserts
from tests.factories import TechnologyFactory, VendorFactory

pytestmark = pytest.mark.django_db

STAMPS = {"id", "created_at", "updated_at", "history_id", "history_date"}


def stored(model: type[models.Model], pks: list[Any]) -> list[dict[str, Any]]:
    """The rows as the database gives them back, less ids and times."""
    rows = model._default_manager.filter(pk__in=pks).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in STAMPS} for row in rows]


def agencies(suffix: str) -> list[Agency]:
    return [
        Agency(
            name=f"Ünïcode Police Department {suffix}",
            normalized_name=f"unicode police {suffix}",
            state_id="MI",
            city="Warren",
            latitude=42.4928,
            longitude=-83.0277,
            provenance={"name": ["import:atlas", "2026-11-23T00:00:00+00:00"], "x": [1, None]},
        ),
        Agency(
            name=f'Quote\'s "Sheriff" {suffix}', normalized_name=f"quote {suffix}", state_id="IL"
        ),
    ]


def sources(suffix: str) -> list[Source]:
    month = PartialDate(2019, 12)
    dated = Source(
        url=f"https://example.org/{suffix}?a=1&b=%20",
        title="A title",
        published_date=month.first_day(),
        published_precision=month.precision,
    )
    undated = Source(
        url=None, title=f"Council minutes {suffix}", publisher="City of Warren", notes="a\nb"
    )
    return [dated, undated]


def test_records_are_stored_as_bulk_create_stores_them() -> None:
    plain_agencies, fast_agencies = agencies("a"), agencies("b")
    Agency.objects.bulk_create(plain_agencies)
    inserts.insert(Agency, fast_agencies)
    assert all(agency.pk and not agency._state.adding for agency in fast_agencies)
    plain, fast = (
        stored(Agency, [a.pk for a in plain_agencies]),
        stored(Agency, [a.pk for a in fast_agencies]),
    )
    for row in (*plain, *fast):
        row["name"] = row["name"][:-2]
        row["normalized_name"] = row["normalized_name"][:-2]
    assert fast == plain
    for agency in Agency.objects.filter(pk__in=[a.pk for a in fast_agencies]):
        assert agency.created_at is not None and agency.updated_at is not None

    plain_sources, fast_sources = sources("a"), sources("b")
    Source.objects.bulk_create(plain_sources)
    inserts.insert(Source, fast_sources)
    plain_rows, fast_rows = (
        stored(Source, [s.pk for s in plain_sources]),
        stored(Source, [s.pk for s in fast_sources]),
    )
    for row in (*plain_rows, *fast_rows):
        row["url"] = (row["url"] or "").replace("/a?", "/?").replace("/b?", "/?")
        row["title"] = row["title"].removesuffix(" a").removesuffix(" b")
    assert fast_rows == plain_rows

    technology, vendor = TechnologyFactory(), VendorFactory()
    made = []
    for insert in (Partnership.objects.bulk_create, lambda objs: inserts.insert(Partnership, objs)):
        batch = [
            Partnership(
                agency=fast_agencies[0],
                technology=technology,
                vendor=vendor,
                status=PartnershipStatus.ENDED,
                start_date=dt.date(2018, 1, 1),
                start_precision=PartialDate(2018).precision,
                end_date=dt.date(2020, 6, 1),
                end_precision=PartialDate(2020, 6, 1).precision,
                summary="Ended after a council vote.",
            ),
            Partnership(agency=fast_agencies[1], technology=technology, vendor=None),
        ]
        insert(batch)
        made.append(stored(Partnership, [p.pk for p in batch]))
    assert made[0] == made[1]


def test_links_and_their_history_are_stored_as_the_plain_way_stores_them() -> None:
    batch = agencies("c")
    inserts.insert(Agency, batch)
    pairs = [(batch[0].pk, "26099"), (batch[0].pk, "26125"), (batch[1].pk, "17031")]
    ids = inserts.insert_values(Agency.counties.through, ["agency_id", "county_id"], pairs)
    assert len(set(ids)) == 3
    assert sorted(
        Agency.counties.through.objects.filter(pk__in=ids).values_list("agency_id", "county_id")
    ) == sorted(pairs)
    assert set(batch[0].counties.values_list("fips", flat=True)) == {"26099", "26125"}


def test_history_entries_are_those_bulk_history_create_writes() -> None:
    batch = agencies("d")
    inserts.insert(Agency, batch)
    plain = Agency.history.bulk_history_create(batch, default_change_reason="An import")  # type: ignore[attr-defined]
    plain_ids = [entry.history_id for entry in plain]
    fast_ids = inserts.history_insert(Agency, batch, history_type="+", reason="An import")
    history = Agency.history.model  # type: ignore[attr-defined]
    assert stored(history, fast_ids) == stored(history, plain_ids)
    entries = list(history.objects.filter(history_id__in=fast_ids).order_by("history_id"))
    assert [entry.id for entry in entries] == [agency.pk for agency in batch]
    assert all(
        entry.history_type == "+" and entry.history_change_reason == "An import"
        for entry in entries
    )
    assert all(
        abs(entry.history_date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
        for entry in entries
    )
    # The entry is the record as it stood: what the history shows and restores.
    assert entries[0].instance.provenance == batch[0].provenance
    assert entries[0].instance.latitude == 42.4928


def test_a_large_batch_is_split_to_fit_the_database_limit_on_parameters() -> None:
    batch = [Source(url=f"https://example.org/many/{n}", title=f"Page {n}") for n in range(1_500)]
    inserts.insert(Source, batch)
    assert len({source.pk for source in batch}) == 1_500
    assert list(
        Source.objects.filter(pk__in=[s.pk for s in batch])
        .order_by("pk")
        .values_list("title", flat=True)
    ) == [f"Page {n}" for n in range(1_500)]


def test_without_returning_rows_are_inserted_one_by_one_with_their_ids(monkeypatch) -> None:
    # SQLite before 3.35 (which Django 5.2 still supports) has no RETURNING.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite lacks RETURNING in the versions Django supports")
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    batch = [Source(url=f"https://example.org/old/{n}", title=f"Old {n}") for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        inserts.insert(Source, batch)
    assert [q["sql"] for q in queries.captured_queries if "RETURNING" in q["sql"]] == []
    titles = dict(Source.objects.filter(pk__in=[s.pk for s in batch]).values_list("pk", "title"))
    assert titles == {source.pk: source.title for source in batch}
