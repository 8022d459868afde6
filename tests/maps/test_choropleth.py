"""Class breaks for skewed counts, and which codes are regions."""

from survmap.geo.boundaries import Level
from survmap.maps.choropleth import class_breaks, level_for_fips, region_names


def test_breaks_give_skewed_counts_several_classes_not_one_pale_ramp():
    counts = [1] * 50 + [2] * 20 + [3] * 10 + [5] * 5 + [12, 40, 90]
    breaks = class_breaks(counts)
    assert breaks[0] == 1
    assert breaks[-1] == 90
    assert len(breaks) >= 4
    assert breaks == sorted(set(breaks))


def test_zero_is_not_a_class_and_no_counts_no_breaks():
    assert class_breaks([0, 0, 3]) == [3]
    assert class_breaks([]) == []


def test_two_digits_are_a_state_five_a_county():
    assert level_for_fips("26") == Level.STATE
    assert level_for_fips("26099") == Level.COUNTY
    assert level_for_fips("2609") is None
    assert level_for_fips("MI") is None
    assert region_names(Level.COUNTY)["35013"] == "Doña Ana County, NM"
