"""A data version for the public site's caches: bumped whenever a record changes, so cached map
counts and search entries are dropped as soon as the data they summarise changes."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from survmap.records.models import Agency, Partnership, PolicyEvent, Source, Technology, Vendor

DATA_VERSION_KEY = "survmap:data-version"
# Long enough that a warm map never recomputes; the version, not the timeout, keeps it fresh.
CACHE_SECONDS = 24 * 60 * 60


def data_version() -> str:
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex[:12]
        # add(), not set(): two processes starting together agree on one version.
        cache.add(DATA_VERSION_KEY, version, timeout=None)
        version = cache.get(DATA_VERSION_KEY, version)
    return str(version)


def bump_data_version(**kwargs: Any) -> None:
    """Signal receiver: any change to a public record makes every cached summary stale."""
    cache.set(DATA_VERSION_KEY, uuid.uuid4().hex[:12], timeout=None)


RECORD_MODELS = (Agency, Partnership, PolicyEvent, Source, Technology, Vendor)
M2M_THROUGH = (
    Agency.counties.through,
    Partnership.sources.through,
    PolicyEvent.partnerships.through,
    PolicyEvent.sources.through,
)


def connect_signals() -> None:
    for model in RECORD_MODELS:
        post_save.connect(bump_data_version, sender=model, dispatch_uid=f"survmap-dv-save-{model}")
        post_delete.connect(
            bump_data_version, sender=model, dispatch_uid=f"survmap-dv-delete-{model}"
        )
    for through in M2M_THROUGH:
        m2m_changed.connect(bump_data_version, sender=through, dispatch_uid=f"survmap-dv-{through}")
