"""The sharing map: "who can search here" for an agency or a county, and the national view of
how widely each county's plate reads are shared (The News & Observer's Private Eyes data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survmap.geo.boundaries import Level
from survmap.geo.models import County
from survmap.maps.choropleth import legend_bands, region_names
from survmap.maps.sharing import counts_payload, searchers_by_county
from survmap.platereaders.models import Sharing
from survmap.records.filters import InvalidQuery, unknown_parameters
from survmap.records.models import Agency
from survmap.web.views import bad_request, map_config, map_options

LIST_ROWS = 25


def _sharing_agencies() -> list[tuple[int, str, str]]:
    """The agencies whose portals list who may search their reads, for the chooser."""
    return list(
        Agency.objects.filter(pk__in=Sharing.objects.values("from_agency_id"))
        .order_by("state_id", "name")
        .values_list("pk", "name", "state_id")
    )


def _chosen(request: HttpRequest) -> tuple[Agency | None, County | None]:
    unknown = unknown_parameters(request.GET, {"agency", "county"})
    if unknown:
        raise InvalidQuery(unknown)
    agency = county = None
    value = request.GET.get("agency", "").strip()
    if value:
        agency = Agency.objects.filter(pk=int(value)).first() if value.isdigit() else None
        if agency is None:
            raise InvalidQuery({"agency": [f"No agency with the id {value[:20]!r}."]})
    value = request.GET.get("county", "").strip()
    if value:
        county = County.objects.filter(fips=value).first() if value.isdigit() else None
        if county is None:
            raise InvalidQuery({"county": [f"No county with the FIPS code {value[:20]!r}."]})
    return agency, county


def sharing_map(request: HttpRequest) -> HttpResponse:
    try:
        agency, county = _chosen(request)
    except InvalidQuery as problem:
        return bad_request(request, problem)
    counts, agencies = searchers_by_county(agency=agency, county=county.fips if county else "")
    payload = counts_payload(counts, agencies)
    names = region_names(Level.COUNTY)
    top = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    if agency is not None:
        title = f"Who can search {agency.name}'s plate reads"
        unit = "Agencies that may search its reads, per county"
    elif county is not None:
        title = f"Who can search plate reads taken in {county.full_name}"
        unit = "Agencies that may search them, per county"
    else:
        title = "How widely each county's plate reads are shared"
        unit = "Agencies elsewhere that may search a county's plate reads"
    context: dict[str, Any] = {
        "title": title,
        "unit": unit,
        "agency": agency,
        "county": county,
        "agencies": _sharing_agencies(),
        "counts": payload,
        "config": map_config(Level.COUNTY, map_options()),
        "legend": legend_bands(payload["breaks"]),
        "top": [(fips, names.get(fips, fips), n) for fips, n in top[:LIST_ROWS]],
        "links": Sharing.objects.count(),
    }
    return render(request, "web/sharing_map.html", context)
