"""The one search box: agencies, cities, counties, states, technologies and vendors, ranked,
tolerant of case and accents, on any database (names are folded in Python, not with unaccent)."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from survmap.common import data_version
from survmap.geo import census
from survmap.records.models import Agency, Technology, Vendor

MAX_RESULTS = 12
# Ties are broken by what a reader most likely means: places before things.
KIND_ORDER = {"state": 0, "county": 1, "city": 2, "agency": 3, "technology": 4, "vendor": 5}


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

    def as_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
            "url": self.url,
            "fips": self.fips,
        }


def _region_url(fips: str) -> str:
    return reverse("web:region", kwargs={"fips": fips})


def build_index() -> list[Entry]:
    entries: list[Entry] = []
    codes = {}
    for state in census.states():
        codes[state.fips] = state.code
        entries.append(
            Entry("state", state.name, state.code, _region_url(state.fips), state.fips, "")
        )
    for county in census.counties():
        label = f"{county.full_name}, {codes[county.state_fips]}"
        entries.append(Entry("county", label, "", _region_url(county.fips), county.fips, ""))
    agencies = Agency.objects.public().select_related("state").prefetch_related("counties")
    cities: dict[tuple[str, str], str] = {}
    for agency in agencies:
        county_fips = min((county.fips for county in agency.counties.all()), default="")
        place = f"{agency.city}, {agency.state_id}" if agency.city else agency.state.name
        entries.append(
            Entry("agency", agency.name, place, agency.get_absolute_url(), county_fips, "")
        )
        if agency.city:
            key = (agency.city, agency.state_id)
            cities[key] = cities.get(key) or county_fips or agency.state.fips
    for (city, state_code), fips in cities.items():
        entries.append(Entry("city", f"{city}, {state_code}", "", _region_url(fips), fips, ""))
    for technology in Technology.objects.public():
        entries.append(
            Entry("technology", technology.name, "", technology.get_absolute_url(), "", "")
        )
    for vendor in Vendor.objects.public():
        url = reverse("web:home") + "?" + urlencode({"vendor": vendor.slug})
        entries.append(Entry("vendor", vendor.name, "on the map", url, "", ""))
    return [
        Entry(e.kind, e.label, e.detail, e.url, e.fips, fold(f"{e.label} {e.detail}"))
        for e in entries
    ]


_lock = threading.Lock()
_index: tuple[str, list[Entry]] = ("", [])


def search_index() -> list[Entry]:
    """Built once per data version, in memory: a few thousand short strings."""
    global _index
    version = data_version.current().token
    with _lock:
        if _index[0] != version:
            _index = (version, build_index())
        return _index[1]


def search(query: str, limit: int = MAX_RESULTS) -> list[Entry]:
    """Every word must occur; whole-label and word-start matches rank first."""
    words = fold(query).split()[:8]
    if not words:
        return []
    phrase = " ".join(words)
    ranked: list[tuple[int, int, int, str, Entry]] = []
    for entry in search_index():
        key = entry.key
        if not all(word in key for word in words):
            continue
        label_key = fold(entry.label)
        if label_key == phrase:
            score = 0
        elif label_key.startswith(phrase):
            score = 1
        elif f" {phrase}" in f" {key}":
            score = 2
        elif all(f" {word}" in f" {key}" for word in words):
            score = 3
        else:
            score = 4
        ranked.append((score, KIND_ORDER[entry.kind], len(entry.label), entry.label, entry))
    ranked.sort(key=lambda item: item[:4])
    return [item[4] for item in ranked[:limit]]
