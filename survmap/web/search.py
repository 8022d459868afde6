"""The one search box: agencies, cities, counties, states, technologies and vendors, ranked,
tolerant of case and accents, on any database (names are folded in Python, not with unaccent)."""

from __future__ import annotations

import functools
import heapq
import logging
import pickle
import re
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connections
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from survmap.common import data_version
from survmap.geo import census
from survmap.geo.boundaries import Level
from survmap.imports.places import city_counties_ranked
from survmap.maps.regions import region_counts
from survmap.records.models import (
    Agency,
    Partnership,
    PolicyEvent,
    PolicyEventKind,
    Technology,
    Vendor,
)
from survmap.web.search_aliases import TECHNOLOGY_ALIASES, agency_aliases

logger = logging.getLogger(__name__)

MAX_RESULTS = 12
# At most this many of one kind while other kinds match too: "Warren" names a dozen counties,
# and the city of Warren, its police and its Ring partnership must still show.
MAX_PER_KIND = 5
# Ties are broken by what a reader most likely means: places before things, and a city before
# the county that shares its name.
# A kind with at most this many lines holding the rarest word is ranked whole; with more, tier
# by tier, stopping when the kind has enough.
FEW = 200
KIND_ORDER = {
    "city": 0,
    "state": 1,
    "county": 2,
    "agency": 3,
    "technology": 4,
    "vendor": 5,
    "event": 6,
}


def fold(text: str) -> str:
    """Lower case, accents and punctuation gone: 'Doña Ana' and 'dona ana' are one key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass(frozen=True)
class Entry:
    kind: str
    label: str
    detail: str
    url: str
    fips: str
    key: str
    # Agencies with sourced partnerships there (places) or with it (technologies, vendors).
    count: int | None = None
    # Searchable, never shown: the state's full name, aliases (survmap.web.search_aliases).
    also: str = ""

    def as_json(self) -> dict[str, str | int | None]:
        return {
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
            "url": self.url,
            "fips": self.fips,
            "count": self.count,
        }


def _region_url(fips: str) -> str:
    return reverse("web:region", kwargs={"fips": fips})


def build_index() -> list[Entry]:
    entries: list[Entry] = []
    codes = {}
    public = Partnership.objects.public()
    per_state = region_counts(public, Level.STATE)
    per_county = region_counts(public, Level.COUNTY)
    state_names = {}
    state_fips = {}
    for state in census.states():
        codes[state.fips] = state.code
        state_fips[state.code] = state.fips
        state_names[state.code] = state.name
        entries.append(
            Entry(
                "state",
                state.name,
                state.code,
                _region_url(state.fips),
                state.fips,
                "",
                per_state.get(state.fips, 0),
            )
        )
    county_names = {}
    for county in census.counties():
        label = f"{county.full_name}, {codes[county.state_fips]}"
        county_names[county.fips] = label
        entries.append(
            Entry(
                "county",
                label,
                "",
                _region_url(county.fips),
                county.fips,
                "",
                per_county.get(county.fips, 0),
                state_names.get(codes[county.state_fips], ""),
            )
        )
    # Every agency a reader may look up: the directory's (an ORI) with or without a partnership.
    agencies = (
        Agency.objects.listed()
        .annotate(recorded=Exists(public.filter(agency=OuterRef("pk"))))
        .select_related("state")
        .prefetch_related("counties", "aliases")
    )
    city_counties: dict[tuple[str, str], set[str]] = {}
    city_agencies: dict[tuple[str, str], int] = {}
    for agency in agencies:
        county_fips = min((county.fips for county in agency.counties.all()), default="")
        place = f"{agency.city}, {agency.state_id}" if agency.city else agency.state.name
        also = " ".join(
            (
                agency.state.name,
                *agency_aliases(agency.name, agency.state_id),
                # The names the write path's matcher knows it by (records.AgencyAlias).
                *(alias.name for alias in agency.aliases.all()),
                # Its FBI identifier: an ORI7 is the start of its ORI9.
                agency.ori,
            )
        )
        entries.append(
            Entry(
                "agency", agency.name, place, agency.get_absolute_url(), county_fips, "", None, also
            )
        )
        if agency.city:
            key = (agency.city, agency.state_id)
            city_counties.setdefault(key, set()).update(c.fips for c in agency.counties.all())
            # A city's count is of agencies with sourced partnerships, as the map's.
            recorded = agency.recorded  # type: ignore[attr-defined]  # the annotation above
            city_agencies[key] = city_agencies.get(key, 0) + recorded
    for (city, state_code), counties in city_counties.items():
        fips, others = city_counties_ranked(city, state_code, counties)
        fips = fips or state_fips[state_code]
        detail = f"in {county_names[fips]}" if fips in county_names else ""
        if others:
            detail += "; partly in " + ", ".join(county_names[o].split(",")[0] for o in others)
        entries.append(
            Entry(
                "city",
                f"{city}, {state_code}",
                detail,
                _region_url(fips),
                fips,
                "",
                city_agencies[(city, state_code)],
                state_names.get(state_code, ""),
            )
        )
    by_technology = dict(
        public.values_list("technology_id").annotate(n=Count("agency_id", distinct=True))
    )
    for technology in Technology.objects.public():
        entries.append(
            Entry(
                "technology",
                technology.name,
                "",
                technology.get_absolute_url(),
                "",
                "",
                by_technology.get(technology.pk, 0),
                " ".join(TECHNOLOGY_ALIASES.get(technology.category, ())),
            )
        )
    by_vendor = dict(public.values_list("vendor_id").annotate(n=Count("agency_id", distinct=True)))
    for vendor in Vendor.objects.public().prefetch_related("aliases"):
        url = reverse("web:home") + "?" + urlencode({"vendor": vendor.slug})
        # The names the write path's matcher knows it by (records.VendorAlias): searchable.
        also = " ".join(alias.name for alias in vendor.aliases.all())
        entries.append(
            Entry(
                "vendor", vendor.name, "on the map", url, "", "", by_vendor.get(vendor.pk, 0), also
            )
        )
    kinds = dict(PolicyEventKind.choices)
    for event in PolicyEvent.objects.public().select_related("state", "county", "technology"):
        where = event.county.full_name if event.county else event.state.name if event.state else ""
        detail = ", ".join(
            part for part in (kinds.get(event.kind, ""), where, event.date.isoformat()) if part
        )
        also = " ".join(
            part
            for part in (
                event.actor,
                event.technology.name if event.technology else "",
                event.state.name if event.state else "",
            )
            if part
        )
        entries.append(
            Entry("event", event.title, detail, event.get_absolute_url(), "", "", None, also)
        )
    return [replace(e, key=fold(f"{e.label} {e.detail} {e.also}")) for e in entries]


class SearchIndex:
    """The entries, ordered once by what ranks them after their match (kind, label length,
    label), with one text per kind of their folded keys and one of their folded labels, a line
    each. A search looks for literal strings in those texts (str.find, in C), tier of match by
    tier, and stops as soon as each kind has as many entries as a result can show: within a
    kind and a tier the texts are already in rank order, so the answer is the one ranking every
    matching entry would give, without visiting the entries that cannot make the list.

    Which word leads, and whether a kind has few enough lines to rank them whole, is read from
    `_Grams` (how many lines can hold a word, from its rarest piece), not counted in the texts:
    counting every word in every kind's text was most of a search's time."""

    def __init__(self, version: str, entries: list[Entry]) -> None:
        self.version = version
        self.size = len(entries)
        ordered = sorted(entries, key=lambda e: (KIND_ORDER[e.kind], len(e.label), e.label))
        self.kinds: dict[str, tuple[list[Entry], _Lines, _Lines, _Grams]] = {}
        for kind in KIND_ORDER:
            of_kind = [e for e in ordered if e.kind == kind]
            keys = _Lines([e.key for e in of_kind])
            labels = _Lines([fold(e.label) for e in of_kind])
            self.kinds[kind] = (of_kind, keys, labels, _Grams([e.key for e in of_kind]))

    def search(self, words: list[str], limit: int) -> list[Entry]:
        phrase = " ".join(words)
        ranked: list[Entry] = []
        for of_kind, keys, labels, grams in self.kinds.values():
            # Every word of a match is in its key (the label is part of the key): the word on
            # fewest lines says how many entries can match at all.
            most = {word: grams.at_most(word) for word in words}
            driver = min(words, key=most.__getitem__)
            if most[driver] == 0:
                continue
            if most[driver] <= FEW:
                ranked += (of_kind[n] for n in keys.having(words, driver=driver))
                continue
            tiers: tuple[Iterator[int], ...] = (
                labels.starting(phrase, whole=True),
                labels.starting(phrase),
                keys.at_word_start(phrase),
                keys.having(words, at_word_start=True, driver=driver),
                keys.having(words, driver=driver),
            )
            seen: set[int] = set()
            for lines in tiers:
                for line in lines:
                    if line not in seen:
                        seen.add(line)
                        ranked.append(of_kind[line])
                        if len(seen) >= limit:
                            break
                if len(seen) >= limit:
                    break
        ranked.sort(key=lambda e: _rank(e, words))
        return _mixed(ranked, limit)


class _Grams:
    """How many lines can hold a word, at most, without reading the lines: a word (no spaces)
    is in a line only inside one of its tokens, so each piece of three characters (or fewer,
    for a shorter word) of every distinct token counts the lines holding that token, and a
    word is on at most as many lines as its rarest piece. Zero is exact: no line holds it."""

    def __init__(self, lines: list[str]) -> None:
        per_token: dict[str, int] = {}
        for line in lines:
            for token in set(line.split()):
                per_token[token] = per_token.get(token, 0) + 1
        lines_with: dict[str, int] = {}
        for token, n in per_token.items():
            pieces = {
                token[i : i + size] for size in (1, 2, 3) for i in range(len(token) - size + 1)
            }
            for piece in pieces:
                lines_with[piece] = lines_with.get(piece, 0) + n
        self.lines_with = lines_with
        self.lines = len(lines)

    def at_most(self, word: str) -> int:
        size = min(3, len(word))
        if not size:
            return self.lines
        return min(self.lines_with.get(word[i : i + size], 0) for i in range(len(word) - size + 1))


class _Lines:
    """Short texts as the lines of one string, each found by where its line starts."""

    def __init__(self, lines: list[str]) -> None:
        self.text = "\n" + "\n".join(lines) + "\n"
        self.number: dict[int, int] = {}
        offset = 1
        for number, line in enumerate(lines):
            self.number[offset] = number
            offset += len(line) + 1

    def _lines_with(self, needle: str) -> Iterator[tuple[int, str]]:
        """(line number, line) of each line holding `needle`, in order, each once."""
        text = self.text
        at = text.find(needle)
        while at != -1:
            begin = text.rfind("\n", 0, at + 1 if needle.startswith("\n") else at) + 1
            if needle.startswith("\n"):
                begin = at + 1
            end = text.find("\n", at + len(needle) - (1 if needle.endswith("\n") else 0))
            yield self.number[begin], text[begin:end]
            at = text.find(needle, end)

    def starting(self, phrase: str, whole: bool = False) -> Iterator[int]:
        needle = "\n" + phrase + ("\n" if whole else "")
        return (number for number, _ in self._lines_with(needle))

    def at_word_start(self, phrase: str) -> Iterator[int]:
        # A line starting with the phrase, or holding it after a space, in line order.
        return heapq.merge(self.starting(phrase), self._after_space(phrase))

    def _after_space(self, phrase: str) -> Iterator[int]:
        return (number for number, _ in self._lines_with(" " + phrase))

    def having(
        self, words: list[str], at_word_start: bool = False, driver: str = ""
    ) -> Iterator[int]:
        # Led by the word found on fewest lines: the others are checked on its lines only.
        driver = driver or min(words, key=self.text.count)
        for number, line in self._lines_with(driver):
            padded = f" {line}"
            if at_word_start:
                if all(f" {word}" in padded for word in words):
                    yield number
            elif all(word in line for word in words):
                yield number


@functools.lru_cache(maxsize=65_536)
def _folded_label(label: str) -> str:
    return fold(label)


def _rank(entry: Entry, words: list[str]) -> tuple[int, int, int, str]:
    """Whole label, label start, phrase at a word start, every word at a word start, anywhere;
    then places before things, shorter labels first."""
    phrase = " ".join(words)
    label_key = _folded_label(entry.label)
    key = f" {entry.key}"
    if label_key == phrase:
        score = 0
    elif label_key.startswith(phrase):
        score = 1
    elif f" {phrase}" in key:
        score = 2
    elif all(f" {word}" in key for word in words):
        score = 3
    else:
        score = 4
    return (score, KIND_ORDER[entry.kind], len(entry.label), entry.label)


_lock = threading.Lock()
_index: SearchIndex | None = None
_building = False
# A built index is kept this long in a shared cache (REDIS_URL) for the other processes.
STORED_SECONDS = 24 * 60 * 60
# How long a process waits for another one's build of the same version before building it.
BUILD_WAIT_SECONDS = 300


def _stored_key(version: str) -> str:
    return f"survmap:search-index:{version}"


def _shared_cache() -> bool:
    """Whether other processes read this cache: per-process memory holds nothing for them."""
    return not isinstance(caches["default"], LocMemCache)


def _stored(version: str) -> SearchIndex | None:
    blob = cache.get(_stored_key(version))
    if blob is None:
        return None
    index: SearchIndex = pickle.loads(zlib.decompress(blob))  # noqa: S301 - our own cache
    return index


def _use(index: SearchIndex) -> None:
    global _index
    with _lock:
        _index = index


def rebuild_index() -> SearchIndex:
    """Build the index for the data as it is now, use it from the next search on, and store
    it for the other processes when the cache is shared (REDIS_URL). A serving process calls
    it once before its first request (survmap.wsgi), before gunicorn forks, so the workers
    share it."""
    version = data_version.current().token
    index = SearchIndex(version, build_index())
    if _shared_cache():
        blob = zlib.compress(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), 1)
        cache.set(_stored_key(version), blob, STORED_SECONDS)
    _use(index)
    return index


def _index_of(version: str) -> SearchIndex:
    """The index of `version`, built once for every process that shares the cache: the one
    another process stored, or, while another process builds it, that one when it is stored;
    built here only when no other process is at it (or it never came)."""
    shared = _shared_cache()
    index = _stored(version) if shared else None
    if index is None and shared and not cache.add(f"{_stored_key(version)}:building", 1, 600):
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while index is None and time.monotonic() < deadline:
            time.sleep(0.5)
            index = _stored(version)
    if index is None:
        return rebuild_index()
    _use(index)
    return index


def build_index_at_start() -> None:
    """The index, built (or taken from a shared cache) when a serving process starts
    (survmap.wsgi) rather than inside a reader's request; a database not yet migrated leaves
    it to the first search."""
    try:
        _index_of(data_version.current().token)
    except DatabaseError:
        logger.warning("No search index at start: the database is not ready")
    finally:
        # Processes forked from this one must not share its database connection.
        connections.close_all()


def _rebuild_in_background() -> None:
    global _building
    try:
        _index_of(data_version.current().token)
    except Exception:  # the old index keeps serving; the next search retries
        logger.exception("The search index could not be rebuilt")
    finally:
        connections.close_all()
        with _lock:
            _building = False


def search_index() -> SearchIndex:
    """The index of the current data version. After a change, searches keep using the previous
    index while a thread takes the new one from the shared cache or builds it
    (SURVMAP_SEARCH_INDEX_IN_BACKGROUND), so no reader waits for a build; only a process that
    has no index at all (its start found no database) gets one in place."""
    global _building
    version = data_version.current().token
    with _lock:
        index = _index
        if index is not None and (index.version == version or _building):
            return index
        background = index is not None and getattr(
            settings, "SURVMAP_SEARCH_INDEX_IN_BACKGROUND", True
        )
        if background:
            _building = True
    if background:
        assert index is not None
        threading.Thread(target=_rebuild_in_background, daemon=True).start()
        return index
    return _index_of(version)


def forget_index() -> None:
    """Drop this process's index (the next search builds one)."""
    global _index
    with _lock:
        _index = None


def search(query: str, limit: int = MAX_RESULTS) -> list[Entry]:
    """Every word must occur; whole-label and word-start matches rank first."""
    words = fold(query).split()[:8]
    if not words:
        return []
    return search_index().search(words, limit)


def _mixed(ranked: list[Entry], limit: int) -> list[Entry]:
    """The best `limit` entries, in rank order, with no kind taking more than MAX_PER_KIND
    places while entries of other kinds are left over."""
    chosen: list[Entry] = []
    per_kind: dict[str, int] = {}
    skipped: list[Entry] = []
    for entry in ranked:
        if len(chosen) == limit:
            break
        if per_kind.get(entry.kind, 0) >= MAX_PER_KIND:
            skipped.append(entry)
            continue
        per_kind[entry.kind] = per_kind.get(entry.kind, 0) + 1
        chosen.append(entry)
    if len(chosen) < limit:
        chosen += skipped[: limit - len(chosen)]
        order = {id(entry): position for position, entry in enumerate(ranked)}
        chosen.sort(key=lambda entry: order[id(entry)])
    return chosen
