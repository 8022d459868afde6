"""A cheap version of the public data, for ETag and Last-Modified: the newest change and the row
counts of every public table, computed at most once per few seconds and forgotten on any write."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.http import condition

from survmap.records.models import Agency, Partnership, PolicyEvent, Source, Technology, Vendor

CACHE_KEY = "survmap:api:data-version"
# Bulk writes (importers, the benchmark generator) send no signals; they show within this time.
# Writes through the ORM forget the version at once (see connect_signals).
CACHE_SECONDS = 60
TRACKED = (Agency, Partnership, PolicyEvent, Source, Technology, Vendor)


@dataclass(frozen=True)
class DataVersion:
    token: str
    last_modified: dt.datetime


def current() -> DataVersion:
    version: DataVersion | None = cache.get(CACHE_KEY)
    if version is None:
        version = _compute()
        cache.set(CACHE_KEY, version, CACHE_SECONDS)
    return version


def _compute() -> DataVersion:
    parts = []
    newest = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for model in TRACKED:
        row = model.objects.aggregate(n=Count("pk"), newest=Max("updated_at"))
        parts.append(f"{model._meta.label}:{row['n']}:{row['newest']}")
        if row["newest"] is not None and row["newest"] > newest:
            newest = row["newest"]
    # A deletion changes a count, not the newest time: count it as a change now.
    changed = cache.get(CACHE_KEY + ":changed")
    if changed is not None and changed > newest:
        newest = changed
    token = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
    return DataVersion(token=token, last_modified=newest.replace(microsecond=0))


def forget(*args: Any, **kwargs: Any) -> None:
    cache.set(CACHE_KEY + ":changed", timezone.now(), None)
    cache.delete(CACHE_KEY)


def connect_signals() -> None:
    for model in TRACKED:
        post_save.connect(forget, sender=model, dispatch_uid=f"api-version-save-{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"api-version-del-{model.__name__}")
    for through in (
        Agency.counties.through,
        Partnership.sources.through,
        PolicyEvent.sources.through,
        PolicyEvent.partnerships.through,
    ):
        m2m_changed.connect(forget, sender=through, dispatch_uid=f"api-version-m2m-{through}")


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    # The same data in another format or for another query is another representation.
    key = "|".join(
        (
            current().token,
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.META.get("HTTP_ACCEPT", ""),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime:
    return current().last_modified


def conditional(view: Callable[..., Any]) -> Callable[..., Any]:
    """ETag and Last-Modified on a view's answers, and 304 Not Modified when they match."""
    return condition(etag_func=_etag, last_modified_func=_last_modified)(view)
