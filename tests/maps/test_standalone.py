"""The standalone map file: one self-contained HTML document of a view, from Python, the command
line and /map.html."""

from __future__ import annotations

import datetime as dt
import json
import re

import folium
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from survmap.common import data_version
from survmap.geo.boundaries import Level
from survmap.geo.models import State
from survmap.geo.topology import OBJECT_NAME, geometry_asset
from survmap.maps.standalone import PALETTE, colour_for, standalone_html, standalone_map
from survmap.records.filters import InvalidQuery
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

MAX_COUNTY_BYTES = 3_000_000


@pytest.fixture
def ring() -> None:
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    faces = TechnologyFactory(slug="face-recognition", name="Face recognition")
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)
    PartnershipFactory(
        agency=AgencyFactory(counties=["06037"], state=State.objects.get(code="CA")),
        technology=faces,
    )


def styles_by_fips(html: str, level: Level) -> dict[str, dict]:
    match = re.search(r"var topo_json_\w+_data = (\{.*?\});\n", html)
    assert match, "the map's data is in the file"
    topology = json.loads(match.group(1))
    return {g["id"]: g["properties"] for g in topology["objects"][OBJECT_NAME[level]]["geometries"]}


def test_it_returns_a_folium_map_whose_file_loads_nothing_from_anywhere(ring):
    fmap = standalone_map({"technology": "ring"}, level="county")
    assert isinstance(fmap, folium.Map)
    html = standalone_html(fmap)
    assert "<script src" not in html
    assert "<link" not in html
    assert not re.search(r"""(src|href)=["']?//""", html)
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in html
    # Leaflet's own images travel inside its CSS.
    assert "url(images/" not in html
    assert "data:image/png;base64," in html
    assert "sourceMappingURL" not in html


def test_the_county_file_holds_every_county_within_three_megabytes(ring):
    html = standalone_html(standalone_map({}, level=Level.COUNTY))
    assert len(html.encode()) <= MAX_COUNTY_BYTES
    regions = styles_by_fips(html, Level.COUNTY)
    expected = json.loads(geometry_asset(Level.COUNTY).body)["objects"]["counties"]["geometries"]
    assert len(regions) == len(expected) > 3000


def test_counts_colours_and_tooltips_follow_the_filters(ring):
    html = standalone_html(standalone_map({"technology": ["ring"]}))
    regions = styles_by_fips(html, Level.COUNTY)
    assert regions["26099"]["t"] == "2 agencies"
    assert regions["26099"]["style"]["fillColor"] == PALETTE[-1]
    assert regions["26099"]["n"] == "Macomb County, MI"
    # Los Angeles has face recognition only: not on a Ring map.
    assert regions["06037"]["t"] == "No record"
    assert regions["06037"]["style"]["fillColor"] == colour_for(0, [2])


def test_it_writes_the_title_filters_date_version_credits_and_legend(ring):
    html = standalone_html(
        standalone_map({"technology": "ring"}, source_url="https://survmap.example.org/?x=1")
    )
    assert "<title>Ring/Neighbors: agencies per county</title>" in html
    assert "<b>Technology:</b> Ring/Neighbors" in html
    assert f"Made {dt.date.today().isoformat()}" in html
    assert f"data version {data_version.current().token}" in html
    assert "Electronic Frontier Foundation, Atlas of Surveillance" in html
    assert "CC BY 4.0" in html
    assert "US Census Bureau" in html
    assert "https://survmap.example.org/?x=1" in html
    assert 'id="survmap-legend"' in html
    assert "No record" in html


def test_the_state_view_counts_agencies_per_state(ring):
    html = standalone_html(standalone_map({}, level="state"))
    regions = styles_by_fips(html, Level.STATE)
    assert regions["26"]["t"] == "2 agencies"
    assert regions["06"]["t"] == "1 agency"
    assert "agencies per state" in html


def test_names_from_the_records_are_escaped(db):
    TechnologyFactory(slug="odd", name="<script>alert(1)</script>")
    html = standalone_html(standalone_map({"technology": "odd"}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_filters_and_levels_are_refused():
    with pytest.raises(InvalidQuery, match="technology"):
        standalone_map({"technology": "no-such-thing"})
    with pytest.raises(ValueError):
        standalone_map({}, level="country")


def test_map_html_downloads_the_file_of_the_view(client, ring):
    response = client.get(reverse("web:map_html"), {"technology": "ring", "level": "state"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="survmap-state-ring-')
    html = response.content.decode()
    assert "Ring/Neighbors: agencies per state" in html
    assert "http://testserver/?level=state&amp;technology=ring" in html


def test_map_html_answers_400_to_a_bad_filter_or_level(client, ring):
    assert client.get(reverse("web:map_html"), {"technology": "nope"}).status_code == 400
    response = client.get(reverse("web:map_html"), {"level": "planet"})
    assert response.status_code == 400
    assert b"level" in response.content


def test_the_command_writes_the_file(tmp_path, ring):
    out = tmp_path / "ring.html"
    call_command("map_html", str(out), "--level", "county", "--technology", "ring")
    html = out.read_text()
    assert "Ring/Neighbors: agencies per county" in html
    assert styles_by_fips(html, Level.COUNTY)["26099"]["t"] == "2 agencies"


def test_the_command_refuses_a_bad_filter_and_writes_nothing(tmp_path, ring):
    out = tmp_path / "bad.html"
    with pytest.raises(CommandError, match="technology"):
        call_command("map_html", str(out), "--technology", "nope")
    assert not out.exists()
