"""The public change log, read from the edit history of the public records. It names what
changed, when and on what source, never who: no moderator, no contributor, no change reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from survmap.records.models import Agency, Partnership, PolicyEvent, Source

ACTIONS = {"+": "added", "~": "changed", "-": "removed"}
# Bookkeeping fields a reader has no use for.
HIDDEN_FIELDS = {"updated_at", "created_at", "normalized_name"}


def _m2m(name: str) -> Any:
    return apps.get_model("records", name)


def _public_history(kind: str) -> QuerySet:
    """History entries of one model for records that are public now, or were once public and
    have since been deleted. A record never public (no source yet) never shows."""
    partnership_sources = _m2m("HistoricalPartnership_sources")._default_manager
    event_sources = _m2m("HistoricalPolicyEvent_sources")._default_manager
    model: type[models.Model]
    was_public: Any
    if kind == "partnership":
        model = Partnership
        public_now = Q(id__in=Partnership.objects.public().values("pk"))
        was_public = Exists(partnership_sources.filter(partnership_id=OuterRef("id")))
    elif kind == "agency":
        model = Agency
        public_now = Q(id__in=Partnership.objects.public().values("agency_id"))
        was_public = Exists(partnership_sources.filter(history__agency_id=OuterRef("id")))
    elif kind == "source":
        model = Source
        public_now = Q(id__in=Source.objects.public().values("pk"))
        was_public = Exists(partnership_sources.filter(source_id=OuterRef("id"))) | Exists(
            event_sources.filter(source_id=OuterRef("id"))
        )
    else:
        model = PolicyEvent
        public_now = Q(id__in=PolicyEvent.objects.public().values("pk"))
        was_public = Exists(event_sources.filter(policyevent_id=OuterRef("id")))
    deleted = ~Exists(model._default_manager.filter(pk=OuterRef("id")))
    history = model.history.model
    return (
        history._default_manager.filter(public_now | (deleted & was_public))
        .annotate(record_kind=Value(kind, output_field=models.CharField()))
        .order_by()
        .values("history_id", "history_date", "record_kind")
    )


def change_list() -> QuerySet:
    """(history_id, history_date, record_kind) rows of every public change, newest first; paginate
    it, then pass a page to `entries`."""
    parts = [_public_history(kind) for kind in ("partnership", "agency", "source", "policyevent")]
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


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


def _name(getter: Any, default: str) -> str:
    try:
        return str(getter())
    except ObjectDoesNotExist:
        return default


def _label(kind: str, record: Any) -> tuple[str, str]:
    """What the entry is about, and where a reader can see it now (if still public)."""
    if kind == "partnership":
        agency = _name(lambda: record.agency.name, "a removed agency")
        technology = _name(lambda: record.technology.name, "a removed technology")
        url = (
            record.instance.get_absolute_url()
            if Partnership.objects.public().filter(pk=record.id).exists()
            else ""
        )
        return f"{agency}: {technology}", url
    if kind == "agency":
        url = (
            record.instance.get_absolute_url()
            if Partnership.objects.public().filter(agency_id=record.id).exists()
            else ""
        )
        return f"{record.name} ({record.state_id})", url
    if kind == "source":
        return record.title or record.url or "a source", ""
    return record.title, ""


def _sources(kind: str, record: Any) -> list[tuple[str, str]]:
    if kind == "source":
        return [(record.url or "", record.title or record.url or "")]
    if kind not in {"partnership", "policyevent"}:
        return []
    ids = list(record.sources.values_list("source_id", flat=True))
    return [
        (source.url or "", source.title or source.url or "")
        for source in Source.objects.filter(pk__in=ids).order_by("pk")
    ]


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
    """Turn a page of change_list rows into what the page and the feed show."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["record_kind"], []).append(row["history_id"])
    records: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        history = _MODELS[kind].history.model  # type: ignore[attr-defined]
        for record in history.objects.filter(history_id__in=ids):
            records[(kind, record.history_id)] = record
    result = []
    for row in rows:
        record = records[(row["record_kind"], row["history_id"])]
        label, url = _label(row["record_kind"], record)
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
                sources=_sources(row["record_kind"], record),
            )
        )
    return result
