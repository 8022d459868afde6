"""The change log as an Atom feed."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from survmap.changelog.selectors import Entry, FeedScope, change_rows, entries
from survmap.common.text import xml_safe
from survmap.geo.boundaries import Level
from survmap.geo.models import County, State
from survmap.maps.choropleth import level_for_fips
from survmap.records.models import Agency, PolicyEvent, Technology

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


class ChangeEntries:
    """How a change log entry reads in a feed: the whole log's and each followed part's."""

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


class ChangesFeed(ChangeEntries, Feed):
    feed_type = WellFormedAtomFeed
    title = "survmap: changes to the public record"
    subtitle = "Partnerships, agencies, sources and policy decisions added, changed or removed."

    def link(self) -> str:
        return reverse("changelog:changes")

    def items(self) -> list[Entry]:
        return entries(change_rows(offset=0, limit=FEED_SIZE))


class FollowedFeed(ChangeEntries, Feed):
    """What changed in one part of the record, for a reader who follows a place, an agency or
    a technology without an account: new, corrected and ended partnerships there, and the
    policy decisions that touched them. Named after what it follows, linked from its page;
    like the whole log it names no moderator and no contributor."""

    feed_type = WellFormedAtomFeed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def title(self, obj: dict[str, Any]) -> str:
        # A name stored before survmap cleaned its input may hold what XML cannot carry.
        return xml_safe(f"survmap: changes in {obj['name']}")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return xml_safe(
            f"Partnerships of police surveillance in {obj['name']} added, corrected or ended, "
            "and the policy decisions that changed them, each with its sources."
        )

    def link(self, obj: dict[str, Any]) -> str:
        return str(obj["link"])

    def items(self, obj: dict[str, Any]) -> list[Entry]:
        return entries(change_rows(offset=0, limit=FEED_SIZE, scope=obj["scope"]))


def _events(query: Q) -> Any:
    return PolicyEvent.objects.filter(query).values("pk")


class RegionFeed(FollowedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        fips = kwargs["fips"]
        level = level_for_fips(fips)
        if level is None:
            raise Http404("No state or county has this code.")
        if level == Level.STATE:
            state = get_object_or_404(State, fips=fips)
            agencies = Agency.objects.filter(state=state).values("pk")
            name, place = state.name, Q(state=state)
        else:
            county = get_object_or_404(County.objects.select_related("state"), fips=fips)
            agencies = Agency.objects.filter(counties=county).values("pk")
            name = f"{county.full_name}, {county.state.name}"
            place = Q(county=county) | Q(state=county.state, county__isnull=True)
        return {
            "name": name,
            "link": reverse("web:region", args=[fips]),
            "scope": FeedScope(
                agencies=agencies,
                events=_events(Q(partnerships__agency__in=agencies) | place),
            ),
        }


class AgencyFeed(FollowedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        agency = get_object_or_404(Agency, pk=kwargs["pk"])
        return {
            "name": agency.name,
            "link": reverse("web:agency", args=[agency.pk]),
            "scope": FeedScope(
                agencies=[agency.pk], events=_events(Q(partnerships__agency=agency))
            ),
        }


class TechnologyFeed(FollowedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        technology = get_object_or_404(Technology, slug=kwargs["slug"])
        return {
            "name": technology.name,
            "link": reverse("web:technology", args=[technology.slug]),
            "scope": FeedScope(
                technology_id=technology.pk,
                events=_events(Q(technology=technology) | Q(partnerships__technology=technology)),
            ),
        }
