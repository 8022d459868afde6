"""How a record reads: readable source names, every vendor, when a status was confirmed."""

import datetime as dt
from types import SimpleNamespace

from survmap.common.dates import PartialDate
from survmap.records import display


def _source(url: str = "", title: str = "", publisher: str = "", published=None):
    return SimpleNamespace(url=url, title=title, publisher=publisher, published=published)


def test_a_ring_map_without_a_title_reads_as_google_my_maps_with_its_publisher():
    source = _source(
        "https://www.google.com/maps/d/u/0/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB&z=101",
        publisher="Ring",
    )
    assert display.source_label(source) == "Google My Maps (Ring)"


def test_an_untitled_article_reads_as_its_site_and_the_words_of_its_address():
    source = _source(
        "https://www.latimes.com/california/story/2020-09-21/lapd-controversial-facial-recognition-software",
        publisher="Los Angeles Times",
    )
    assert display.source_label(source) == (
        "latimes.com: Lapd controversial facial recognition software (Los Angeles Times)"
    )


def test_ids_around_the_words_of_an_address_are_left_out():
    source = _source(
        "https://www.documentcloud.org/documents/6809938-NYPD-Facial-Recognition-Patrol-Guide.html",
        publisher="NYPD",
    )
    # The publisher is not repeated where the label already names it.
    assert display.source_label(source) == "DocumentCloud: NYPD Facial Recognition Patrol Guide"


def test_an_address_made_of_ids_reads_as_its_site_and_publisher_only():
    source = _source("https://bja.ojp.gov/funding/awards/2019-bc-bx-0083", publisher="US DOJ")
    assert display.source_label(source) == "Bureau of Justice Assistance (US DOJ)"


def test_a_social_media_address_is_never_read_as_a_headline():
    source = _source(
        "https://www.facebook.com/Romeo-Police-Department-1259444550753937/photos/a.1/3",
        publisher="Romeo Police Department",
    )
    assert display.source_label(source) == "Facebook post (Romeo Police Department)"


def test_a_title_is_kept_as_it_is_and_the_publisher_is_shown_beside_it():
    source = _source("https://example.org/a-b-c", title="Council approves cameras", publisher="X")
    assert display.source_label(source) == "Council approves cameras"
    assert display.source_shows_publisher(source)
    assert not display.source_shows_publisher(_source("https://example.org/", publisher="X"))


def test_every_vendor_is_listed_once_the_partnerships_first():
    partnership = SimpleNamespace(
        vendor=SimpleNamespace(name="Vigilant Solutions"),
        summary="Operates readers.\n\nVendors named by the Atlas: Vigilant Solutions, Neology/PIPS",
    )
    assert display.partnership_vendors(partnership) == ["Vigilant Solutions", "Neology/PIPS"]
    assert display.strip_vendors_line(partnership.summary) == "Operates readers."


def test_a_status_is_confirmed_by_its_own_date_where_the_record_has_one():
    sources = SimpleNamespace(all=lambda: [SimpleNamespace(published=PartialDate(2019))])
    own = SimpleNamespace(status_as_of=dt.date(2021, 5, 4), sources=sources)
    assert display.status_confirmed(own) == ("last confirmed", PartialDate(2021, 5, 4))


def test_without_its_own_date_a_status_is_as_of_the_newest_dated_source():
    sources = SimpleNamespace(
        all=lambda: [
            SimpleNamespace(published=PartialDate(2018, 3)),
            SimpleNamespace(published=None),
            SimpleNamespace(published=PartialDate(2020, 2, 13)),
        ]
    )
    partnership = SimpleNamespace(sources=sources)
    assert display.status_confirmed(partnership) == (
        "per its latest source",
        PartialDate(2020, 2, 13),
    )
    assert display.status_confirmed(SimpleNamespace(sources=SimpleNamespace(all=list))) is None
