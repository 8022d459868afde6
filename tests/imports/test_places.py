"""The gazetteer: real places of every kind and size, checked against the census."""

from __future__ import annotations

import pytest

from survmap.imports.places import Gazetteer, Placement
from tests.imports.places_truth import PLACES


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


def test_at_least_95_percent_of_real_places_land_in_their_census_county_and_none_wrongly(
    gazetteer,
):
    assert len(PLACES) >= 100
    assert len({state for state, *_ in PLACES}) >= 50  # every state and DC
    right, wrong, unplaced = 0, [], []
    for state, city, county, expected in PLACES:
        placement = gazetteer.resolve(state=state, city=city, county=county)
        if placement.fips == expected:
            right += 1
        elif placement.fips:
            wrong.append((state, city, county, expected, placement.fips))
        else:
            unplaced.append((state, city, county, placement.problem))
    assert wrong == []
    assert right >= 0.95 * len(PLACES), unplaced


def test_a_name_several_places_in_the_state_share_is_ambiguous_not_guessed(gazetteer):
    placement = gazetteer.resolve(state="NC", city="Franklin")
    assert not placement.placed
    assert placement.problem.startswith("ambiguous")
    assert "Macon County" in placement.problem and "Rowan County" in placement.problem


def test_a_city_far_larger_than_its_namesakes_is_the_one_meant(gazetteer):
    assert gazetteer.resolve(state="TN", city="Franklin") == Placement(("47187",), "place")


def test_an_unknown_place_is_reported_with_its_name(gazetteer):
    placement = gazetteer.resolve(state="KS", city="Nowhereville")
    assert placement == Placement(problem="unknown place 'Nowhereville' in KS")


def test_a_place_in_another_state_is_not_found_by_its_name(gazetteer):
    # Brookline is a Massachusetts town; the gazetteer never looks outside the row's state.
    assert gazetteer.resolve(state="VT", city="Brookline").fips != ("25021",)


def test_an_unknown_county_name_falls_back_to_the_city_and_says_so_when_both_fail(gazetteer):
    assert gazetteer.resolve(state="AZ", city="Casa Grande", county="Pinalx Cnty").fips == (
        "04021",
    )
    placement = gazetteer.resolve(state="AZ", city="Nowhere", county="Atlantis County")
    assert not placement.placed
    assert "Atlantis County" in placement.problem and "Nowhere" in placement.problem


def test_nothing_given_is_no_place():
    assert Gazetteer(index={}).resolve(state="AZ") == Placement(problem="no city or county given")


def test_the_place_index_is_kept_as_tuples_the_collector_stops_tracking():
    """As lists, its 46,000 entries were walked by every full collection of the process."""
    import gc

    from survmap.imports.places import _frozen

    index = _frozen({"NC|franklin": [["37113", 3845, "Franklin"], ["37159", 1000, "Franklin"]]})
    entries = index["NC|franklin"]
    assert entries == (("37113", 3845, "Franklin"), ("37159", 1000, "Franklin"))
    gc.collect()
    gc.collect()  # the entries first, then the tuple that holds them
    assert not any(gc.is_tracked(entry) for entry in entries)
    assert not gc.is_tracked(entries)
