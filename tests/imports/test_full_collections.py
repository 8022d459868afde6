"""An import holds every row's plan for the whole run: no full collection walks them."""

from __future__ import annotations

import pytest

from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import AtlasFile
from tests.records.writing.test_collector import full_collections  # noqa: F401 - a fixture


@pytest.mark.django_db
def test_an_import_runs_without_a_full_collection(
    atlas: AtlasFile,
    full_collections: list[int],  # noqa: F811 - the fixture
) -> None:
    importer = AtlasImporter(atlas.rows[:300])  # reads the census counties: not the run
    full_collections.clear()
    report = importer.run()
    assert report.created > 250
    assert full_collections == []
