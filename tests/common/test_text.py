"""One cleaning of text on the way in (control characters out, line breaks where a field holds
lines), years no page can show refused where they are entered, and what is stored anyway
(a restore, raw SQL) displayed without breaking a page, the feed or a header."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.common.text import clean_text_value, header_safe, xml_safe
from survmap.imports.readers import FileRefused, read_atlas, read_rows
from survmap.records.models import Partnership, Source
from survmap.submissions.models import Submission
from tests.factories import PartnershipFactory


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("Bell\x07 and\x01 nul\x00", False, "Bell and nul"),
        ("line one\r\nline two\rthree", True, "line one\nline two\nthree"),
        ("line one\r\nline two\tcell", False, "line one line two cell"),
        ("keeps\ttabs\nand lines", True, "keeps\ttabs\nand lines"),
        ("Bidi \u202eevil\u202c \u2066x\u2069", False, "Bidi evil x"),
        ("C1\x85next \x9b", True, "C1\nnext "),
        ("lone \ud800 surrogate \ufffe", False, "lone  surrogate "),
        ("Ünïcödé — fine 中文 עברית", False, "Ünïcödé — fine 中文 עברית"),
    ],
)
def test_control_characters_are_removed_and_line_breaks_kept_only_where_allowed(
    value, multiline, expected
):
    assert clean_text_value(value, multiline=multiline) == expected


def test_headers_and_xml_get_what_they_can_carry():
    assert header_safe("Evil Corp\r\nSet-Cookie: pwned=1") == "Evil Corp Set-Cookie: pwned=1"
    assert xml_safe("a\x07b\x00c\td\ne") == "abc\td\ne"


@pytest.mark.django_db
def test_model_validation_cleans_every_text_field():
    partnership = PartnershipFactory()
    partnership.summary = "Two\r\nlines\x07"
    partnership.product = "One\nline\x01"
    partnership.full_clean()
    assert partnership.summary == "Two\nlines"
    assert partnership.product == "One line"


@pytest.mark.django_db
@pytest.mark.parametrize("year", [1, 202, 999])
def test_a_year_before_1000_is_refused_where_it_is_entered(year):
    partnership = PartnershipFactory()
    partnership.start_date = dt.date(year, 3, 5)
    partnership.start_precision = "day"
    with pytest.raises(ValidationError) as refused:
        partnership.full_clean()
    assert "start_date" in refused.value.message_dict
    assert "before 1000" in refused.value.message_dict["start_date"][0]


@pytest.mark.django_db
def test_the_admin_refuses_0202_with_a_message_by_the_field(bob_client):
    partnership = PartnershipFactory()
    response = bob_client.post(
        reverse("admin:records_partnership_change", args=[partnership.pk]),
        {
            "agency": partnership.agency_id,
            "technology": partnership.technology_id,
            "vendor": partnership.vendor_id,
            "status": "active",
            "start_date": "0202-03-05",
            "start_precision": "day",
            "Partnership_sources-TOTAL_FORMS": "0",
            "Partnership_sources-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The year 0202 is before 1000" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.start_date is None


@pytest.mark.django_db
def test_a_stored_year_202_is_shown_on_every_page_that_shows_the_date(client):
    partnership = PartnershipFactory()
    Partnership.objects.filter(pk=partnership.pk).update(
        start_date=dt.date(202, 3, 5), start_precision="day"
    )
    source = partnership.sources.get()
    Source.objects.filter(pk=source.pk).update(
        published_date=dt.date(1, 1, 1), published_precision="year"
    )
    assert PartialDate.from_stored(dt.date(202, 3, 5), "day").display() == "5 March 202"
    for url in (
        reverse("web:agency", args=[partnership.agency_id]),
        reverse("web:table"),
        reverse("api:partnership-list"),
        reverse("api:partnership-detail", args=[partnership.pk]),
        reverse("api:source-list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "0202-03-05" in client.get(reverse("api:partnership-list")).content.decode()
    csv = client.get(reverse("api:export-partnerships-csv"))
    assert "0202-03-05" in b"".join(csv.streaming_content).decode()


@pytest.mark.django_db
def test_a_tip_with_control_characters_is_stored_clean(client):
    from tests.factories import TechnologyFactory

    technology = TechnologyFactory()
    client.post(
        reverse("submissions:submit"),
        {
            "agency_name": "Bell\x07 Police Department",
            "agency_state": "MI",
            "agency_kind": "police",
            "agency_is_new": "on",
            "technology": str(technology.pk),
            "description": "First\r\nsecond\x01",
            "source_1_url": "https://news.example.org/a",
            "source_1_title": "Title\x1b",
        },
    )
    submission = Submission.objects.get()
    assert submission.agency_name == "Bell Police Department"
    assert submission.description == "First\nsecond"
    assert submission.sources.get().title == "Title"


def test_a_nul_anywhere_in_an_import_file_refuses_it():
    header = b'"AOSNUMBER","Agency"\n'
    late = header + b'"AOS1","' + b"x" * 70_000 + b'"\n"AOS2","Nul\x00 Town"\n'
    with pytest.raises(FileRefused, match="NUL byte at offset 70"):
        read_atlas(late)
    with pytest.raises(FileRefused, match="NUL"):
        read_rows('"a"\n"b\x00"\n', required=["a"], what="a test file")


def test_the_readers_clean_every_cell():
    _header, rows = read_rows(
        '"a","b"\n"Bell\x07","two\r\nlines"\n', required=["a", "b"], what="a test file"
    )
    assert rows[0].cells == {"a": "Bell", "b": "two\nlines"}


@pytest.mark.django_db
def test_the_feed_stays_well_formed_whatever_the_history_holds(client):
    partnership = PartnershipFactory()
    # Stored before input was cleaned (or by raw SQL): U+0007 is no XML character.
    partnership.agency.history.update(name="Bell\x07 Police\x01 Department")
    response = client.get(reverse("changelog:feed"))
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Bell Police Department" in title for title in titles)


@pytest.mark.django_db
def test_a_credit_with_a_line_break_never_reaches_a_header(client):
    partnership = PartnershipFactory()
    Partnership.objects.filter(pk=partnership.pk).update(
        attribution="Evil Corp\r\nSet-Cookie: pwned=1"
    )
    for name in ("api:export-partnerships-csv", "api:export-partnerships-geojson"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "pwned" not in response.cookies
        assert "Evil Corp Set-Cookie: pwned=1" in response["X-Attribution"]
        assert b"Evil Corp" in b"".join(response.streaming_content)
