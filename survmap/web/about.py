"""Where survmap's records come from and up to when: the data sets behind them, shown on the
About page and, briefly, at the foot of every page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from survmap.common.dates import PartialDate
from survmap.imports.atlas import export_date
from survmap.imports.curated import RESEARCH_DIR, SOURCES_FILE
from survmap.imports.shipped import SHIPPED_ATLAS


@dataclass(frozen=True)
class DataSet:
    name: str
    publisher: str
    # Up to when it speaks: an export's date, or when its sources were read.
    as_of: str
    licence: str
    licence_url: str
    gives: str
    url: str


@cache
def atlas_as_of() -> PartialDate | None:
    return export_date(SHIPPED_ATLAS.name)


@cache
def research_read_up_to() -> PartialDate | None:
    """When survmap's own research last read its sources (fixtures/research/sources.json)."""
    try:
        text = (RESEARCH_DIR / SOURCES_FILE).read_text(encoding="utf-8")
        return PartialDate.parse(str(json.loads(text).get("accessed", "")))
    except (OSError, ValueError):
        return None


def _display(value: PartialDate | None, fallback: str) -> str:
    return value.display() if value is not None else fallback


def datasets() -> list[DataSet]:
    return [
        DataSet(
            name="Atlas of Surveillance",
            publisher="Electronic Frontier Foundation (EFF)",
            as_of=f"export of {_display(atlas_as_of(), 'an unknown date')}",
            licence="CC BY 4.0",
            licence_url="https://creativecommons.org/licenses/by/4.0/",
            gives=(
                "Most of the partnerships on the map: some 5,780 rows for about 3,970 agencies, "
                "each with the links the EFF's researchers cited. Its export has no status "
                "column, so survmap shows these as recorded, as of the Atlas's dates."
            ),
            url="https://atlasofsurveillance.org/",
        ),
        DataSet(
            name="survmap's own research",
            publisher="survmap contributors",
            as_of=f"sources read up to {_display(research_read_up_to(), 'an unknown date')}",
            licence="survmap's words; each source belongs to its publisher",
            licence_url="",
            gives=(
                "Records written by survmap from public reporting: police use of Amazon "
                "Rekognition, police robot dogs, Ring's police programme, and councils' and "
                "agencies' decisions against plate readers and camera networks."
            ),
            url="",
        ),
        DataSet(
            name="Crime Data Explorer agency list",
            publisher="Federal Bureau of Investigation (FBI)",
            as_of="list of 17 September 2018",
            licence="Public domain (a work of the US government)",
            licence_url="",
            gives=(
                "The directory of US law-enforcement agencies, with their ORI codes, so that an "
                "agency with nothing recorded still has a page."
            ),
            url="https://cde.ucr.cjis.gov/",
        ),
        DataSet(
            name="Private Eyes (Flock Safety transparency portals)",
            publisher="The News & Observer",
            as_of="portals read July 2023 to April 2024, published May 2024",
            licence="MIT",
            licence_url="https://opensource.org/license/mit",
            gives=(
                "Police plate-reader cameras from Flock Safety's public transparency portals, "
                "and which organisations may search each agency's camera data."
            ),
            url="https://github.com/mcclatchy-southeast/private_eyes",
        ),
    ]


def provenance_line() -> str:
    """One sentence for the foot of every page: where the records come from and up to when."""
    return (
        "Records come from the EFF's Atlas of Surveillance (export of "
        f"{_display(atlas_as_of(), 'an unknown date')}) and survmap's own research (sources "
        f"read up to {_display(research_read_up_to(), 'an unknown date')}), with the other data "
        "sets named on the About page."
    )


def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/about.html",
        {
            "datasets": datasets(),
            "stale_years": settings.SURVMAP_STATUS_STALE_YEARS,
            "research_stale_months": settings.SURVMAP_RESEARCH_STALE_MONTHS,
        },
    )
