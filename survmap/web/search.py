"""The one search box: agencies, cities, counties, states, technologies and vendors, ranked,
tolerant of case and accents, on any database (names are folded in Python, not with unaccent)."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from survmap.common import data_version
from survmap.geo import census
from survmap.geo.boundaries import Level
from survmap.maps.regions import region_counts
from survmap.records.models import Agency, Partnership, Technology, Vendor

MAX_RESULTS = 12
# At most this many of one kind while other kinds match too: "Warren" names a dozen counties,
# and the city of Warren, its police and its Ring partnership must still show.
MAX_PER_KIND = 5
# Ties are broken by what a reader most likely means: places before things, and a city before
# the county that shares its name.
KIND_ORDER = {"city": 0, "state": 1, "county": 2, "agency": 3, "technology": 4, "vendor": 5}


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
    for state in census.states():
        codes[state.fips] = state.code
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
            )
        )
    agencies = Agency.objects.public().select_related("state").prefetch_related("counties")
    cities: dict[tuple[str, str], str] = {}
    city_agencies: dict[tuple[str, str], int] = {}
    for agency in agencies:
        county_fips = min((county.fips for county in agency.counties.all()), default="")
        place = f"{agency.city}, {agency.state_id}" if agency.city else agency.state.name
        entries.append(
            Entry("agency", agency.name, place, agency.get_absolute_url(), county_fips, "")
        )
        if agency.city:
            key = (agency.city, agency.state_id)
            cities[key] = cities.get(key) or county_fips or agency.state.fips
            city_agencies[key] = city_agencies.get(key, 0) + 1
    for (city, state_code), fips in cities.items():
        detail = f"in {county_names[fips]}" if fips in county_names else ""
        entries.append(
            Entry(
                "city",
                f"{city}, {state_code}",
                detail,
                _region_url(fips),
                fips,
                "",
                city_agencies[(city, state_code)],
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
            )
        )
    by_vendor = dict(public.values_list("vendor_id").annotate(n=Count("agency_id", distinct=True)))
    for vendor in Vendor.objects.public():
        url = reverse("web:home") + "?" + urlencode({"vendor": vendor.slug})
        entries.append(
            Entry("vendor", vendor.name, "on the map", url, "", "", by_vendor.get(vendor.pk, 0))
        )
    return [replace(e, key=fold(f"{e.label} {e.detail}")) for e in entries]


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
    return _mixed([item[4] for item in ranked], limit)


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
