"""Backup and restore of everything survmap holds: records and their history, users, groups,
moderation (submissions and the admin's log), as one compressed JSON file."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.models.signals import pre_save

from survmap.common import statistics
from survmap.common.serializers import FORMAT

# Left out because `migrate` recreates them from code or packaged data (content types,
# permissions, census geography) or because they are transient (sessions, and django-axes'
# login-attempt logs, which only matter for the hour of a lockout). Foreign keys to content
# types, permissions, users and groups are written as natural keys, so a backup restores into a
# database whose migrations numbered those rows differently.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "geo", "axes")
SUFFIX = ".json.gz"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table a backup holds, including many-to-many link tables."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        if meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED:
            continue
        chosen.append(model)
    return chosen


def backup_write(path: Path, *, using: str = "default") -> None:
    """Dump every backed-up table to `path` (gzip-compressed JSON)."""
    if not str(path).endswith(SUFFIX):
        raise BackupError(f"A backup file name must end in {SUFFIX} (got {path}).")
    path.parent.mkdir(parents=True, exist_ok=True)
    serializers.register_serializer(FORMAT, "survmap.common.serializers")
    call_command(
        "dumpdata",
        exclude=list(EXCLUDED),
        format=FORMAT,
        natural_foreign=True,
        database=using,
        output=str(path),
        verbosity=0,
    )


def _holding(using: str) -> list[str]:
    # Groups are created by migrations (the moderators group), so they do not make a database
    # "used"; users and records do.
    return [
        model._meta.label
        for model in backed_up_models()
        if model is not Group
        and not model._meta.auto_created
        and model._base_manager.using(using).exists()
    ]


@contextmanager
def _loaded_rows_are_history_already() -> Iterator[None]:
    """loaddata sets many-to-many links through the ORM, and django-simple-history would record
    each as a new change; the backup already holds the history, so loaded rows skip it."""

    def mark(sender: type, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            instance.skip_history_when_saving = True  # type: ignore[attr-defined]

    pre_save.connect(mark, weak=False, dispatch_uid="survmap-restore")
    try:
        yield
    finally:
        pre_save.disconnect(dispatch_uid="survmap-restore")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] + ("…" if len(text) > 300 else "")


def backup_check(path: Path) -> Counter[str]:
    """Read the whole backup and check it before anything is replaced: a gzip file that is
    complete, JSON, a list of objects of the tables a backup holds with only their fields, and
    something worth restoring. The count of objects per table, or BackupError in one line."""
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"{path} is not a complete gzip file ({_one_line(error)}): it may be truncated; "
            "nothing was changed."
        ) from None
    try:
        objects = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise BackupError(
            f"{path} does not hold JSON ({_one_line(error)}); nothing was changed."
        ) from None
    del data
    if not isinstance(objects, list):
        raise BackupError(f"{path} is not a survmap backup (no list of objects).")
    tables = {model._meta.label_lower: model for model in backed_up_models()}
    counts: Counter[str] = Counter()
    for number, item in enumerate(objects, start=1):
        label = item.get("model") if isinstance(item, dict) else None
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(label, str) or not isinstance(fields, dict):
            raise BackupError(f"Object {number} of {path} is not a model object; nothing changed.")
        model = tables.get(label.lower())
        if model is None:
            raise BackupError(
                f"Object {number} of {path} is of the unknown model '{label[:80]}': "
                "the backup is from another application or version; nothing was changed."
            )
        meta = model._meta
        names = {field.name for field in [*meta.fields, *meta.many_to_many]}
        unknown = sorted(str(name)[:40] for name in fields if name not in names)
        if unknown:
            raise BackupError(
                f"Object {number} of {path} ({label}) has unknown field(s) "
                f"{', '.join(unknown[:5])}; nothing was changed."
            )
        counts[model._meta.label] += 1
    if not counts - Counter({Group._meta.label: counts[Group._meta.label]}):
        raise BackupError(
            f"{path} holds no users and no records: restoring it would only erase. "
            "Nothing was changed."
        )
    return counts


# The records a restore must not leave empty without being told to (`allow_empty`).
RECORDS = "records.Partnership"


def _database_counts(using: str) -> Counter[str]:
    """Rows per backed-up table (link tables apart) in the database, those with any."""
    counts: Counter[str] = Counter()
    for model in backed_up_models():
        if not model._meta.auto_created:
            n = model._base_manager.using(using).count()
            if n:
                counts[model._meta.label] = n
    return counts


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items())) or "nothing"


def backup_restore(
    path: Path,
    *,
    using: str = "default",
    force: bool = False,
    allow_empty: bool = False,
    progress: TextIO | OutputWrapper | None = None,
    announce: Callable[[str], None] | None = None,
) -> str:
    """Replace the backed-up tables' contents with the backup, all or nothing.

    Refuses a database that already holds users or records unless `force`, because restoring
    would erase them, and a backup with no partnership unless `allow_empty` (a file of users
    alone would leave the records empty). Before anything is removed, `announce` is told what
    the database holds that the restore removes, and what it loads. The database must be
    migrated first (`manage.py migrate`). With `progress`, loaddata's running count of loaded
    objects is written there."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    if not str(path).endswith(SUFFIX):
        raise BackupError(f"A backup file name ends in {SUFFIX} (got {path}).")
    counts = backup_check(path)
    if not counts[RECORDS] and not allow_empty:
        raise BackupError(
            f"{path} holds no partnerships ({_listed(counts)}): restoring it would leave the "
            "records empty. Pass --allow-empty if that is what you want; nothing was changed."
        )
    holding = _holding(using)
    if holding and not force:
        raise BackupError(
            "The database is not empty (it holds "
            + ", ".join(holding)
            + "); restore into an empty, migrated database, or pass --force to replace it."
        )
    if announce is not None:
        announce(f"Removing from the database: {_listed(_database_counts(using))}.")
        announce(f"Loading from {path}: {_listed(counts)}.")
    connection = connections[using]
    tables = [model._meta.db_table for model in backed_up_models()]
    out = io.StringIO()
    try:
        with transaction.atomic(using=using), _loaded_rows_are_history_already():
            connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
            call_command(
                "loaddata",
                str(path),
                database=using,
                verbosity=3 if progress else 1,
                stdout=progress or out,
            )
    except Exception as error:
        # The transaction is rolled back: the database holds what it held before.
        raise BackupError(
            f"The backup could not be loaded ({type(error).__name__}: {_one_line(error)}); "
            "nothing was changed."
        ) from error
    statistics.refresh(using)
    loaded = ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items()))
    return (out.getvalue().strip() + f"\nRestored: {loaded}.").strip()
