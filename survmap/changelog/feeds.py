"""The change log as an Atom feed."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from survmap.changelog.selectors import Entry, change_rows, entries
from survmap.common.text import xml_safe

FEED_SIZE = 50


class WellFormedAtomFeed(Atom1Feed):
    """Atom whatever the history holds: text stored before survmap cleaned its input (or
    written by raw SQL) may hold characters XML cannot carry, and Django refuses to write those
    (a 500 until fifty newer changes push the entry out). They are dropped here instead."""

    def add_item(  # type: ignore[override]
        self, title: str, link: str, description: str, **kwargs: Any
    ) -> None:
        kwargs = {
            name: xml_safe(value) if isinstance(value, str) else value
            for name, value in kwargs.items()
        }
        super().add_item(xml_safe(title), xml_safe(link), xml_safe(description), **kwargs)


class ChangesFeed(Feed):
    feed_type = WellFormedAtomFeed
    title = "survmap: changes to the public record"
    subtitle = "Partnerships, agencies, sources and policy decisions added, changed or removed."

    def link(self) -> str:
        return reverse("changelog:changes")

    def items(self) -> list[Entry]:
        return entries(change_rows(offset=0, limit=FEED_SIZE))

    def item_title(self, item: Entry) -> str:
        # Atom titles are plain text; the feed generator escapes them as XML.
        return item.summary

    def item_description(self, item: Entry) -> str:
        # Atom1Feed marks the summary type="html": escape once more so that a feed reader shows
        # whatever a contributor typed as text, never as markup.
        lines: list[str] = [escape(item.summary)]
        lines += [f"Source: {escape(title)} {escape(url)}" for url, title in item.sources]
        return "<br>".join(lines)

    def item_link(self, item: Entry) -> str:
        return item.url or reverse("changelog:changes")

    def item_guid(self, item: Entry) -> str:
        # One history entry, one feed entry, stable across rebuilds of the feed.
        return f"survmap-change:{item.model}:{item.history_id}"

    def item_pubdate(self, item: Entry) -> object:
        return item.when

    def item_updateddate(self, item: Entry) -> object:
        return item.when
