"""One version of "the public data as it is now", for every cache of derived public data (whole
pages, map counts, the search index, API pages) and for the API's ETag and Last-Modified.

The version is a fingerprint of the record tables (row counts, link counts, newest change) read
from the database at most once per SURVMAP_DATA_VERSION_SECONDS and kept in the cache. Saves,
deletions and many-to-many changes forget it at once (through signals), so with a shared cache
(REDIS_URL) every process sees a change immediately; with per-process memory, other processes
see it within those seconds. Code that writes in bulk (bulk_create, update), which sends no
signals, should call `bump()` afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_KEY = "survmap:data-version"
CHANGED_KEY = "survmap:data-changed"
# Apps whose rows appear on public pages, in the map or in the API.
PUBLIC_DATA_APPS = frozenset({"records", "geo", "submissions"})
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


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
    from survmap.records.models import (
        Agency,
        Partnership,
        PolicyEvent,
        Source,
        Technology,
        Vendor,
    )

    parts = []
    newest = EPOCH
    for model in (Agency, Partnership, PolicyEvent, Source, Technology, Vendor):
        row = model.objects.aggregate(n=Count("pk"), newest=Max("updated_at"))
        parts.append(f"{model._meta.label}:{row['n']}:{row['newest']}")
        newest = max(newest, row["newest"] or EPOCH)
    for through in (
        Agency.counties.through,
        Partnership.sources.through,
        PolicyEvent.partnerships.through,
        PolicyEvent.sources.through,
    ):
        parts.append(f"{through._meta.label}:{through.objects.count()}")
    # A deletion or a new link changes a count but no updated_at: the time of the last change
    # this process (or, with Redis, any process) saw stands in for it.
    changed: dt.datetime | None = cache.get(CHANGED_KEY)
    if changed is not None:
        parts.append(changed.isoformat())
        newest = max(newest, changed)
    token = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
    return DataVersion(token=token, last_modified=newest.replace(microsecond=0))


def bump() -> None:
    cache.set(CHANGED_KEY, timezone.now(), timeout=None)
    cache.delete(VERSION_KEY)


def _on_change(sender: Any, **kwargs: Any) -> None:
    if sender._meta.app_label in PUBLIC_DATA_APPS:
        bump()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"survmap-data-version-{signal!r}")
