"""The bounded memo that replaced functools.lru_cache for per-cell functions."""

from __future__ import annotations

import gc

import pytest

from survmap.common import links
from survmap.common.memo import memo
from survmap.imports import counties, fields
from survmap.records import normalize


def test_a_result_is_computed_once_and_the_memo_stays_within_its_size():
    calls: list[str] = []

    @memo(maxsize=3)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [shout(text) for text in ["a", "b", "a", "a", "b"]] == ["A", "B", "A", "A", "B"]
    assert calls == ["a", "b"]
    for text in "cdefgh":
        shout(text)
    assert 1 <= len(shout.cache) <= 3  # type: ignore[attr-defined]
    assert shout("h") == "H" and calls[-1] == "h" and calls.count("h") == 1


def test_several_arguments_make_one_key_and_keywords_are_refused():
    @memo(maxsize=10)
    def join(first: str, second: str) -> str:
        return f"{first}+{second}"

    assert join("a", "b") == "a+b"
    assert join("b", "a") == "b+a"
    assert len(join.cache) == 2  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="by position"):
        join("a", second="b")  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        memo(maxsize=0)


def test_a_failure_is_not_remembered():
    attempts: list[str] = []

    @memo(maxsize=10)
    def fragile(text: str) -> str:
        attempts.append(text)
        if len(attempts) == 1:
            raise ValueError("first time")
        return text

    with pytest.raises(ValueError):
        fragile("x")
    assert fragile("x") == "x"
    assert attempts == ["x", "x"]


@pytest.mark.parametrize(
    "function, text",
    [
        (normalize._normalized, "Warren Police Dept."),
        (links._is_http_url, "https://example.org/a"),
        (counties.county_key, "Saint Louis County"),
    ],
)
def test_a_memo_of_strings_and_flags_is_invisible_to_the_garbage_collector(function, text):
    """What replacing lru_cache was for: its entries were lists the collector walks at every
    full collection; a dict of strings and flags is not tracked at all."""
    function.cache.clear()
    for number in range(200):
        function(f"{text} {number}")
    assert len(function.cache) == 200
    assert not gc.is_tracked(function.cache)


def test_a_memoized_date_reading_follows_the_day_it_is_read_on():
    """Two-digit years are read as of a day: the memo keys on it, so a reading made on
    31 December is not served on 1 January."""
    import datetime as dt

    before = fields.read_date("3/22/26", today=dt.date(2025, 12, 31))
    after = fields.read_date("3/22/26", today=dt.date(2026, 3, 23))
    assert before.value is not None and before.value.year == 1926
    assert after.value is not None and after.value.year == 2026
    assert fields.read_date("3/22/26", today=dt.date(2025, 12, 31)) is before
