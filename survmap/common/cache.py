"""A Redis cache that treats an unreachable Redis as an empty cache, so the site answers from
the database instead of failing with the cache; and the counters of the rate limits, which fall
back to each process's memory while Redis is down (`limit_counters`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)
T = TypeVar("T")


class TolerantRedisCache(RedisCache):
    """Django's RedisCache, except that a connection failure or a timeout is logged and answered
    as a miss (reads) or ignored (writes).

    After a failure the cache is skipped for `RETRY_AFTER` seconds (option, default 5), so an
    outage costs one short timeout per worker every few seconds rather than one per cache call.
    Socket timeouts are short by default: a slow cache must never be slower than the database.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5.0))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.25)
        # redis-py retries with backoff by default; during an outage that would stall requests.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if self.is_down:
            return fallback
        try:
            return call()
        except OUTAGE_ERRORS as error:
            with self._lock:
                self._down_until = time.monotonic() + self.retry_after
            logger.warning(
                "Cache unavailable during %s (%s); serving without it for %.0f s",
                operation,
                error,
                self.retry_after,
            )
            return fallback

    def add(
        self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._guard(
            "add", lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(
            "get", lambda: super(TolerantRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(
            "set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(
            "touch", lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "delete", lambda: super(TolerantRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard(
            "get_many", lambda: super(TolerantRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "has_key", lambda: super(TolerantRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        missing = object()
        result = self._guard(
            "incr", lambda: super(TolerantRedisCache, self).incr(key, delta, version), missing
        )
        if result is missing:
            # Django's contract for a key the cache does not hold.
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result  # type: ignore[return-value]

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        return self._guard(
            "set_many",
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        keys = list(keys)
        self._guard(
            "delete_many", lambda: super(TolerantRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        self._guard("clear", lambda: super(TolerantRedisCache, self).clear(), None)


class LimitCounters:
    """Where the rate limits count (tips, claims, reports, signups, the API's throttles, the
    expensive pages' allowance): the shared cache, or, while it is down, this process's memory.

    A limit that stopped counting when Redis stopped would be off for anyone who can make Redis
    slow (8 tips stored against 5 an hour): during an outage each process counts on its own, so
    a client gets at most the allowance once per worker process, and the limits hold again in
    full when Redis is back. The counters are not copied either way: an outage starts and ends
    with fresh windows. Reads and writes of the site itself are not refused.

    The methods are those of Django's cache that the limits use (DRF's throttles call `get` and
    `set`; survmap's counters `add`, `incr`, `decr` and `get`)."""

    LOCAL = "survmap-limit-counters"

    def __init__(self) -> None:
        # LocMemCache instances of one name share their store within the process.
        self.local = LocMemCache(self.LOCAL, {"OPTIONS": {"MAX_ENTRIES": 100_000}})

    @staticmethod
    def _shared() -> Any:
        from django.core.cache import cache

        return cache

    def _call(self, operation: Callable[[Any], T]) -> T:
        shared = self._shared()
        if not getattr(shared, "is_down", False):
            try:
                result = operation(shared)
            except ValueError:
                # A missing key (Django's contract for incr/decr), or the outage answered so.
                if not getattr(shared, "is_down", False):
                    raise
            else:
                if not getattr(shared, "is_down", False):
                    return result
        return operation(self.local)

    def add(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> bool:
        return self._call(lambda store: bool(store.add(key, value, timeout)))

    def incr(self, key: str, delta: int = 1) -> int:
        return self._call(lambda store: int(store.incr(key, delta)))

    def decr(self, key: str, delta: int = 1) -> int:
        return self._call(lambda store: int(store.decr(key, delta)))

    def get(self, key: str, default: Any = None) -> Any:
        return self._call(lambda store: store.get(key, default))

    def set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self._call(lambda store: store.set(key, value, timeout))


limit_counters = LimitCounters()
