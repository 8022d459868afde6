"""Multi-row INSERTs for the bulk writer (`batch.py`): the rows that `bulk_create`
and simple-history's `bulk_history_create` write, without their cost per value.

A speed trick, contained here and checked against the plain way in
tests/records/writing/test_inserts.py. Django's `bulk_create` compiles every value of every row
on its own (expression checks, a placeholder each, pre-save hooks): on the first Atlas import, about
70,000 rows, that was over half of the import's time, while the database itself took a tenth
of it. Here a model's statement is built once per batch of rows, and each value goes through
its field's own `get_db_prep_save`, the conversion `bulk_create` applies, so what is stored is
the same. Left out is what the bulk path's new records never need: expressions as values,
multi-table inheritance, `ignore_conflicts`, signals (`bulk_create` sends none either).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT new instances of `model` as `bulk_create(objs)` does: auto_now fields filled,
    values converted by their fields, primary keys from the database set on the objects."""
    if not objs:
        return
    db = router.db_for_write(model)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    # One moment for the batch's auto_now fields: converted once, and copied into its history.
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
        elif type(field).pre_save is not models.Field.pre_save:
            for obj in objs:
                setattr(obj, field.attname, field.pre_save(obj, True))
    rows = [[getattr(obj, field.attname) for field in fields] for obj in objs]
    pks = insert_values(model, [field.attname for field in fields], rows)
    pk_name = model._meta.pk.attname
    for obj, pk in zip(objs, pks, strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = db


def insert_values(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """INSERT rows of plain values (each in the order of `attnames`, converted by those fields)
    into `model`'s table; returns their primary keys, in the rows' order."""
    if not rows:
        return []
    db = router.db_for_write(model)
    connection = connections[db]
    fields: list[Any] = [model._meta.get_field(name) for name in attnames]
    # Converting a datetime is the dearest conversion (time zones), and a batch's are few.
    seen: dict[tuple[int, dt.datetime], Any] = {}

    def prepared(index: int, value: Any) -> Any:
        if not isinstance(value, dt.datetime):
            return fields[index].get_db_prep_save(value, connection)
        key = (index, value)
        if key not in seen:
            seen[key] = fields[index].get_db_prep_save(value, connection)
        return seen[key]

    converted = [[prepared(index, value) for index, value in enumerate(row)] for row in rows]
    return _execute(model, db, [field.column for field in fields], converted)


def history_insert(
    model: type[models.Model], records: Sequence[models.Model], *, history_type: str, reason: str
) -> list[int]:
    """A history entry of `history_type` ('+' or '~') for each record, with `reason`, as
    simple-history's `bulk_history_create` writes it (the record's tracked fields, the time,
    the request's user if any); returns the entries' ids, in the records' order."""
    if not records:
        return []
    history = model.history.model  # type: ignore[attr-defined]
    user = history.get_default_history_user(records[0])
    tracked = [field.attname for field in history.tracked_fields]
    stamp = [timezone.now(), reason, history_type, getattr(user, "pk", None)]
    rows = [[*(getattr(record, name) for name in tracked), *stamp] for record in records]
    names = [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"]
    return insert_values(history, names, rows)


def _execute(
    model: type[models.Model], db: str, columns: list[str], rows: list[list[Any]]
) -> list[Any]:
    connection = connections[db]
    qn = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    # Names from the model's own metadata, quoted; every value is a parameter.
    table = qn(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(map(qn, columns))}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {qn(pk.column)}"
    # SQLite refuses a statement with more variables than it was built for (Django assumes
    # 999); PostgreSQL takes at most 65,535 parameters a statement.
    size = max(1, (connection.features.max_query_params or 65_535) // len(columns))
    pks: list[Any] = []
    if not connection.features.can_return_rows_from_bulk_insert:
        # SQLite before 3.35 (Django supports 3.31) has no RETURNING: a row a statement, and
        # its id as the database reports it.
        with connection.cursor() as cursor:
            for row in rows:
                cursor.execute(head + one, row)
                pks.append(connection.ops.last_insert_id(cursor, model._meta.db_table, pk.column))
        return pks
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row]
            )
            pks.extend(row[0] for row in cursor.fetchall())
    return pks
