"""The public change log, read from the edit history of the public records. It names what
changed, when and on what source, never who: no moderator, no contributor, no change reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.urls import reverse

from survmap.records.display import source_label
from survmap.records.models import Agency, Partnership, PolicyEvent, Source, Technology

ACTIONS = {"+": "added", "~": "changed", "-": "removed"}
# Bookkeeping fields a reader has no use for.
HIDDEN_FIELDS = {"updated_at", "created_at", "normalized_name"}


def _m2m(name: str) -> Any:
    return apps.get_model("records", name)


@dataclass(frozen=True)
class FeedScope:
    """Part of the record a reader follows (a place, an agency, a technology): its changes are
    those of the partnerships of `agencies` (ids; None for any) of `technology_id` (None for
    any), of those agencies themselves when no technology is named, and of the policy events
    `events` (ids). Sources show through the entries that cite them."""

    agencies: Any = None
    technology_id: int | None = None
    events: Any = None


def _public_history(kind: str, scope: FeedScope | None = None) -> QuerySet:
    """History entries of one model for records that are public now, or were once public and
    have since been deleted. A record never public (no source yet) never shows."""
    partnership_sources = _m2m("HistoricalPartnership_sources")._default_manager
    event_sources = _m2m("HistoricalPolicyEvent_sources")._default_manager
    # Correlated EXISTS, not IN (...): the newest-first walk checks only the rows it shows,
    # instead of first listing every public id.
    model: type[models.Model]
    public_now: Any
    was_public: Any
    if kind == "partnership":
        model = Partnership
        public_now = Exists(Partnership.objects.public().filter(pk=OuterRef("id")))
        was_public = Exists(partnership_sources.filter(partnership_id=OuterRef("id")))
    elif kind == "agency":
        model = Agency
        public_now = Exists(Partnership.objects.public().filter(agency_id=OuterRef("id")))
        was_public = Exists(partnership_sources.filter(history__agency_id=OuterRef("id")))
    elif kind == "source":
        model = Source
        public_now = Exists(Source.objects.public().filter(pk=OuterRef("id")))
        was_public = Exists(partnership_sources.filter(source_id=OuterRef("id"))) | Exists(
            event_sources.filter(source_id=OuterRef("id"))
        )
    else:
        model = PolicyEvent
        public_now = Exists(PolicyEvent.objects.public().filter(pk=OuterRef("id")))
        was_public = Exists(event_sources.filter(policyevent_id=OuterRef("id")))
    deleted = ~Exists(model._default_manager.filter(pk=OuterRef("id")))
    history = model.history.model
    rows = history._default_manager.all()
    if scope is not None:
        if kind == "partnership":
            if scope.agencies is not None:
                rows = rows.filter(agency_id__in=scope.agencies)
            if scope.technology_id is not None:
                rows = rows.filter(technology_id=scope.technology_id)
        elif kind == "agency" and scope.agencies is not None and scope.technology_id is None:
            rows = rows.filter(id__in=scope.agencies)
        elif kind == "policyevent" and scope.events is not None:
            rows = rows.filter(id__in=scope.events)
        else:
            rows = rows.none()
    return (
        rows.filter(public_now | (deleted & was_public))
        .annotate(record_kind=Value(kind, output_field=models.CharField()))
        .order_by()
        .values("history_id", "history_date", "record_kind")
    )


KINDS = ("partnership", "agency", "source", "policyevent")


def change_rows(*, offset: int, limit: int, scope: FeedScope | None = None) -> list[dict[str, Any]]:
    """(history_id, history_date, record_kind) rows of public changes, newest first.

    Each history table is read newest first along its history_date index and only as far as
    the page needs, then the four are merged here: a UNION sorted in the database would read
    and sort every history row of every table for each page."""
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        rows.extend(
            _public_history(kind, scope).order_by("-history_date", "-history_id")[: offset + limit]
        )
    rows.sort(key=lambda row: (row["history_date"], row["history_id"]), reverse=True)
    return rows[offset : offset + limit]


@dataclass
class Entry:
    history_id: int
    model: str
    when: Any
    action: str
    kind: str
    label: str
    url: str
    fields: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"{self.kind.capitalize()} {self.action}: {self.label}"
        if self.fields:
            text += f" (changed: {', '.join(self.fields)})"
        return text


class _Lookups:
    """Names, public status and cited sources for one page of entries, fetched in a few queries
    rather than a few per entry."""

    def __init__(self, records: list[tuple[str, Any]]) -> None:
        def ids(kind: str, attribute: str) -> set[int]:
            return {getattr(r, attribute) for k, r in records if k == kind}

        partnership_ids = ids("partnership", "id")
        agency_ids = ids("agency", "id") | ids("partnership", "agency_id")
        self.agencies = {a.pk: a.name for a in Agency.objects.filter(pk__in=agency_ids)}
        self.technologies = dict(
            Technology.objects.filter(pk__in=ids("partnership", "technology_id")).values_list(
                "pk", "name"
            )
        )
        self.public_partnerships = set(
            Partnership.objects.public().filter(pk__in=partnership_ids).values_list("pk", flat=True)
        )
        self.public_agencies = set(
            Partnership.objects.public()
            .filter(agency_id__in=ids("agency", "id"))
            .values_list("agency_id", flat=True)
        )
        self.public_events = set(
            PolicyEvent.objects.public()
            .filter(pk__in=ids("policyevent", "id"))
            .values_list("pk", flat=True)
        )
        self.cited: dict[tuple[str, int], list[int]] = {}
        for kind, m2m in (
            ("partnership", "HistoricalPartnership_sources"),
            ("policyevent", "HistoricalPolicyEvent_sources"),
        ):
            history_ids = ids(kind, "history_id")
            if not history_ids:
                continue
            for history_id, source_id in (
                _m2m(m2m)
                ._default_manager.filter(history_id__in=history_ids)
                .order_by("source_id")
                .values_list("history_id", "source_id")
            ):
                self.cited.setdefault((kind, history_id), []).append(source_id)
        source_ids = {pk for cited in self.cited.values() for pk in cited}
        self.sources = {
            source.pk: (source.url or "", source_label(source))
            for source in Source.objects.filter(pk__in=source_ids).only(
                "pk", "url", "title", "publisher"
            )
        }

    def label(self, kind: str, record: Any) -> tuple[str, str]:
        """What the entry is about, and where a reader can see it now (if still public)."""
        if kind == "partnership":
            agency = self.agencies.get(record.agency_id, "a removed agency")
            technology = self.technologies.get(record.technology_id, "a removed technology")
            url = ""
            if record.id in self.public_partnerships:
                url = reverse("web:agency", args=[record.agency_id]) + f"#partnership-{record.id}"
            return f"{agency}: {technology}", url
        if kind == "agency":
            url = (
                reverse("web:agency", args=[record.id]) if record.id in self.public_agencies else ""
            )
            return f"{record.name} ({record.state_id})", url
        if kind == "source":
            return source_label(record), ""
        public = record.id in self.public_events
        url = reverse("web:policy_event", args=[record.id]) if public else ""
        return record.title, url

    def cited_sources(self, kind: str, record: Any) -> list[tuple[str, str]]:
        if kind == "source":
            return [(record.url or "", source_label(record))]
        cited = self.cited.get((kind, record.history_id), [])
        return [self.sources[pk] for pk in cited if pk in self.sources]


def _changed_fields(record: Any) -> list[str]:
    if record.history_type != "~":
        return []
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    names = []
    for change in delta.changes:
        if change.field in HIDDEN_FIELDS:
            continue
        model_field = record.instance_type._meta.get_field(change.field)
        names.append(str(model_field.verbose_name))
    return names


_MODELS: dict[str, type[models.Model]] = {
    "partnership": Partnership,
    "agency": Agency,
    "source": Source,
    "policyevent": PolicyEvent,
}


def entries(rows: list[dict[str, Any]]) -> list[Entry]:
    """Turn a page of change_rows into what the page and the feed show."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["record_kind"], []).append(row["history_id"])
    records: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        history = _MODELS[kind].history.model  # type: ignore[attr-defined]
        for record in history.objects.filter(history_id__in=ids):
            records[(kind, record.history_id)] = record
    lookups = _Lookups(
        [(row["record_kind"], records[(row["record_kind"], row["history_id"])]) for row in rows]
    )
    result = []
    for row in rows:
        record = records[(row["record_kind"], row["history_id"])]
        label, url = lookups.label(row["record_kind"], record)
        result.append(
            Entry(
                history_id=record.history_id,
                model=row["record_kind"],
                when=record.history_date,
                action=ACTIONS.get(record.history_type, "changed"),
                kind=str(_MODELS[row["record_kind"]]._meta.verbose_name),
                label=label,
                url=url if record.history_type != "-" else "",
                fields=_changed_fields(record),
                sources=lookups.cited_sources(row["record_kind"], record),
            )
        )
    return result
