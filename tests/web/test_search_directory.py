"""The search box and the directory of US agencies: every listed agency is found by its name,
its city or its ORI, and the index is built once per data version, outside any request."""

import pytest
from django.urls import reverse

from survmap.web import search as search_module
from tests.factories import AgencyFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _search(client, q):
    response = client.get(reverse("web:search"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def _directory_agency():
    # From the directory: an ORI and no partnership.
    return AgencyFactory(
        name="Quillfeather Township Police Department",
        city="Quillfeather",
        ori="MI8012300",
        counties=["26099"],
    )


@pytest.mark.parametrize(
    "query",
    ["Quillfeather Township Police", "quillfeather township pd", "MI8012300", "mi80123"],
)
def test_a_directory_agency_without_a_partnership_is_found(client, query):
    agency = _directory_agency()
    agencies = [r for r in _search(client, query) if r["kind"] == "agency"]
    assert agencies[0]["label"] == agency.name
    assert agencies[0]["url"] == reverse("web:agency", args=[agency.pk])
    assert agencies[0]["detail"] == "Quillfeather, MI"


def test_its_city_is_found_and_counts_no_agency_with_a_partnership(client):
    _directory_agency()
    cities = [r for r in _search(client, "quillfeather") if r["kind"] == "city"]
    assert cities[0]["label"] == "Quillfeather, MI"
    assert cities[0]["count"] == 0  # the map's count: agencies with sourced partnerships
    PartnershipFactory(agency=AgencyFactory(name="Quillfeather Police", city="Quillfeather"))
    search_module.rebuild_index()
    cities = [r for r in _search(client, "quillfeather") if r["kind"] == "city"]
    assert cities[0]["count"] == 1


def test_an_agency_with_neither_an_ori_nor_a_partnership_stays_out(client):
    AgencyFactory(name="Quillfeather Township Police Department", city="Quillfeather")
    assert _search(client, "quillfeather") == []


def test_a_process_takes_the_index_another_stored_instead_of_building_it(
    client, settings, tmp_path, monkeypatch
):
    """With a cache the processes share (REDIS_URL; a file cache here), the index of a data
    version is built once: a second process uses the stored one, and no search builds it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    _directory_agency()
    search_module.rebuild_index()  # the first process, at its start
    search_module.forget_index()  # another process, with no index of its own yet

    def build_index():
        raise AssertionError("the stored index should have been used")

    monkeypatch.setattr(search_module, "build_index", build_index)
    assert _search(client, "MI8012300")[0]["label"] == "Quillfeather Township Police Department"
