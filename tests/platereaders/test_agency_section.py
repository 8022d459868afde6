"""The agency page's plate-reader section: who can search an agency's reads, grouped by state,
each agency linked and every name escaped (the names are drawn in Python, in one string)."""

from __future__ import annotations

import pytest
from django.test import Client

from survmap.imports.flock_write import FlockImporter
from tests.factories import AgencyFactory
from tests.imports.test_flock import _files

pytestmark = pytest.mark.django_db


def test_who_can_search_is_grouped_linked_and_escaped(client: Client) -> None:
    broomfield = AgencyFactory(name="Broomfield Police Department", state_id="CO")
    avon = AgencyFactory(name="Avon Police Department", state_id="IN")
    odd = AgencyFactory(name="Odd <b>Bold</b> & Co Police Department", state_id="IN")
    links = [
        ("Broomfield CO PD", "Avon IN PD"),
        ("Broomfield CO PD", "Odd <b>Bold</b> & Co IN PD"),
        ("Broomfield CO PD", "Lakeside Estates HOA CO"),
    ]
    FlockImporter(_files(links)).run()
    page = client.get(broomfield.get_absolute_url()).content.decode()
    assert "Who can search its plate reads: 3 organisations" in page
    assert f'<li><a href="{avon.get_absolute_url()}">Avon Police Department</a></li>' in page
    assert f'<a href="{odd.get_absolute_url()}">Odd &lt;b&gt;Bold&lt;/b&gt; &amp; Co' in page
    assert "<b>Bold</b>" not in page
    assert "<li>Lakeside Estates HOA</li>" in page
    assert "<summary>IN: 2</summary>" in page
