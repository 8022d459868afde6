"""Bulk work and the garbage collector (`batch.plans_held`).

CPython's cyclic collector runs a full collection each time the objects that survived the young
generations grow by a quarter, and a full collection walks every tracked object there is. An
import holds every row's parsed plan (some 20 objects a row) for the whole run, and loads the
records the rows name: the heap grows steadily, so full collections come again and again, each
walking everything the import holds. In a read-back of the 2020 Atlas (5,782 rows, every one
unchanged) they took 0.2-0.3 s of 1.7 s. None of it frees anything: the plans live until the
run ends, and a record's cycles (if any) are short-lived ones that the young collections free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# The count of middle-generation collections before a full one: never reached in one import.
_DEFERRED = 1_000_000_000


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Run the body with the young generations collected as usual (garbage cycles made and
    dropped within a batch are still freed) but no automatic full collection; the thresholds
    are put back after, and the next full collection comes as it would have."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _DEFERRED)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
