"""How a record reads on a page: a source's readable name when it has no title, every vendor a
partnership names, and when its status was last confirmed. Pure functions over records (or the
light rows), so the pages, the print view and the tests share one wording."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from survmap.common.dates import PartialDate
from survmap.records.freshness import StatusAge, partnership_status_age

# Sites whose addresses say nothing to a reader: the name people know them by. Matched on the
# host (without "www.") and, where one host serves several products, the start of the path.
KNOWN_SITES: tuple[tuple[str, str, str], ...] = (
    ("google.com", "/maps/d/", "Google My Maps"),
    ("google.com", "/maps", "Google Maps"),
    ("docs.google.com", "/spreadsheets", "Google Sheets"),
    ("docs.google.com", "/document", "Google Docs"),
    ("docs.google.com", "", "Google Docs"),
    ("drive.google.com", "", "Google Drive"),
    ("web.archive.org", "", "Wayback Machine"),
    ("archive.org", "", "Internet Archive"),
    ("facebook.com", "", "Facebook"),
    ("m.facebook.com", "", "Facebook"),
    ("twitter.com", "", "Twitter"),
    ("x.com", "", "X (Twitter)"),
    ("youtube.com", "", "YouTube"),
    ("youtu.be", "", "YouTube"),
    ("instagram.com", "", "Instagram"),
    ("nextdoor.com", "", "Nextdoor"),
    ("muckrock.com", "/foi/", "MuckRock request"),
    ("muckrock.com", "", "MuckRock"),
    ("documentcloud.org", "", "DocumentCloud"),
    ("scribd.com", "", "Scribd"),
    ("auditor.ca.gov", "", "California State Auditor"),
    ("bja.ojp.gov", "", "Bureau of Justice Assistance"),
    ("ring.com", "", "Ring"),
)
# Sites whose address names a person's or an agency's page, not a document: the slug is an
# account name, never a headline.
ACCOUNT_SITES = {"Facebook", "Twitter", "X (Twitter)", "Instagram", "YouTube", "Nextdoor"}

_SLUG_EXTENSION = re.compile(r"\.(s?html?|php|aspx?|jsp|pdf|docx?|cfm)$", re.IGNORECASE)
_SLUG_SPLIT = re.compile(r"[-_+]+|%20|\s+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_VENDORS_LINE = re.compile(r"^Vendors named by the Atlas:\s*(.+?)\.?\s*$", re.MULTILINE)


def site_name(url: str) -> str:
    """The name of the site an address belongs to: a known name, else its host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    bare = host.removeprefix("www.")
    for known_host, path_prefix, name in KNOWN_SITES:
        if bare == known_host and parts.path.startswith(path_prefix):
            return name
    return bare or url


def _slug_words(segment: str) -> str:
    """A path segment read as words ("ring-partners-with-police-123.html" -> "Ring partners
    with police"), or "" when it is an id rather than a phrase."""
    text = _SLUG_EXTENSION.sub("", unquote(segment))
    words = [w for w in _SLUG_SPLIT.split(text) if w]
    # Ids before or after the words (DocumentCloud's "6809938-NYPD-...", "...-89392").
    while words and not _WORD.search(words[0]):
        words.pop(0)
    while words and not _WORD.search(words[-1]):
        words.pop()
    if len(words) < 2 or sum(1 for w in words if _WORD.fullmatch(w)) < 2:
        return ""
    phrase = " ".join(words)
    if phrase.islower():
        phrase = phrase[0].upper() + phrase[1:]
    return phrase[:120]


def headline_from_url(url: str) -> str:
    """The document's name as its address spells it, if it does (the last path segment that
    reads as words), else ""."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    for segment in reversed(segments[-2:]):
        words = _slug_words(segment)
        if words:
            return words
    return ""


def source_label(source: Any) -> str:
    """What a link to the source says: its title, or a name made from its address and its
    publisher ("Google My Maps (Ring)", "latimes.com: Lapd controversial facial recognition
    software (Los Angeles Times)"); never a bare address."""
    title = (getattr(source, "title", "") or "").strip()
    if title:
        return title
    url = getattr(source, "url", "") or ""
    publisher = (getattr(source, "publisher", "") or "").strip()
    if not url:
        return publisher or "A source with no address"
    site = site_name(url)
    headline = "" if site in ACCOUNT_SITES else headline_from_url(url)
    label = f"{site}: {headline}" if headline else site
    if site in ACCOUNT_SITES and headline_from_url(url) == "" and publisher:
        label = f"{site} post"
    if publisher and publisher.lower() not in label.lower():
        label = f"{label} ({publisher})"
    return label


def source_shows_publisher(source: Any) -> bool:
    """Whether the page should add the publisher after the label (a titled source), or the
    label already holds it."""
    return bool((getattr(source, "title", "") or "").strip())


def partnership_vendors(partnership: Any) -> list[str]:
    """Every vendor a partnership names: its vendor, then any others its record lists (the
    Atlas importer writes them on a last line of the summary)."""
    names: list[str] = []
    vendor = getattr(partnership, "vendor", None)
    if vendor is not None:
        names.append(vendor.name)
    # A many-to-many of further vendors, where the model has one.
    others = getattr(partnership, "vendors", None) or getattr(partnership, "other_vendors", None)
    if others is not None and hasattr(others, "all"):
        names.extend(v.name for v in others.all())
    match = _VENDORS_LINE.search(getattr(partnership, "summary", "") or "")
    if match:
        names.extend(name.strip() for name in match.group(1).split(","))
    seen: set[str] = set()
    unique = []
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def as_partial(value: Any) -> PartialDate | None:
    """A date-ish value (a PartialDate, a date, a datetime) as a PartialDate for display."""
    if value is None or value == "":
        return None
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    try:
        return PartialDate.parse(str(value))
    except ValueError:
        return None


def status_confirmed(partnership: Any) -> tuple[str, PartialDate] | None:
    """When the status was last confirmed: the record's own `status_as_of` where it has one,
    else the date of its newest dated source (the status is "as of its latest source")."""
    own_date = getattr(partnership, "status_as_of", None)
    precision = getattr(partnership, "status_as_of_precision", "")
    own = (
        PartialDate.from_stored(own_date, precision)
        if precision and isinstance(own_date, dt.date)
        else as_partial(own_date)
    )
    if own is not None:
        return "last confirmed", own
    dated = [s.published for s in partnership.sources.all() if s.published is not None]
    if dated:
        return "per its latest source", max(dated, key=lambda p: p.first_day())
    return None


def shown_status(partnership: Any, *, today: dt.date | None = None) -> StatusAge:
    """The status as a page shows it: what the sources said and as of when, and whether that is
    too old to rely on (see survmap.records.freshness)."""
    return partnership_status_age(partnership, today=today)


def strip_vendors_line(summary: str) -> str:
    """The summary without the importer's "Vendors named by the Atlas" line (shown as the
    partnership's vendors instead)."""
    return _VENDORS_LINE.sub("", summary).strip()
