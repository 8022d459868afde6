"""survmap's own researched records (fixtures/research/): read and checked whole, with no
database, then written through the record services like any other data.

The files name records by keys of their own and cite sources by key (the shape is described in
fixtures/research/README.md). A record's key goes into the reason of the history entry that
creates it, so loading again finds it there (a starter record the research refines, by its id)
and creates nothing twice, and a record a moderator deleted is not brought back. A record found
again is rewritten from the files only while its history shows no other writer (no person, no
import); otherwise it keeps its fields and only missing sources and links are added, unless
`update=True`.

A policy event may name the partnerships it changed, and may also give a scope ("every Ring
partnership in effect on 24 January 2024"): the partnerships in that scope when the research is
written are linked too, so writing it again after an Atlas import links the Atlas's ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from survmap.common import statistics
from survmap.common.dates import PartialDate
from survmap.geo.models import County, State
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Source,
    Technology,
    Vendor,
)
from survmap.records.normalize import normalize_name
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    Match,
    Outcome,
    PartnershipPlan,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
)
from survmap.records.services import plan_apply, policy_event_upsert, vendor_get_or_create

RESEARCH_DIR = Path(settings.BASE_DIR) / "fixtures" / "research"
SOURCES_FILE = "sources.json"
RECORDS_FILE = "records.json"
REASON = "survmap research"
# History keeps 100 characters of a reason: "survmap research: <key>".
MAX_KEY = 60

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FIPS = re.compile(r"^\d{5}$")
_STATE = re.compile(r"^[A-Z]{2}$")
# Partnerships are getting a `status_as_of` (when the sources last confirmed the status); until
# plans carry it, the files' values are read and checked but not stored.
_STORES_STATUS_AS_OF = "status_as_of" in {f.name for f in dataclasses.fields(PartnershipPlan)}


class ResearchRefused(Exception):
    """The research files are wrong somewhere; nothing was written. Lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SourceEntry:
    key: str
    url: str
    title: str
    publisher: str
    published: PartialDate | None
    archive_url: str
    notes: str


@dataclass(frozen=True)
class AgencyEntry:
    key: str
    name: str
    state: str
    kind: str
    city: str
    county_fips: tuple[str, ...]


@dataclass(frozen=True)
class VendorEntry:
    name: str
    slug: str


@dataclass(frozen=True)
class PartnershipEntry:
    key: str
    agency: str
    technology: str
    vendor: str
    product: str
    status: str
    status_as_of: PartialDate | None
    start: PartialDate | None
    end: PartialDate | None
    summary: str
    sources: tuple[str, ...]
    starter_pk: int | None = None


@dataclass(frozen=True)
class Scope:
    """Every partnership of this vendor and technology in effect on that day."""

    vendor: str
    technology: str
    in_effect_on: dt.date


@dataclass(frozen=True)
class PolicyEventEntry:
    key: str
    title: str
    kind: str
    when: PartialDate
    actor: str
    vendor: str
    technology: str
    state: str
    county: str
    summary: str
    sources: tuple[str, ...]
    partnerships: tuple[str, ...]
    applies_to: Scope | None = None
    starter_pk: int | None = None
    reported_count: int | None = None


@dataclass(frozen=True)
class Research:
    accessed: dt.date | None
    sources: tuple[SourceEntry, ...]
    vendors: tuple[VendorEntry, ...]
    agencies: tuple[AgencyEntry, ...]
    partnerships: tuple[PartnershipEntry, ...]
    policy_events: tuple[PolicyEventEntry, ...]


class _Checker:
    """Collects every problem in the files instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, item: dict[str, Any], name: str, where: str, *, required: bool = True) -> str:
        value = item.get(name, "")
        if not isinstance(value, str):
            self.problems.append(f"{where}: '{name}' must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.problems.append(f"{where}: '{name}' is missing")
        return value

    def date(self, item: dict[str, Any], name: str, where: str) -> PartialDate | None:
        text = self.text(item, name, where, required=False)
        try:
            return PartialDate.parse(text)
        except ValueError as error:
            self.problems.append(f"{where}: '{name}' {error}")
            return None

    def keys(self, item: dict[str, Any], name: str, where: str, known: set[str]) -> list[str]:
        values = item.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self.problems.append(f"{where}: '{name}' must be a list of keys")
            return []
        for value in values:
            if value not in known:
                self.problems.append(f"{where}: unknown {name[:-1]} '{value}'")
        return values

    def key(self, item: dict[str, Any], where: str, seen: set[str]) -> str:
        key = self.text(item, "key", where)
        if key and not _KEY.match(key):
            self.problems.append(f"{where}: key '{key}' must be lower-case letters, digits, '-'")
        if len(key) > MAX_KEY:
            self.problems.append(f"{where}: key '{key}' is longer than {MAX_KEY} characters")
        if key in seen:
            self.problems.append(f"{where}: key '{key}' is used twice")
        seen.add(key)
        return key

    def count(self, item: dict[str, Any], where: str) -> int | None:
        value = item.get("reported_count")
        whole = isinstance(value, int) and not isinstance(value, bool)
        if value is not None and (not whole or value < 0):
            self.problems.append(f"{where}: 'reported_count' must be a whole number")
            return None
        return value

    def starter_pk(self, item: dict[str, Any], where: str) -> int | None:
        value = item.get("starter_pk")
        if value is not None and (not isinstance(value, int) or value < 1):
            self.problems.append(f"{where}: 'starter_pk' must be a positive whole number")
            return None
        return value


def _items(document: dict[str, Any], name: str, check: _Checker) -> list[dict[str, Any]]:
    items = document.get(name, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        check.problems.append(f"'{name}' must be a list of objects")
        return []
    return items


def _sources(document: dict[str, Any], check: _Checker) -> list[SourceEntry]:
    entries, seen = [], set[str]()
    for number, item in enumerate(_items(document, "sources", check), start=1):
        where = f"source {number}"
        key = check.key(item, where, seen)
        where = f"source '{key or number}'"
        url = check.text(item, "url", where)
        if url and not url.startswith(("http://", "https://")):
            check.problems.append(f"{where}: the address must start with http:// or https://")
        archive = check.text(item, "archive_url", where, required=False)
        if archive and not archive.startswith(("http://", "https://")):
            check.problems.append(f"{where}: the archived copy must be an http(s) address")
        entries.append(
            SourceEntry(
                key=key,
                url=url,
                title=check.text(item, "title", where),
                publisher=check.text(item, "publisher", where),
                published=check.date(item, "published", where),
                archive_url=archive,
                notes=check.text(item, "notes", where, required=False),
            )
        )
    urls = Counter(entry.url for entry in entries)
    check.problems.extend(f"address {url} is listed twice" for url, n in urls.items() if n > 1)
    return entries


def _agencies(document: dict[str, Any], check: _Checker) -> list[AgencyEntry]:
    entries, seen = [], set[str]()
    for number, item in enumerate(_items(document, "agencies", check), start=1):
        key = check.key(item, f"agency {number}", seen)
        where = f"agency '{key or number}'"
        state = check.text(item, "state", where)
        if state and not _STATE.match(state):
            check.problems.append(f"{where}: state '{state}' is not a two-letter code")
        kind = check.text(item, "kind", where)
        if kind and kind not in AgencyKind.values:
            check.problems.append(f"{where}: kind '{kind}' is not one of {AgencyKind.values}")
        fips = item.get("county_fips", [])
        if not isinstance(fips, list) or not all(
            isinstance(code, str) and _FIPS.match(code) for code in fips
        ):
            check.problems.append(f"{where}: 'county_fips' must be a list of five-digit codes")
            fips = []
        entries.append(
            AgencyEntry(
                key=key,
                name=check.text(item, "name", where),
                state=state,
                kind=kind,
                city=check.text(item, "city", where, required=False),
                county_fips=tuple(fips),
            )
        )
    return entries


def _partnerships(
    document: dict[str, Any], check: _Checker, *, agencies: set[str], sources: set[str]
) -> list[PartnershipEntry]:
    entries, seen = [], set[str]()
    for number, item in enumerate(_items(document, "partnerships", check), start=1):
        key = check.key(item, f"partnership {number}", seen)
        where = f"partnership '{key or number}'"
        agency = check.text(item, "agency", where)
        if agency and agency not in agencies:
            check.problems.append(f"{where}: unknown agency '{agency}'")
        status = check.text(item, "status", where)
        if status and status not in PartnershipStatus.values:
            check.problems.append(f"{where}: status '{status}' is not one of survmap's")
        start, end = check.date(item, "start", where), check.date(item, "end", where)
        if start and end and end.last_day() < start.first_day():
            check.problems.append(f"{where}: it ends before it starts")
        cited = check.keys(item, "sources", where, sources)
        if not cited:
            check.problems.append(f"{where}: it cites no source")
        entries.append(
            PartnershipEntry(
                key=key,
                agency=agency,
                technology=check.text(item, "technology", where),
                vendor=check.text(item, "vendor", where, required=False),
                product=check.text(item, "product", where, required=False),
                status=status,
                status_as_of=check.date(item, "status_as_of", where),
                start=start,
                end=end,
                summary=check.text(item, "summary", where),
                sources=tuple(cited),
                starter_pk=check.starter_pk(item, where),
            )
        )
    return entries


def _scope(item: dict[str, Any], where: str, check: _Checker) -> Scope | None:
    scope = item.get("applies_to")
    if scope is None:
        return None
    if not isinstance(scope, dict):
        check.problems.append(f"{where}: 'applies_to' must be an object")
        return None
    day = check.date(scope, "in_effect_on", f"{where} applies_to")
    if day is None:
        check.problems.append(f"{where}: 'applies_to' needs an 'in_effect_on' day")
        return None
    return Scope(
        vendor=check.text(scope, "vendor", f"{where} applies_to"),
        technology=check.text(scope, "technology", f"{where} applies_to"),
        in_effect_on=day.first_day(),
    )


def _policy_events(
    document: dict[str, Any], check: _Checker, *, partnerships: set[str], sources: set[str]
) -> list[PolicyEventEntry]:
    entries, seen = [], set[str]()
    for number, item in enumerate(_items(document, "policy_events", check), start=1):
        key = check.key(item, f"policy event {number}", seen)
        where = f"policy event '{key or number}'"
        kind = check.text(item, "kind", where)
        if kind and kind not in PolicyEventKind.values:
            check.problems.append(f"{where}: kind '{kind}' is not one of {PolicyEventKind.values}")
        when = check.date(item, "date", where)
        if when is None:
            check.problems.append(f"{where}: it needs a date")
        cited = check.keys(item, "sources", where, sources)
        if not cited:
            check.problems.append(f"{where}: it cites no source")
        entries.append(
            PolicyEventEntry(
                key=key,
                title=check.text(item, "title", where),
                kind=kind,
                when=when or PartialDate(2000),
                actor=check.text(item, "actor", where),
                vendor=check.text(item, "vendor", where, required=False),
                technology=check.text(item, "technology", where, required=False),
                state=check.text(item, "state", where, required=False),
                county=check.text(item, "county", where, required=False),
                summary=check.text(item, "summary", where),
                sources=tuple(cited),
                partnerships=tuple(check.keys(item, "partnerships", where, partnerships)),
                applies_to=_scope(item, where, check),
                starter_pk=check.starter_pk(item, where),
                reported_count=check.count(item, where),
            )
        )
    return entries


def parse_research(sources_doc: Any, records_doc: Any) -> Research:
    """Check the two documents whole and return what they say; refuse them with every problem
    listed. Reads no database."""
    check = _Checker()
    if not isinstance(sources_doc, dict) or not isinstance(records_doc, dict):
        raise ResearchRefused(["each research file must hold one JSON object"])
    sources = _sources(sources_doc, check)
    accessed = check.date(sources_doc, "accessed", "sources file")
    source_keys = {entry.key for entry in sources}
    agencies = _agencies(records_doc, check)
    vendors = [
        VendorEntry(
            name=check.text(item, "name", "vendor"), slug=check.text(item, "slug", "vendor")
        )
        for item in _items(records_doc, "vendors", check)
    ]
    partnerships = _partnerships(
        records_doc, check, agencies={entry.key for entry in agencies}, sources=source_keys
    )
    events = _policy_events(
        records_doc,
        check,
        partnerships={entry.key for entry in partnerships},
        sources=source_keys,
    )
    cited = {key for entry in partnerships for key in entry.sources}
    cited |= {key for event in events for key in event.sources}
    check.problems.extend(
        f"source '{key}' is cited by no record" for key in sorted(source_keys - cited)
    )
    if check.problems:
        raise ResearchRefused(check.problems)
    return Research(
        accessed=accessed.first_day() if accessed else None,
        sources=tuple(sources),
        vendors=tuple(vendors),
        agencies=tuple(agencies),
        partnerships=tuple(partnerships),
        policy_events=tuple(events),
    )


def read_research(directory: Path = RESEARCH_DIR) -> Research:
    """Read and check the research files in `directory`."""
    documents = []
    for name in (SOURCES_FILE, RECORDS_FILE):
        try:
            documents.append(json.loads((directory / name).read_text(encoding="utf-8")))
        except json.JSONDecodeError as error:
            raise ResearchRefused([f"{name}: not JSON ({error})"]) from None
    return parse_research(*documents)


@dataclass
class ResearchReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    links: int = 0
    kept: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{name}: {n}" for name, n in sorted(self.outcomes.items()))
        lines = [f"Research records: {counts or 'none'}; policy-event links added: {self.links}."]
        if self.kept:
            shown = ", ".join(self.kept[:10]) + (", ..." if len(self.kept) > 10 else "")
            lines.append(
                f"Found again, fields left as they are ({len(self.kept)}; --update rewrites "
                f"them): {shown}."
            )
        if self.deleted:
            lines.append("Deleted since loaded, not recreated: " + ", ".join(self.deleted) + ".")
        return lines


class _Writer:
    def __init__(self, research: Research, *, update: bool, reason: str) -> None:
        self.research = research
        self.update = update
        self.reason = reason
        self.report = ResearchReport()
        self.sources: dict[str, Source] = {}
        self.agencies: dict[str, Agency] = {}
        self.partnerships: dict[str, Partnership] = {}

    def count(self, model: str, outcome: Outcome) -> None:
        self.report.outcomes[f"{model} {outcome}"] += 1

    def technology(self, slug: str) -> Technology:
        technology = Technology.objects.filter(slug=slug).first()
        if technology is None:
            raise ResearchRefused([f"technology '{slug}' is not recorded"])
        return technology

    def vendor(self, slug: str) -> Vendor | None:
        if not slug:
            return None
        vendor = Vendor.objects.filter(slug=slug).first()
        if vendor is None:
            raise ResearchRefused([f"vendor '{slug}' is not recorded"])
        return vendor

    def place(self, model: type[State] | type[County], code: str) -> Any:
        if not code:
            return None
        found = model.objects.filter(pk=code).first()
        if found is None:
            raise ResearchRefused([f"{model._meta.verbose_name} '{code}' is not recorded"])
        return found

    def fields_may_change(self, instance: Any) -> bool:
        """Whether the files may rewrite the record: asked to, or nobody but the starter load
        and this loader ever wrote it (no person, no import, no other service)."""
        if self.update:
            return True
        history = instance.history.all()
        if history.filter(history_user__isnull=False).exists():
            return False
        return not (
            history.exclude(history_change_reason__isnull=True)
            .exclude(history_change_reason="")
            .exclude(history_change_reason__startswith=REASON)
            .exists()
        )

    def writer(self, key: str) -> Writer:
        """survmap's own research writes as its starter records do: as a person, whose values
        no import replaces. The key names the record in its history."""
        return Writer.fixture("research", reason=self.reason_for(key))

    def reason_for(self, key: str) -> str:
        return f"{self.reason}: {key}"

    def find(
        self, model: type[PartnershipOrEvent], key: str, starter_pk: int | None, **match: Any
    ) -> tuple[PartnershipOrEvent | None, bool]:
        """The record written for `key` before (or the starter record), and whether it was
        deleted since."""
        if starter_pk is not None:
            starter = model._default_manager.filter(pk=starter_pk, **match).first()
            if starter is not None:
                return starter, False
        created = (
            model.history.filter(history_type="+", history_change_reason=self.reason_for(key))
            .values_list("id", flat=True)
            .first()
        )
        if created is None:
            return None, False
        instance = model._default_manager.filter(pk=created).first()
        return instance, instance is None

    def write_sources(self) -> None:
        for entry in self.research.sources:
            found = Source.objects.filter(url=entry.url).first()
            if found is not None and not self.fields_may_change(found):
                self.sources[entry.key] = found
                self.count("source", Outcome.UNCHANGED)
                continue
            plan = SourcePlan(
                url=entry.url,
                title=entry.title,
                publisher=entry.publisher,
                published=entry.published,
                archive_url=entry.archive_url,
                accessed_date=self.research.accessed,
                notes=entry.notes,
            )
            applied = plan_apply(plan=plan, writer=self.writer(entry.key))
            self.sources[entry.key] = applied.record  # type: ignore[assignment]
            self.count("source", applied.outcome)

    def write_agencies(self) -> None:
        for vendor in self.research.vendors:
            self.count("vendor", vendor_get_or_create(name=vendor.name, slug=vendor.slug)[1])
        for entry in self.research.agencies:
            # An agency already recorded (by the starter records, an import or a person) is
            # used as it is: the research adds partnerships to it, not opinions about it.
            agency = Agency.objects.filter(
                normalized_name=normalize_name(entry.name), state_id=entry.state
            ).first()
            if agency is not None and not self.update:
                self.agencies[entry.key] = agency
                self.count("agency", Outcome.UNCHANGED)
                continue
            plan = AgencyPlan(
                name=entry.name,
                state=entry.state,
                kind=entry.kind,
                city=entry.city or UNSET,
                add_counties=entry.county_fips,
            )
            applied = plan_apply(plan=plan, writer=self.writer(entry.key))
            self.agencies[entry.key] = applied.record  # type: ignore[assignment]
            self.count("agency", applied.outcome)

    def write_partnerships(self) -> None:
        for entry in self.research.partnerships:
            agency = self.agencies[entry.agency]
            technology = self.technology(entry.technology)
            vendor = self.vendor(entry.vendor)
            cited = tuple(SourcePlan(pk=self.sources[key].pk) for key in entry.sources)
            found, deleted = self.find(
                Partnership, entry.key, entry.starter_pk, technology=technology
            )
            if deleted:
                self.report.deleted.append(f"partnership {entry.key}")
                continue
            instance = found if isinstance(found, Partnership) else None
            plan: PartnershipPlan
            if instance is not None and not self.fields_may_change(instance):
                # Someone else has written it since: cite what is missing, change nothing else.
                self.report.kept.append(f"partnership {instance.pk} ({entry.key})")
                plan = PartnershipPlan(
                    agency=AgencyPlan(pk=agency.pk), pk=instance.pk, add_sources=cited
                )
            else:
                extra: dict[str, Any] = {}
                if _STORES_STATUS_AS_OF:
                    extra["status_as_of"] = entry.status_as_of
                plan = PartnershipPlan(
                    agency=AgencyPlan(pk=agency.pk),
                    technology=TechnologyRef(name=technology.name, slug=technology.slug),
                    vendor=VendorRef(name=vendor.name, slug=vendor.slug) if vendor else None,
                    pk=instance.pk if instance is not None else None,
                    product=entry.product,
                    status=entry.status,
                    start=entry.start,
                    end=entry.end,
                    summary=entry.summary,
                    add_sources=cited,
                    # The research keeps track of its own records: a second partnership of an
                    # agency with the same technology and vendor is a record of its own.
                    match=Match.NEW,
                    **extra,
                )
            applied = plan_apply(plan=plan, writer=self.writer(entry.key))
            self.partnerships[entry.key] = applied.record  # type: ignore[assignment]
            self.count("partnership", applied.outcome)

    def in_scope(self, scope: Scope | None) -> list[Partnership]:
        if scope is None:
            return []
        return list(
            Partnership.objects.filter(
                vendor__slug=scope.vendor,
                technology__slug=scope.technology,
                start_date__lte=scope.in_effect_on,
            ).filter(Q(end_date__isnull=True) | Q(end_date__gte=scope.in_effect_on))
        )

    def write_policy_events(self) -> None:
        for entry in self.research.policy_events:
            found, deleted = self.find(PolicyEvent, entry.key, entry.starter_pk, kind=entry.kind)
            if deleted:
                self.report.deleted.append(f"policy event {entry.key}")
                continue
            instance = found if isinstance(found, PolicyEvent) else None
            changed = [
                self.partnerships[key] for key in entry.partnerships if key in self.partnerships
            ]
            changed += self.in_scope(entry.applies_to)
            before = 0 if instance is None else instance.partnerships.count()
            may_change = instance is None or self.fields_may_change(instance)
            if instance is not None and not may_change:
                self.report.kept.append(f"policy event {instance.pk} ({entry.key})")
            event, outcome = policy_event_upsert(
                title=entry.title,
                kind=entry.kind,
                when=entry.when,
                actor=entry.actor,
                sources=[self.sources[key] for key in entry.sources],
                partnerships=changed,
                vendor=self.vendor(entry.vendor),
                technology=self.technology(entry.technology) if entry.technology else None,
                state=self.place(State, entry.state),
                county=self.place(County, entry.county),
                summary=entry.summary,
                reported_count=entry.reported_count,
                instance=instance,
                update=may_change,
                reason=self.reason_for(entry.key),
            )
            self.report.links += event.partnerships.count() - before
            self.count("policy event", outcome)


PartnershipOrEvent = Partnership | PolicyEvent


def research_apply(
    research: Research, *, update: bool = False, reason: str = REASON
) -> ResearchReport:
    """Write the research through the record services, all or nothing."""
    writer = _Writer(research, update=update, reason=reason)
    with transaction.atomic():
        writer.write_sources()
        writer.write_agencies()
        writer.write_partnerships()
        writer.write_policy_events()
    statistics.refresh()
    return writer.report
