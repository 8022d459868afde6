"""County matching: the Atlas's county text placed in census counties, without a network."""

from __future__ import annotations

import pytest

from survmap.imports.counties import CountyMatcher


@pytest.fixture(scope="module")
def matcher() -> CountyMatcher:
    return CountyMatcher()


@pytest.mark.parametrize(
    ("state", "county", "city", "expected"),
    [
        ("CA", "San Bernadino County", "", ["06071"]),  # misspelt
        ("NY", "Onandaga County", "", ["36067"]),  # misspelt
        ("IL", "Ogle County, Winnebago County", "Rockford", ["17141", "17201"]),
        (
            "TX",
            "\u200eMontgomery County, \u200eFort Bend County\u200e, \u200eHarris County\u200e",
            "",
            ["48339", "48157", "48201"],
        ),
        ("LA", "St. John the Baptist Parish", "", ["22095"]),
        ("LA", "Orleans Parish", "", ["22071"]),
        ("AK", "Juneau Borough", "", ["02110"]),  # a City and Borough in the census
        ("AK", "Anchorage Borough", "", ["02020"]),  # a Municipality in the census
        ("AK", "Valdez-Cordova Borough", "", ["02261"]),  # a Census Area in the census
        ("VA", "", "Virginia Beach", ["51810"]),  # independent city: the Atlas leaves County empty
        ("VA", "Norfolk (city) County", "Norfolk", ["51710"]),
        ("VA", "Richmond County", "", ["51159"]),  # not Richmond city (51760)
        ("MD", "", "Baltimore", ["24510"]),  # Baltimore city, not Baltimore County
        ("MO", "", "St. Louis", ["29510"]),
        ("NV", "", "Carson City", ["32510"]),
        ("DC", "", "Washington", ["11001"]),
        ("PR", "Mayagüez County", "", ["72097"]),  # a Municipio; accents in the census name
        ("NM", "Dona Ana County", "", ["35013"]),
        ("MT", "Lewis and Clark County", "", ["30049"]),  # 'and' is part of the name
        ("WI", "Portage County ", "", ["55097"]),
    ],
)
def test_it_places_county_text_in_census_counties(
    matcher: CountyMatcher, state: str, county: str, city: str, expected: list[str]
) -> None:
    result = matcher.match(state=state, county=county, city=city)
    assert result.fips == expected
    assert not result.unmatched


def test_it_corrects_near_misses_only_within_the_state(matcher: CountyMatcher) -> None:
    result = matcher.match(state="CA", county="San Bernadino County")
    assert result.corrected == [("San Bernadino County", "San Bernardino County, CA")]
    # Monmouth County is in New Jersey; in Colorado it matches nothing, and says so.
    wrong_state = matcher.match(state="CO", county="Monmouth County")
    assert wrong_state.fips == []
    assert wrong_state.unmatched == ["Monmouth County"]
    assert wrong_state.named


def test_it_reports_what_it_cannot_match_and_keeps_the_rest(matcher: CountyMatcher) -> None:
    result = matcher.match(state="MN", county="Hennepin County, Duluth County")
    assert result.fips == ["27053"]
    assert result.unmatched == ["Duluth County"]
    assert not result.complete


def test_spreadsheet_placeholders_name_no_county(matcher: CountyMatcher) -> None:
    result = matcher.match(state="TX", county="#N/A")
    assert not result.named
    assert result.fips == []


def test_point_in_polygon_finds_the_county_of_coordinates(matcher: CountyMatcher) -> None:
    assert matcher.locate(latitude=42.4934, longitude=-83.0277) == "26099"  # Warren, MI
    assert matcher.locate(latitude=34.1083, longitude=-117.2898) == "06071"  # San Bernardino
    assert matcher.locate(latitude=36.8529, longitude=-75.9780) == "51810"  # Virginia Beach
    assert matcher.locate(latitude=30.0, longitude=-40.0) is None  # the Atlantic
