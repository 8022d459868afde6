"""The data version that every public cache keys on: stable while nothing changes, new after any
change, even one made by another process whose signal this process never saw."""

import pytest
from django.core.cache import cache

from survmap.common import data_version
from tests.factories import PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_version_is_stable_while_nothing_changes():
    PartnershipFactory()
    cache.clear()
    first = data_version.current()
    cache.delete(data_version.VERSION_KEY)  # as when the cached version expires
    assert data_version.current() == first


@pytest.mark.parametrize("change", ["edit", "delete", "new_link"])
def test_a_change_made_elsewhere_gives_a_new_version_once_the_cached_one_expires(change):
    partnership = PartnershipFactory()
    before = data_version.current().token
    if change == "edit":
        partnership.summary = "Edited by another process."
        partnership.save()
    elif change == "delete":
        partnership.delete()
    else:
        partnership.sources.add(SourceFactory())
    # Another process saw no signal: only the database can tell it.
    cache.clear()
    assert data_version.current().token != before


def test_last_modified_follows_the_newest_change():
    partnership = PartnershipFactory()
    cache.clear()
    first = data_version.current().last_modified
    partnership.summary = "Later."
    partnership.save()
    assert data_version.current().last_modified >= first
    newest = partnership.history.latest("history_date").history_date
    assert data_version.current().last_modified == newest.replace(microsecond=0)
