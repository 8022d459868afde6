"""One version number for "the public data as it is now", kept in the shared cache.

Every cache of derived public data (whole pages, map counts, the search index) puts this version
in its keys, so a change to any record makes them all stale at once. Saves, deletions and
many-to-many changes bump it through signals; code that writes in bulk (bulk_create, update),
which sends no signals, must call `bump()` itself.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "survmap:data-version"
# Apps whose rows appear on public pages, in the map or in the API.
PUBLIC_DATA_APPS = frozenset({"records", "geo", "submissions"})


def current() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # add(), not set(): processes starting together agree on one version.
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(VERSION_KEY) or "0"
    return str(version)


def bump() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)


def _on_change(sender: Any, **kwargs: Any) -> None:
    if sender._meta.app_label in PUBLIC_DATA_APPS:
        bump()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"survmap-data-version-{signal!r}")
