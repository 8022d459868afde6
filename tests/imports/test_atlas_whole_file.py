"""The whole 2020 Atlas export, imported once for this module (and rolled back after it): the
county matching rate, the rejected rows, attribution and history, and a re-import that changes
nothing."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from survmap.imports.atlas import AtlasImporter, canonical_atlas_id
from survmap.imports.counties import county_key, split_kind
from survmap.imports.readers import AtlasFile, read_atlas
from survmap.imports.report import ImportReport
from survmap.records.models import ATLAS_ATTRIBUTION, Agency, Partnership, Source
from tests.conftest import ATLAS_CSV, require_or_skip

pytestmark = [pytest.mark.atlas, pytest.mark.django_db]


@dataclass
class Imported:
    atlas: AtlasFile
    first: ImportReport
    again: ImportReport
    counts_first: tuple[int, int, int]
    counts_again: tuple[int, int, int]
    agency_counties: dict[str, set[str]]  # atlas id -> FIPS codes of its agency
    county_names: dict[str, str]


def _counts() -> tuple[int, int, int]:
    return (Agency.objects.count(), Partnership.objects.count(), Source.objects.count())


@pytest.fixture(scope="module")
def imported(django_db_setup: None, django_db_blocker: Any) -> Iterator[Imported]:
    require_or_skip(ATLAS_CSV.exists(), f"the Atlas export is not at {ATLAS_CSV}")
    atlas = read_atlas(ATLAS_CSV)
    today = dt.date(2026, 11, 23)
    # The import stays in one transaction, rolled back after the module: other tests see none.
    with django_db_blocker.unblock(), transaction.atomic():
        first = AtlasImporter(atlas, today=today).run()
        counts_first = _counts()
        again = AtlasImporter(atlas, today=today).run()
        counts_again = _counts()
        agency_counties = {
            partnership.atlas_id: {county.fips for county in partnership.agency.counties.all()}
            for partnership in Partnership.objects.select_related("agency").prefetch_related(
                "agency__counties"
            )
        }
        from survmap.geo.models import County

        names = {county.fips: county.name for county in County.objects.all()}
        yield Imported(atlas, first, again, counts_first, counts_again, agency_counties, names)
        transaction.set_rollback(True)


def test_every_row_is_imported_or_rejected_with_a_reason(imported: Imported) -> None:
    first = imported.first
    assert first.rows_read == 5784
    assert first.created + first.rejected_count == 5784
    # Only the row without a state (the literal 'NA') and the repeated row id are refused.
    assert first.created >= 5782
    assert first.rejected == {"unknown state": 1, "duplicate row id": 1}
    # What could not be read is listed by line and column, from rows that were kept.
    dropped = {(warning.column, warning.value) for warning in first.warnings}
    assert ("Link 2 Date", "9/21/0206") in dropped
    assert ("Link 1 Date", "19, 2018") in dropped
    # A county of another state ('Hennepin County', MT) is never placed across the border.
    assert ("County", "Hennepin County") in dropped
    assert len(first.warned_lines) < 20
    assert imported.counts_first[1] == first.created


def test_importing_the_whole_file_again_changes_nothing(imported: Imported) -> None:
    again = imported.again
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == imported.first.created
    assert imported.counts_again == imported.counts_first


def _plausible(text: str, census_name: str) -> bool:
    """Independent of the matcher: the census name is the named county, spelt nearly alike."""
    named, _ = split_kind(county_key(text))
    named = re.sub(r"\bcity\b", "", named).strip()
    census = county_key(census_name)
    return difflib.SequenceMatcher(None, named, census).ratio() >= 0.75


def test_at_least_98_percent_of_agencies_naming_a_county_get_the_right_fips(
    imported: Imported,
) -> None:
    right = wrong = 0
    for row in imported.atlas.rows:
        atlas_id = canonical_atlas_id(row.get("AOSNUMBER"))
        county_text = re.sub(r"[\u200e\u200f\ufeff]", "", row.get("County")).strip()
        if atlas_id not in imported.agency_counties or county_text in {"", "#N/A"}:
            continue
        fips = imported.agency_counties[atlas_id]
        pieces = [piece for piece in county_text.split(",") if piece.strip()]
        names = [imported.county_names[code] for code in fips]
        if all(any(_plausible(piece, name) for name in names) for piece in pieces):
            right += 1
        else:
            wrong += 1
    assert right + wrong > 5600
    assert right / (right + wrong) >= 0.98, (right, wrong)


@pytest.mark.parametrize(
    ("atlas_id", "expected"),
    [
        ("AOS0893", {"06071"}),  # 'San Bernadino County'
        ("AOS0662", {"36067"}),  # 'Onandaga County'
        ("AOS0118", {"51570"}),  # Colonial Heights, an independent Virginia city, no county
        ("AOS0275", {"22057"}),  # Lafourche Parish
        ("AOS0408", {"02110"}),  # 'Juneau Borough'
        ("AOS0002", {"17141", "17201"}),  # 'Ogle County, Winnebago County'
        ("AOS0251", {"48201"}),  # U+200E around Harris County
        # County text the census lacks: the gazetteer places the city instead.
        ("AOS2805", {"30093"}),  # 'Butte County, Silver Bow County': Butte-Silver Bow
        ("AOS2519", {"55109"}),  # 'Croix County': Hudson, in St. Croix County
        ("AOS3882", {"34029"}),  # 'Nassau County', NJ: Bayville, in Ocean County
        ("AOS4399", {"48027"}),  # '#N/A': Morgans Point Resort, in Bell County
    ],
)
def test_tricky_counties_get_their_known_fips(
    imported: Imported, atlas_id: str, expected: set[str]
) -> None:
    assert expected <= imported.agency_counties[atlas_id]


def test_every_imported_record_carries_the_atlas_credit_and_history(imported: Imported) -> None:
    with transaction.atomic():
        assert not Partnership.objects.exclude(attribution=ATLAS_ATTRIBUTION).exists()
        assert not Agency.objects.exclude(attribution=ATLAS_ATTRIBUTION).exists()
        assert not Source.objects.exclude(attribution=ATLAS_ATTRIBUTION).exists()
        assert Partnership.history.filter(history_type="+").count() == imported.first.created
        assert not Source.objects.exclude(url__regex=r"^https?://").exists()
        # Kept as a browser opens them: an underscore in the host, an address without scheme.
        assert Source.objects.filter(
            url__startswith="https://granicus_production_attachments.s3.amazonaws.com/"
        ).exists()
        assert Source.objects.filter(
            url__startswith="http://www.thenewsgramonline.dyndns.org:81/"
        ).exists()
