"""A bounded memo for pure functions of a few hashable arguments, such as a cell's text.

`functools.lru_cache` keeps each entry in a node of a linked list, and each node is a Python
list, which the garbage collector tracks: a cache of 16,384 names is 16,384 more objects that
every full collection walks for the life of the process. `memo` keeps results in a plain dict
and, when it is full, empties it: an import asks again for what it asked a few rows before
(the 2020 Atlas read back: 25,567 date cells, 1,141 distinct), so the entries that matter come
straight back. A dict whose keys and values are all strings, numbers or flags is not tracked
by the collector at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import ParamSpec, TypeVar

Args = ParamSpec("Args")
Result = TypeVar("Result")


def memo(maxsize: int) -> Callable[[Callable[Args, Result]], Callable[Args, Result]]:
    """Memoize a pure function called with positional arguments only, keeping at most
    `maxsize` results. Its results are shared between callers: they must be immutable."""
    if maxsize < 1:
        raise ValueError("maxsize must be at least 1")

    def decorate(function: Callable[Args, Result]) -> Callable[Args, Result]:
        results: dict[Hashable, Result] = {}

        @functools.wraps(function)
        def memoized(*args: Args.args, **kwargs: Args.kwargs) -> Result:
            if kwargs:
                raise TypeError(f"{function.__name__} is memoized: pass its arguments by position")
            key = args[0] if len(args) == 1 else args
            try:
                return results[key]
            except KeyError:
                pass
            value = function(*args, **kwargs)
            if len(results) >= maxsize:
                results.clear()
            results[key] = value
            return value

        memoized.cache = results  # type: ignore[attr-defined]
        return memoized

    return decorate
