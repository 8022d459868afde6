"""Share images: PNGs of the right region, within 150 KB, made once per data version."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from survmap.geo.boundaries import Level, centroids
from survmap.geo.models import State
from survmap.maps.share_image import (
    HEIGHT,
    MAX_BYTES,
    WIDTH,
    Drawing,
    draw_nation,
    draw_state,
    to_png,
)
from survmap.maps.standalone import NONE, PALETTE
from survmap.records.models import Partnership
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def pixel_of(drawing: Drawing, fips: str, lon: float, lat: float) -> tuple[int, int]:
    """Where a point of a region lands in the PNG (x, y from the top left)."""
    ax = drawing.axes_by_fips[fips]
    drawing.figure.canvas.draw()
    lon = lon - 360 if lon > 0 else lon
    x, y = ax.transData.transform((lon, lat))
    return round(float(x)), round(HEIGHT - float(y))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def near(pixel: tuple[int, ...], hex_colour: str, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], rgb(hex_colour), strict=True))


def colour_at(png: bytes, xy: tuple[int, int]) -> tuple[int, ...]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel(xy)  # type: ignore[return-value]


@pytest.fixture
def ring():
    ring = TechnologyFactory(slug="ring", name="Ring/Neighbors")
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]), technology=ring)
    PartnershipFactory(
        agency=AgencyFactory(counties=["06037"], state=State.objects.get(code="CA")),
        technology=TechnologyFactory(slug="faces", name="Face recognition"),
    )
    return ring


def test_a_state_image_colours_its_own_counties(db):
    drawing = draw_state("26", "Michigan", {"26099": 3}, agencies=3)
    png = to_png(drawing, "Michigan")
    points = centroids(Level.COUNTY)
    assert near(colour_at(png, pixel_of(drawing, "26099", *points["26099"])), PALETTE[-1])
    assert near(colour_at(png, pixel_of(drawing, "26163", *points["26163"])), NONE)
    # Only Michigan's counties are drawn.
    assert "06037" not in drawing.axes_by_fips
    assert set(drawing.axes_by_fips) == {f for f in points if f.startswith("26")}


def test_a_national_image_colours_the_states_and_insets_alaska(db):
    drawing = draw_nation("Robots", {"36": 1, "02": 1}, agencies=2)
    png = to_png(drawing, "Robots")
    points = centroids(Level.STATE)
    assert near(colour_at(png, pixel_of(drawing, "36", *points["36"])), PALETTE[-1])
    assert near(colour_at(png, pixel_of(drawing, "02", *points["02"])), PALETTE[-1])
    assert near(colour_at(png, pixel_of(drawing, "48", *points["48"])), NONE)


def test_the_region_url_serves_a_small_png_of_that_region(client, ring):
    response = client.get(reverse("web:region_share_image", args=["26"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) <= MAX_BYTES
    image = Image.open(io.BytesIO(png))
    assert image.size == (WIDTH, HEIGHT)
    assert image.text["Title"] == "Michigan"  # type: ignore[attr-defined]
    county = client.get(reverse("web:region_share_image", args=["26099"])).content
    assert Image.open(io.BytesIO(county)).text["Title"] == "Macomb County, Michigan"  # type: ignore[attr-defined]


def test_the_technology_url_serves_its_national_map(client, ring):
    png = client.get(reverse("web:technology_share_image", args=["ring"])).content
    assert len(png) <= MAX_BYTES
    assert Image.open(io.BytesIO(png)).text["Title"] == "Ring/Neighbors"  # type: ignore[attr-defined]


def test_unknown_regions_and_technologies_are_404(client, db):
    for url in (
        reverse("web:region_share_image", args=["99"]),
        reverse("web:region_share_image", args=["2609"]),
        reverse("web:technology_share_image", args=["nothing"]),
    ):
        assert client.get(url).status_code == 404


def test_it_is_made_once_per_data_version(client, ring, django_assert_max_num_queries):
    url = reverse("web:technology_share_image", args=["ring"])
    first = client.get(url).content
    with django_assert_max_num_queries(2):  # the technology, and nothing to draw
        assert client.get(url).content == first
    PartnershipFactory(
        agency=AgencyFactory(counties=["06037"], state=State.objects.get(code="CA")),
        technology=ring,
    )
    assert Partnership.objects.filter(technology=ring).count() == 2
    assert client.get(url).content != first


def test_region_and_technology_pages_name_their_share_image(client, ring):
    page = client.get(reverse("web:region", args=["26"])).content.decode()
    assert (
        '<meta property="og:image" content="http://testserver'
        + reverse("web:region_share_image", args=["26"])
        + '">'
    ) in page
    assert page.count('property="og:image"') == 1
    page = client.get(reverse("web:technology", args=["ring"])).content.decode()
    assert reverse("web:technology_share_image", args=["ring"]) in page
    assert page.count('property="og:image"') == 1
    assert 'property="og:image:alt"' in page


def test_with_a_share_image_folder_each_image_is_drawn_once_into_a_file(
    client, ring, settings, tmp_path, monkeypatch
):
    from django.core.cache import cache

    from survmap.maps import share_image

    settings.SURVMAP_SHARE_IMAGE_DIR = str(tmp_path)
    drawn = []
    original = share_image.draw_state
    monkeypatch.setattr(
        share_image, "draw_state", lambda *a, **k: drawn.append(a[0]) or original(*a, **k)
    )
    url = reverse("web:region_share_image", args=["26"])
    first = client.get(url).content
    files = list(tmp_path.glob("*/region-26.png"))
    assert [path.read_bytes() for path in files] == [first]
    # Another worker, or this one after a restart: no cache, the file answers.
    cache.clear()
    second = client.get(url)
    assert second.content == first and drawn == ["26"]
    assert Image.open(io.BytesIO(second.content)).text["Title"] == "Michigan"  # type: ignore[attr-defined]
