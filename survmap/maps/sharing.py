"""The numbers of the sharing map: for an agency (or the agencies of a county), the counties
whose agencies may search its plate reads; with neither, how widely each county's reads are
shared. Counted in one query of id pairs, cached per data version."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.cache import cache

from survmap.common import data_version
from survmap.maps.choropleth import band_colours, class_breaks
from survmap.platereaders.models import Sharing
from survmap.records.models import Agency

CACHE_SECONDS = 24 * 60 * 60


def _counties_of(agency_ids: set[int]) -> dict[int, list[str]]:
    through = Agency.counties.through
    found: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(agency_id__in=agency_ids).values_list("agency_id", "county_id")
    for agency_id, fips in rows:
        found[agency_id].append(fips)
    return found


def searchers_by_county(
    *, agency: Agency | None = None, county: str = ""
) -> tuple[dict[str, int], int]:
    """County FIPS -> agencies there that may search the plate reads of `agency` (or of the
    agencies of `county`); with neither, county FIPS -> agencies anywhere that may search the
    reads of that county's agencies. Also how many agencies in all (each once)."""
    key = (
        f"survmap:sharing-map:{data_version.current().token}:{agency.pk if agency else ''}:{county}"
    )
    cached = cache.get(key)
    if cached is not None:
        return cached[0], cached[1]
    links = Sharing.objects.filter(from_agency__isnull=False, to_agency__isnull=False)
    if agency is not None:
        links = links.filter(from_agency=agency)
    elif county:
        links = links.filter(from_agency__counties=county)
    pairs = set(links.values_list("from_agency_id", "to_agency_id"))
    counties = _counties_of({b for _, b in pairs} if agency or county else {a for a, _ in pairs})
    per_county: dict[str, set[int]] = defaultdict(set)
    for source, to in pairs:
        if agency or county:
            for fips in counties.get(to, ()):
                per_county[fips].add(to)
        else:
            for fips in counties.get(source, ()):
                per_county[fips].add(to)
    result = {fips: len(ids) for fips, ids in sorted(per_county.items())}
    agencies = len(set().union(*per_county.values())) if per_county else 0
    cache.set(key, (result, agencies), CACHE_SECONDS)
    return result, agencies


def counts_payload(counts: dict[str, int], agencies: int) -> dict[str, Any]:
    """What static/js/map.js reads as its counts (the map page's keys)."""
    breaks = class_breaks(list(counts.values()))
    return {
        "level": "county",
        "counts": counts,
        "breaks": breaks,
        "colours": band_colours(breaks),
        "agencies": agencies,
        "regions": sum(1 for n in counts.values() if n),
        "as_of": "",
        "undated": 0,
        "timeline": [],
        "none_found": {},
    }
