"""Full collections deferred during an import (survmap.records.writing._collector)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from survmap.records.writing._collector import full_collections_deferred


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """Counts the collector's full collections (generation 2) while a test runs. What exists
    is frozen first, as in a serving process after warm-up (the test process holds far more
    than an import would: the collector's rule of a quarter more would hide the import), and
    the thresholds are low, so that holding a few thousand objects causes several."""
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.collect()  # of nothing: the collector's count of long-lived objects starts again
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _hold(count: int) -> list[dict[str, list[int]]]:
    return [{"cell": [number]} for number in range(count)]


def test_holding_many_objects_causes_full_collections_outside_the_block(full_collections):
    # The test below means something only if this one sees full collections.
    held = _hold(20_000)
    assert len(held) == 20_000
    assert full_collections


def test_no_full_collection_runs_inside_the_block_and_the_thresholds_come_back(
    full_collections,
):
    before = gc.get_threshold()
    with full_collections_deferred():
        held = _hold(20_000)
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > 10**6
    assert len(held) == 20_000
    assert full_collections == []
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), full_collections_deferred():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == before
