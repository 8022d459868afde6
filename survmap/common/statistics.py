"""Table statistics for the query planner, refreshed after bulk writes.

The planner picks between walking an index in sort order and sorting the rows a filter finds by
how many rows it expects. Without statistics SQLite guesses, and for "every partnership sorted by
agency name" it guessed a sort of the whole table (60-100 ms at 100,000 rows) over a walk of the
name index that stops after one page (under a millisecond). PostgreSQL's autovacuum gathers
statistics on its own, but only some time after a large import; SQLite never does.

So whatever writes many rows at once (the importers, a restore, the benchmark's generator) calls
`refresh()` when it is done, after its transaction where it can. ANALYZE reads a sample of each
index: about 0.1 s at 100,000 partnerships on SQLite.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections

# The tables the public pages, the map and the API filter and sort (their link tables included).
APPS = ("records",)


def refresh(using: str = "default") -> None:
    connection = connections[using]
    tables = sorted(
        {
            model._meta.db_table
            for app in APPS
            for model in apps.get_app_config(app).get_models(include_auto_created=True)
        }
    )
    # On PostgreSQL, outside a transaction, VACUUM as well: it marks the new rows' pages as
    # visible to all, so index-only scans (the cursor pages' "has a source" check) skip the
    # table. Inside a transaction VACUUM cannot run, and autovacuum comes round to it later.
    command = (
        "VACUUM (ANALYZE)"
        if connection.vendor == "postgresql" and not connection.in_atomic_block
        else "ANALYZE"
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
