"""One version of "the public data as it is now", for every cache of derived public data (whole
pages, map counts, the search index, API pages) and for the API's ETag and Last-Modified.

The version is a fingerprint of the records' history tables (the newest history row of each)
read from the database at most once per SURVMAP_DATA_VERSION_SECONDS and kept in the cache. Saves,
deletions and many-to-many changes forget it at once (through signals), so with a shared cache
(REDIS_URL) every process sees a change immediately; with per-process memory, other processes
see it within those seconds. Code that writes in bulk (bulk_create, update), which sends no
signals, should call `bump()` afterwards, after the commit (`transaction.on_commit(bump)`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_KEY = "survmap:data-version"
CHANGED_KEY = "survmap:data-changed"
# Apps whose rows appear on public pages, in the map or in the API. Submissions do not: a tip
# is public only once approved, and the approval writes records. Conflicts are moderators' work.
PUBLIC_DATA_APPS = frozenset({"records", "geo"})
PRIVATE_MODELS = frozenset({"records.conflict"})
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# The public record models whose history the fingerprint reads, in a fixed order. The app that
# owns them names them (`track`, from its AppConfig.ready): common imports no app above it.
_tracked: list[type[models.Model]] = []


def track(*record_models: type[models.Model]) -> None:
    """Fingerprint these models' history tables (each must keep history: django-simple-history)."""
    for model in record_models:
        if model not in _tracked:
            _tracked.append(model)


@dataclass(frozen=True)
class DataVersion:
    token: str
    last_modified: dt.datetime

    def __str__(self) -> str:
        return self.token


def current() -> DataVersion:
    version: DataVersion | None = cache.get(VERSION_KEY)
    if version is None:
        version = _fingerprint()
        cache.set(VERSION_KEY, version, getattr(settings, "SURVMAP_DATA_VERSION_SECONDS", 30))
    return version


def _fingerprint() -> DataVersion:
    """Every create, edit, deletion and link change of a record writes a history row, so the
    newest history row of each record table says whether anything changed: one row read from
    the end of the primary key, cheap however large the tables grow (row counts would scan
    them, and so would MAX of two columns in one SQLite query)."""
    parts = []
    newest = EPOCH
    for model in _tracked:
        history = model.history.model  # type: ignore[attr-defined]  # django-simple-history
        # History ids grow with time: the newest row by id is the latest change.
        last = (
            history.objects.order_by("-history_id").values_list("history_id", "history_date")
        ).first()
        parts.append(f"{model._meta.label}:{last[0] if last else None}")
        newest = max(newest, last[1] if last else EPOCH)
    # Writes that keep no history (bulk inserts) call bump(); its time stands in for them.
    changed: dt.datetime | None = cache.get(CHANGED_KEY)
    if changed is not None:
        parts.append(changed.isoformat())
        newest = max(newest, changed)
    token = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
    return DataVersion(token=token, last_modified=newest.replace(microsecond=0))


def bump() -> None:
    cache.set(CHANGED_KEY, timezone.now(), timeout=None)
    cache.delete(VERSION_KEY)


def changed() -> None:
    """A public record was written: forget the cached version now (the next read takes the
    fingerprint again, which only this transaction sees changed until it commits) and bump it
    once the transaction commits, so that nothing cached meanwhile outlives the write. A
    rolled-back write bumps nothing."""
    cache.delete(VERSION_KEY)
    transaction.on_commit(bump)


def _on_change(sender: Any, **kwargs: Any) -> None:
    meta = sender._meta
    if meta.app_label in PUBLIC_DATA_APPS and meta.label_lower not in PRIVATE_MODELS:
        changed()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"survmap-data-version-{signal!r}")


# Derived public data is kept this long at most; the version, not the timeout, keeps it fresh.
KEEP_SECONDS = 24 * 60 * 60
T = TypeVar("T")


# Memcached refuses keys over 250 characters and Django warns of them on every backend.
LONGEST_KEY = 200


def cache_key(kind: str, name: str) -> str:
    """The cache key of `name` (a page, its filters: any text) among things of `kind` in the
    current data version: readable while short, else `name`'s digest, so that an address of
    500 characters or one with spaces makes a valid key."""
    key = f"survmap:{kind}:{current().token}:{name}"
    if len(key) > LONGEST_KEY or not name.isascii() or any(ch.isspace() for ch in name):
        key = f"survmap:{kind}:{current().token}:#{hashlib.sha256(name.encode()).hexdigest()}"
    return key


def kept(name: str, build: Callable[[], T]) -> T:
    """What `build` returns, built once per data version and kept in the cache under `name`
    (which must say everything the result depends on besides the public data: the page, the
    filters). Only for public data that reads the same to everyone: never a user's own view."""
    key = cache_key("kept", name)
    value: T | None = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, KEEP_SECONDS)
    return value
