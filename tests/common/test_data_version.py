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


@pytest.mark.django_db
def test_cache_keys_stay_valid_for_any_name_and_apart_for_different_names():
    short = data_version.cache_key("aggregates", "region:48|status=active")
    assert short.endswith(":region:48|status=active")
    long_one = "region:48|" + "q=" + "x" * 500
    other = "region:48|" + "q=" + "x" * 499 + "y"
    spaced = "region:48|q=police department"
    keys = [data_version.cache_key("aggregates", name) for name in (long_one, other, spaced)]
    assert all(len(key) <= 250 and key.isascii() and " " not in key for key in keys)
    assert len(set(keys)) == 3
    assert data_version.current().token in keys[0]


@pytest.mark.django_db
def test_a_page_with_a_long_filter_caches_without_a_key_warning(client):
    import warnings

    from django.core.cache import CacheKeyWarning

    PartnershipFactory()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.get("/table/", {"q": "police " * 70})
        assert response.status_code == 200
        response = client.get("/regions/26/", {"q": "police " * 70})
        assert response.status_code in (200, 404)
