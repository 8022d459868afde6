"""Place an agency in its census counties from the county and city text an Atlas row gives.

The Atlas writes counties as people do: 'San Bernadino County', 'Onandaga County', 'Juneau
Borough', '\u200eHarris County\u200e', 'Ogle County, Winnebago County', and leaves the county
empty for independent cities (Virginia Beach, Baltimore, St. Louis). The census list (plotly-geo's
county shapefile) is the reference; anything that cannot be placed is reported, never guessed
outside the row's state. Where a row has coordinates, point-in-polygon decides.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from survmap.common.memo import memo
from survmap.geo import census
from survmap.records.normalize import clean_text

# Longest first, so that 'city and borough' is not read as 'borough'.
_SUFFIXES = (
    "city and borough",
    "census area",
    "municipality",
    "municipio",
    "borough",
    "county",
    "parish",
    "district",
    "island",
    "city",
)
_PREFIXES = {"city of ": "city", "county of ": "county", "parish of ": "parish"}
# A spelling close enough to be the same county (difflib ratio); 'Onandaga' ~ 'Onondaga' is 0.88.
FUZZY_CUTOFF = 0.8
_INDEPENDENT = "city"


_NO_COUNTY = {"na", "n a", "none", "unknown"}


@memo(maxsize=65_536)  # the same few thousand names, again and again per import
def county_key(text: str) -> str:
    """Lower case, no accents, no invisible characters or punctuation; 'Saint' read as 'St'."""
    text = unicodedata.normalize("NFKD", clean_text(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"\bsaint\b", "st", text)


def split_kind(key: str) -> tuple[str, str]:
    """('san bernardino', 'county') from 'san bernardino county'; ('x', '') without a suffix."""
    for prefix, kind in _PREFIXES.items():
        if key.startswith(prefix):
            return key[len(prefix) :], kind
    for suffix in _SUFFIXES:
        if key.endswith(" " + suffix):
            return key[: -len(suffix) - 1], suffix
    return key, ""


@dataclass(frozen=True)
class _Entry:
    fips: str
    base: str
    kind: str
    full: str


@dataclass
class CountyMatch:
    """The counties a row names: those found, the text that matched nothing, the near misses."""

    fips: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    corrected: list[tuple[str, str]] = field(default_factory=list)
    named: bool = False
    located: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.fips) and not self.unmatched

    def add(self, fips: str) -> None:
        if fips not in self.fips:
            self.fips.append(fips)


class CountyMatcher:
    """Matches county text to census counties within one state. Build it once per import."""

    def __init__(self, counties: Iterable[census.CensusCounty] | None = None) -> None:
        codes = {state.fips: state.code for state in census.states()}
        self._by_state: dict[str, dict[str, list[_Entry]]] = defaultdict(lambda: defaultdict(list))
        self._full: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self._count: dict[str, int] = defaultdict(int)
        self.names: dict[str, str] = {}
        for county in counties if counties is not None else census.counties():
            state = codes.get(county.state_fips)
            if state is None:
                continue
            full = county_key(county.full_name)
            base = county_key(county.name)
            kind = full[len(base) :].strip()
            entry = _Entry(fips=county.fips, base=base, kind=kind, full=full)
            self._by_state[state][base].append(entry)
            self._full[state][full] = entry
            self._count[state] += 1
            self.names[county.fips] = f"{county.full_name}, {state}"

    def match(self, *, state: str, county: str, city: str = "") -> CountyMatch:
        """The counties named by a row's County text; with none named, an independent city
        (or the only county of DC) from its City text."""
        result = CountyMatch()
        text = clean_text(county)
        if county_key(text) in _NO_COUNTY:  # '#N/A', 'NA': a spreadsheet's empty cell
            text = ""
        if not text:
            self._match_city(state, city, result)
            return result
        result.named = True
        for piece in re.split(r"[,;]", text):
            if not county_key(piece):
                continue
            entry = self._one(state, piece, result)
            if entry is None and re.search(r"/|&|\band\b", piece):
                parts = [part for part in re.split(r"/|&|\band\b", piece) if county_key(part)]
                found = [self._one(state, part, result) for part in parts]
                if all(found):
                    for item in found:
                        result.add(item.fips)  # type: ignore[union-attr]
                    continue
            if entry is None:
                result.unmatched.append(piece.strip())
            else:
                result.add(entry.fips)
        return result

    def _one(self, state: str, text: str, result: CountyMatch) -> _Entry | None:
        key = county_key(text)
        exact = self._full[state].get(key)
        if exact is not None:
            return exact
        base, kind = split_kind(key)
        entry = self._pick(state, base, kind) or self._pick(state, key, "")
        if entry is None and base.endswith(" city"):
            # 'Norfolk (city) County': the Atlas's way of naming an independent city.
            entry = self._pick(state, base[: -len(" city")], _INDEPENDENT)
        if entry is not None:
            return entry
        close = difflib.get_close_matches(
            base, list(self._by_state[state]), n=1, cutoff=FUZZY_CUTOFF
        )
        if not close:
            # 'Mille Lacs Coutny': the misspelling is in the suffix, so compare whole names.
            full = difflib.get_close_matches(key, list(self._full[state]), n=1, cutoff=0.9)
            if full:
                entry = self._full[state][full[0]]
                result.corrected.append((text.strip(), self.names[entry.fips]))
                return entry
        if close:
            entry = self._pick(state, close[0], kind)
            if entry is not None:
                result.corrected.append((text.strip(), self.names[entry.fips]))
            return entry
        return None

    def _pick(self, state: str, base: str, kind: str) -> _Entry | None:
        """Of the counties sharing a name (Richmond County and Richmond city, VA), the one of
        the kind the text says; without a kind, the county rather than the independent city."""
        entries = self._by_state[state].get(base, [])
        if len(entries) <= 1:
            return entries[0] if entries else None
        same = [entry for entry in entries if entry.kind == kind]
        if same:
            return same[0]
        return next((entry for entry in entries if entry.kind != _INDEPENDENT), entries[0])

    def _match_city(self, state: str, city: str, result: CountyMatch) -> None:
        key = county_key(city)
        if not key:
            return
        if self._count[state] == 1:  # DC is its own county
            result.add(next(iter(self._full[state].values())).fips)
            return
        base, _ = split_kind(key)
        for candidate in (key, base):
            entries = [
                entry
                for entry in self._by_state[state].get(candidate, [])
                if entry.kind == _INDEPENDENT or entry.full == key
            ]
            if entries:
                result.add(entries[0].fips)
                return

    @cached_property
    def _frame(self) -> Any:
        from survmap.geo.boundaries import Level, frame

        data = frame(Level.COUNTY)
        data.sindex  # noqa: B018  # build the spatial index once, not per point
        return data

    def locate(self, *, latitude: float, longitude: float) -> str | None:
        """The FIPS code of the county containing the point, or None (at sea, abroad)."""
        import shapely

        data = self._frame
        point = shapely.Point(longitude, latitude)
        hits = data.sindex.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return str(data["fips"].iloc[int(sorted(hits)[0])])
