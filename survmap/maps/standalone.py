"""A standalone map of any view, built with folium: one HTML file that opens from disk with no
network at all, for articles, council agendas and notebooks.

folium's own `Map().save()` links Leaflet, jQuery, Bootstrap and Font Awesome from five CDN
hosts, and a map saved that way draws nothing offline (and tells each of those hosts who opened
it). Here every asset is inlined from survmap's pinned copies under `static/vendor/` (Leaflet's
images as data: URIs), folium's CDN lists are emptied, and nothing that needs jQuery or
Bootstrap (popups with HTML, layer ordering, awesome markers) is used.

    >>> from survmap.maps.standalone import standalone_map
    >>> m = standalone_map({"technology": "ring"}, level="county")
    >>> m.save("ring.html")   # or show `m` in a notebook cell
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from django.conf import settings
from django.http import QueryDict
from django.template import Context
from django.template import Template as DjangoTemplate
from django.utils.html import escape, format_html
from jinja2 import Template

from survmap.common import data_version
from survmap.geo.boundaries import Level
from survmap.geo.topology import OBJECT_NAME, geometry_asset
from survmap.maps.counts import FILTER_PARAMS, as_query, counts_payload
from survmap.records.filters import typed_states, typed_technologies
from survmap.records.models import AgencyKind, PartnershipStatus, Technology, Vendor

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
LEAFLET = VENDOR / "leaflet-1.9.4"
TOPOJSON_CLIENT = VENDOR / "topojson-client-3.1.0"
PANEL_TEMPLATE = Path(__file__).with_name("standalone_panel.html")
# The same ramp as the map page (static/js/map.js), so a downloaded map matches what was seen.
PALETTE = ("#fde0c5", "#facba6", "#f59e72", "#e4643f", "#c03a2b", "#7f1d1d")
NONE = "#dfe3e8"
LOWER48 = [[24.4, -125.0], [49.5, -66.9]]
CENSUS_CREDIT = "Boundaries: US Census Bureau, 2016 cartographic boundary files"
ATLAS_CREDIT = "Electronic Frontier Foundation, Atlas of Surveillance"
FILTER_LABELS = {
    "technology": "Technology",
    "vendor": "Vendor",
    "status": "Status",
    "state": "State",
    "county": "County",
    "agency_kind": "Agency kind",
    "as_of": "As of",
    "start_after": "Started after",
    "start_before": "Started before",
    "end_after": "Ended after",
    "end_before": "Ended before",
    "q": "Search",
}


def colour_for(n: int, breaks: list[int]) -> str:
    """The fill of a region with n agencies (the rule static/js/map.js applies)."""
    if not n or not breaks:
        return NONE
    for i, upper in enumerate(breaks):
        if n <= upper:
            step = (
                round(i * (len(PALETTE) - 1) / (len(breaks) - 1))
                if len(breaks) > 1
                else len(PALETTE) - 1
            )
            return PALETTE[step]
    return PALETTE[-1]


def legend_rows(breaks: list[int]) -> list[tuple[str, str]]:
    rows = [(NONE, "No record")]
    lower = 1
    for upper in breaks:
        rows.append(
            (
                colour_for(upper, breaks),
                str(upper) if lower == upper else f"{lower}\N{EN DASH}{upper}",
            )
        )
        lower = upper + 1
    return rows


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


@cache
def _inline_assets() -> str:
    """Leaflet's CSS (its images as data: URIs), Leaflet and topojson-client, with licences."""
    css = (LEAFLET / "leaflet.css").read_text()
    for image in sorted((LEAFLET / "images").glob("*.png")):
        css = css.replace(f"url(images/{image.name})", f"url({_data_uri(image)})")
    leaflet = (LEAFLET / "leaflet.js").read_text()
    # A source map comment makes an open developer console fetch a file that is not there.
    leaflet = leaflet.replace("//# sourceMappingURL=leaflet.js.map", "")
    topojson_js = (TOPOJSON_CLIENT / "topojson-client.min.js").read_text()
    for script in (leaflet, topojson_js):
        if "</script" in script.lower():  # pragma: no cover - a pinned file never does
            raise ValueError("an inlined script would end its own <script> element")
    licences = "\n".join(
        f"{name}:\n{(folder / 'LICENSE').read_text()}"
        for name, folder in (("Leaflet 1.9.4", LEAFLET), ("topojson-client 3.1.0", TOPOJSON_CLIENT))
    )
    return (
        f"<!--\nInlined from survmap's pinned copies (static/vendor/).\n{escape(licences)}\n-->\n"
        f"<style>{css}</style>\n<script>{leaflet}</script>\n<script>{topojson_js}</script>\n"
    )


class OfflineMap(folium.Map):
    """folium.Map that links nothing: the assets are inlined into the figure's header."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class EnglishFigure(Figure):
    """branca's Figure with the document's language declared (screen readers need it)."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
        "    {{this.header.render(**kwargs)}}\n"
        "</head>\n"
        "<body>\n"
        "    {{this.html.render(**kwargs)}}\n"
        "</body>\n"
        "<script>\n"
        "    {{this.script.render(**kwargs)}}\n"
        "</script>\n"
        "</html>\n",
    )


class OfflineTopoJson(folium.TopoJson):
    default_js: list[tuple[str, str]] = []


class Attribution(MacroElement):
    """Credits in Leaflet's attribution control (which folium fills from tile layers only)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {%- for credit in this.credits %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ credit|tojson }});
        {%- endfor %}
        {% endmacro %}"""
    )

    def __init__(self, credits: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.credits = list(credits)


class RegionIds(MacroElement):
    """Each region's path carries its FIPS code (data-fips), as on the map page."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.eachLayer(function (layer) {
            var path = layer.getElement && layer.getElement();
            if (path) path.setAttribute("data-fips", layer.feature.id);
        });
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "RegionIds"


def filter_lines(query: QueryDict) -> list[tuple[str, str]]:
    """The filters in words: [('Technology', 'Ring/Neighbors'), ('Status', 'Active')]."""
    names: dict[str, dict[str, str]] = {
        "technology": dict(Technology.objects.values_list("slug", "name")),
        "vendor": dict(Vendor.objects.values_list("slug", "name")),
        "status": dict(PartnershipStatus.choices),
        "agency_kind": dict(AgencyKind.choices),
    }
    typed = {"technology": typed_technologies, "state": typed_states}
    lines = []
    for name in FILTER_PARAMS:
        values = [v for v in query.getlist(name) if v]
        if name in typed:  # as people type them (`alpr`, `california`): named as they mean
            values = list(dict.fromkeys(code for v in values for code in typed[name](v)))
        if values:
            shown = [names.get(name, {}).get(v, v) for v in values]
            lines.append(
                (FILTER_LABELS.get(name, name.replace("_", " ").capitalize()), ", ".join(shown))
            )
    return lines


def map_title(query: QueryDict, level: Level) -> str:
    slugs = [v for v in query.getlist("technology") if v]
    names = list(
        Technology.objects.filter(slug__in=slugs).order_by("name").values_list("name", flat=True)
    )
    subject = " and ".join(names) if names else "Police partnerships with surveillance vendors"
    return f"{subject}: agencies per {level}"


def _place_words(level: Level, n: int) -> str:
    if level == Level.STATE:
        return "state or territory" if n == 1 else "states and territories"
    return "county" if n == 1 else "counties"


@cache
def _panel_template() -> DjangoTemplate:
    """The about box and legend. Kept beside this module, outside the served templates: its
    inline styles are for a file opened from disk, never for a page under our CSP."""
    return DjangoTemplate(PANEL_TEMPLATE.read_text(encoding="utf-8"))


def _panel_html(
    *,
    title: str,
    filters: list[tuple[str, str]],
    payload: dict[str, Any],
    level: Level,
    version: str,
    source_url: str | None,
) -> str:
    return _panel_template().render(
        Context(
            {
                "title": title,
                "filters": filters,
                "agencies": payload["agencies"],
                "regions": payload["regions"],
                "place": _place_words(level, payload["regions"]),
                "level": str(level),
                "legend": legend_rows(payload["breaks"]),
                "made": dt.date.today(),
                "version": version,
                "source_url": source_url,
                "atlas_credit": ATLAS_CREDIT,
                "census_credit": CENSUS_CREDIT,
                "licence": settings.SURVMAP_DATA_LICENSE,
                "licence_url": settings.SURVMAP_DATA_LICENSE_URL,
            }
        )
    )


def standalone_map(
    filters: QueryDict | Mapping[str, str | list[str] | tuple[str, ...]] | None = None,
    *,
    level: Level | str = Level.COUNTY,
    source_url: str | None = None,
) -> folium.Map:
    """The choropleth for these filters (the map page's query parameters, as a QueryDict or a
    plain mapping) as a folium.Map whose HTML needs no network. `source_url`, when given, is
    written on the map as the live view's address. Raises InvalidQuery for bad filters and
    ValueError for a level other than 'state' or 'county'."""
    level = Level(level)
    query = as_query(filters or {})
    payload = counts_payload(query, level)
    version = data_version.current().token
    counts: dict[str, int] = payload["counts"]
    breaks: list[int] = payload["breaks"]
    # Our own copy: folium writes each geometry's style into the data it is given.
    topology = json.loads(geometry_asset(level).body)
    for geometry in topology["objects"][OBJECT_NAME[level]]["geometries"]:
        n = counts.get(geometry["id"], 0)
        geometry["properties"]["t"] = f"{n:,} agenc{'y' if n == 1 else 'ies'}" if n else "No record"

    fmap = OfflineMap(
        location=[39.5, -98.35],
        zoom_start=4,
        tiles=None,
        min_zoom=2,
        zoom_snap=0.25,
        control_scale=False,
        font_size="12px",
    )
    figure = EnglishFigure()
    figure.add_child(fmap)
    title = map_title(query, level)
    # branca writes the title unescaped.
    figure.title = escape(title)
    figure.header.add_child(Element(_inline_assets()), name="survmap_assets", index=0)
    figure.header.add_child(
        Element(f'<meta name="generator" content="survmap, data version {escape(version)}">'),
        name="survmap_generator",
    )

    def style(geometry: dict[str, Any]) -> dict[str, Any]:
        return {
            "fillColor": colour_for(counts.get(geometry["id"], 0), breaks),
            "fillOpacity": 0.9,
            "color": "#ffffff",
            "weight": 0.4,
        }

    layer = OfflineTopoJson(
        topology,
        f"objects.{OBJECT_NAME[level]}",
        style_function=style,
        name="Agencies per " + str(level),
        control=False,
    )
    layer.add_child(folium.GeoJsonTooltip(fields=["n", "t"], labels=False, sticky=True))
    layer.add_child(RegionIds())
    layer.add_to(fmap)
    fmap.fit_bounds(LOWER48)
    licence = format_html(
        '<a href="{}">{}</a>', settings.SURVMAP_DATA_LICENSE_URL, settings.SURVMAP_DATA_LICENSE
    )
    credits = [format_html("Data: survmap; {} ({})", ATLAS_CREDIT, licence), escape(CENSUS_CREDIT)]
    fmap.add_child(Attribution(credits))
    figure.html.add_child(
        Element(
            _panel_html(
                title=title,
                filters=filter_lines(query),
                payload=payload,
                level=level,
                version=version,
                source_url=source_url,
            )
        ),
        name="survmap_panel",
    )
    return fmap


def standalone_html(fmap: folium.Map) -> str:
    """The whole file, as `fmap.save()` would write it."""
    html: str = fmap.get_root().render()
    return html
