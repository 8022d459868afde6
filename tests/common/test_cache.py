"""With the cache down, the site still answers, from the database."""

from __future__ import annotations

import logging
import socket

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from survmap.common.cache import limit_counters
from tests.common.tcp_proxy import TcpProxy, free_port
from tests.conftest import require_or_skip
from tests.factories import PartnershipFactory


def tolerant_cache(url: str) -> dict:
    return {"default": {"BACKEND": "survmap.common.cache.TolerantRedisCache", "LOCATION": url}}


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_settings_use_the_outage_tolerant_backend_for_redis(monkeypatch):
    import importlib

    import survmap.settings as settings_module

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.CACHES["default"]["BACKEND"] == "survmap.common.cache.TolerantRedisCache"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(settings_module)


def test_an_unreachable_redis_is_answered_as_a_miss_and_logged(caplog):
    with override_settings(CACHES=tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")):
        with caplog.at_level(logging.WARNING, logger="survmap.common.cache"):
            cache.set("k", "v")
            assert cache.get("k", "fallback") == "fallback"
            assert cache.get_or_set("k2", lambda: "computed") == "computed"
            assert cache.get_many(["a", "b"]) == {}
            assert cache.add("k3", 1) is False
            with pytest.raises(ValueError):
                cache.incr("counter")
        assert "Cache unavailable" in caplog.text


@pytest.mark.django_db
def test_the_site_answers_from_the_database_while_redis_is_unreachable():
    partnership = PartnershipFactory()
    url = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(CACHES=tolerant_cache(url), SURVMAP_PAGE_CACHE_SECONDS=60):
        response = Client().get(reverse("web:table"))
    assert response.status_code == 200
    assert partnership.agency.name in response.content.decode()


@pytest.mark.django_db
def test_the_site_keeps_answering_when_a_real_redis_goes_away_and_uses_it_again_after():
    require_or_skip(redis_is_running(), "no Redis server on 127.0.0.1:6379")
    partnership = PartnershipFactory()
    proxy = TcpProxy("127.0.0.1", 6379).start()
    settings = tolerant_cache(f"redis://127.0.0.1:{proxy.port}/0")
    settings["default"]["KEY_PREFIX"] = f"survmap-test-{proxy.port}"
    settings["default"]["OPTIONS"] = {"RETRY_AFTER": 0}
    try:
        with override_settings(CACHES=settings, SURVMAP_PAGE_CACHE_SECONDS=60):
            client = Client()
            home = reverse("web:table")
            cache.set("probe", "up")
            assert cache.get("probe") == "up"  # really talking to Redis
            assert client.get(home).status_code == 200

            proxy.stop()
            assert cache.get("probe") is None
            response = client.get(home)
            assert response.status_code == 200
            assert partnership.agency.name in response.content.decode()

            proxy.start()
            assert cache.get("probe") == "up"
            assert client.get(home).status_code == 200
            # Only this test's keys: clear() would flush a Redis database it did not create.
            redis = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
            for key in redis.scan_iter(match=f"survmap-test-{proxy.port}:*"):
                redis.delete(key)
    finally:
        proxy.stop()


@pytest.mark.django_db
def test_with_redis_down_the_api_throttle_still_counts():
    url = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(CACHES=tolerant_cache(url), SURVMAP_API_ANON_RATE="3/min"):
        answers = [
            Client().get(reverse("api:technology-list"), REMOTE_ADDR="198.51.100.202").status_code
            for _ in range(4)
        ]
    assert answers == [200, 200, 200, 429]


def test_the_limit_counters_use_the_shared_cache_while_it_is_up():
    limit_counters.add("survmap:test-counter", 0, 60)
    assert limit_counters.incr("survmap:test-counter") == 1
    # Counted in the shared cache, not in the process's fallback.
    assert cache.get("survmap:test-counter") == 1
    assert limit_counters.local.get("survmap:test-counter") is None
    with pytest.raises(ValueError):
        limit_counters.incr("survmap:no-such-counter")
