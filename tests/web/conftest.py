"""Each test starts with an empty cache: the rolled-back data of an earlier test sends no signal."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()
