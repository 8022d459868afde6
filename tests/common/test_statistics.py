"""The planner's statistics are refreshed after bulk writes (survmap.common.statistics)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from survmap.common import statistics
from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import read_atlas
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def _partnership_rows_known_to_planner() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'records_partnership' AND idx IS NULL"
                " UNION ALL SELECT stat FROM sqlite_stat1 WHERE tbl = 'records_partnership'"
            )
            row = cursor.fetchone()
            # "rows [rows per key...]": the first number is the table's row count.
            return int(row[0].split()[0]) if row else -1
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'records_partnership'")
        return int(cursor.fetchone()[0])


def test_refresh_gives_the_planner_the_number_of_rows() -> None:
    # PostgreSQL keeps ANALYZE's figures through a rollback: start from a known number.
    PartnershipFactory.create_batch(3)
    statistics.refresh()
    assert _partnership_rows_known_to_planner() == 3
    PartnershipFactory.create_batch(2)
    assert _partnership_rows_known_to_planner() == 3
    statistics.refresh()
    assert _partnership_rows_known_to_planner() == 5


def test_an_import_refreshes_the_statistics(atlas_csv: Path) -> None:
    PartnershipFactory.create_batch(3)
    statistics.refresh()
    report = AtlasImporter(read_atlas(atlas_csv).rows[:2]).run()
    assert report.created == 2
    assert _partnership_rows_known_to_planner() == 5


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_also_vacuums() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's: SQLite's index-only reads need no visibility map")
    PartnershipFactory.create_batch(2)
    statistics.refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables"
            " WHERE relname = 'records_partnership_sources'"
        )
        assert cursor.fetchone()[0] is True
