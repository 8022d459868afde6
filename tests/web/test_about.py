"""The About page, and the line on every page saying where the records come from and when."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from survmap.web.about import datasets, provenance_line

pytestmark = pytest.mark.django_db


def test_the_about_page_says_where_each_data_set_comes_from_when_and_under_what_licence(client):
    response = client.get(reverse("web:about"))
    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "Atlas of Surveillance",
        "export of 7 October 2020",
        "CC BY 4.0",
        "Crime Data Explorer agency list",
        "17 September 2018",
        "Public domain",
        "The News &amp; Observer",
        ">MIT<",
        "How a record is researched and moderated",
        'What "No record" means',
        "How to cite survmap",
        "Not confirmed for N years",
    ):
        assert words in html, words
    # survmap's own research says up to when its sources were read.
    assert "sources read up to 6 December 2026" in html


def test_every_data_set_has_a_date_and_a_licence():
    for dataset in datasets():
        assert dataset.as_of and "unknown" not in dataset.as_of, dataset.name
        assert dataset.licence, dataset.name


@pytest.mark.parametrize("name", ["web:home", "web:table", "web:about", "downloads:list"])
def test_every_page_links_the_about_page_and_says_where_records_come_from(client, name):
    html = client.get(reverse(name)).content.decode()
    assert f'href="{reverse("web:about")}"' in html
    assert "export of 7 October 2020" in provenance_line()
    assert escape(provenance_line()) in html
