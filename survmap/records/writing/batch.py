"""The bulk writer, `plans_apply`: rows whose records are all new (or all found and
left unchanged by the merge policy) are written a batch at a time with bulk inserts, history and
provenance included, instead of a few dozen queries a row.

Every other row (an update, a conflict, an adopted partnership, a record that fails validation)
goes through the per-row writer (`row_writer.plan_apply`), in a savepoint. Rows keep their file
order: the new rows gathered so far are written before a row goes the per-row way, so that row
sees what the rows before it wrote. If a bulk write fails, it is rolled back to its savepoint
and its rows are redone one by one, so the result, and every row's error message, are the
same.

The bulk path decides with the same code as the per-row path: which records a row means comes
from `matching` (asked of what a batch preloaded), the plan's values from `values`, the policy
from `provenance.decide`, and each new record is checked by the
model's own `full_clean` (less the uniqueness and constraint queries: the batch knows its
records are new, and the database enforces the constraints anyway).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from survmap.common import data_version
from survmap.geo.models import County
from survmap.records import provenance
from survmap.records.models import Agency, Partnership, Source, Technology, Vendor
from survmap.records.plans import (
    UNSET,
    AgencyPlan,
    ApplyReport,
    Match,
    Outcome,
    PartnershipPlan,
    PlannedRow,
    SourcePlan,
    Writer,
    given,
)
from survmap.records.writing import _inserts as inserts
from survmap.records.writing import row_writer
from survmap.records.writing._collector import full_collections_deferred
from survmap.records.writing.matching import (
    NO_SIBLINGS,
    AgencyIndex,
    AgencyKey,
    AgencyUnmatched,
    Siblings,
    agency_key,
    agency_plan_match,
    agency_query,
    agency_who,
    alias_wanted,
    ori_of,
    partnership_pick,
    row_number,
    row_says,
    siblings_of,
    source_key,
)
from survmap.records.writing.values import (
    agency_values,
    partnership_values,
    plan_credit,
    source_values,
)

_FAILURES = (ValidationError, ValueError, DatabaseError)
# What one file says once of a record (`BulkWriter._said_once`): most of its rows' value stands.
AGENCY_SAID_ONCE = ("kind", "city", "latitude", "longitude")
PARTNERSHIP_SAID_ONCE = ("product", "status", "status_as_of", "start", "end", "summary")
SOURCE_SAID_ONCE = ("title", "publisher", "published", "archive_url", "accessed_date", "notes")
# Where in a plan a described record is: its agency, itself, its n-th source.
_Part = tuple[str, int]
# ("agency" or "partnership", which one): a record rows of one file describe.
_Group = tuple[str, Hashable]
# What the bulk path never reads of a stored record (it compares and links, and never saves
# one): two datetimes a record, parsed from text on SQLite, that loading a batch skips.
_STAMPS = ("created_at", "updated_at")


def plans_apply(
    *,
    rows: Sequence[PlannedRow],
    writer: Writer,
    batch_size: int = 500,
    bulk: bool = True,
    progress: bool | None = False,
) -> ApplyReport:
    """Apply many rows' plans, in file order: rows whose records are all new (or all found
    unchanged) go in bulk (multi-row inserts, history included, the same `full_clean`), the
    others through `plan_apply`, each row in a savepoint, a batch committed whole. A refused row
    is reported with its line and skipped."""
    return BulkWriter(writer=writer, batch_size=batch_size, bulk=bulk, progress=progress).run(rows)


def records_insert(
    model: type[models.Model], records: Sequence[models.Model], *, reason: str
) -> None:
    """New records of another app's model (plate-reader observations, sharing links), written
    as the bulk path writes its own: multi-row INSERTs, primary keys set on the records, and
    each record's first history entry with `reason`. The caller has checked them
    (`full_clean`); no signals are sent, as `bulk_create` sends none."""
    inserts.insert(model, records)
    inserts.history_insert(model, records, history_type="+", reason=reason)


def links_insert(
    through: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Rows of plain values (a many-to-many table's pairs of ids, in the order of `attnames`)
    written as multi-row INSERTs, each value converted by its field."""
    inserts.insert_values(through, attnames, rows)


def plans_held() -> AbstractContextManager[None]:
    """For a writer that reads a whole file into plans and then applies them (an importer): run
    both inside this. Every plan lives until the end, so no full garbage collection walks them
    in vain (`_collector`)."""
    return full_collections_deferred()


@dataclass
class BatchRow:
    """One row the bulk path takes: its records, and the new ones among them. A row whose
    records all exist unchanged has no partnership to write (`partnership` is None)."""

    row: PlannedRow
    agency: Agency
    sources: list[Source]
    partnership: Partnership | None
    agency_key: AgencyKey | None = None
    new_agency: bool = False
    counties: list[str] = field(default_factory=list)
    new_sources: dict[Hashable, Source] = field(default_factory=dict)
    other_vendors: list[Vendor] = field(default_factory=list)
    updated_agency: bool = False  # a stored agency this row updates (Batch.updated)


@dataclass(frozen=True)
class AgencyUpdate:
    """A stored agency's changes a row brings, each one the merge policy lets the import write:
    fields (name: (attname, current, wanted)) and counties to link."""

    agency: Agency
    writes: dict[str, tuple[str, Any, Any]]
    links: list[str]


@dataclass
class Batch:
    """The rows taken since the last write, and the new records they share; and the stored
    agencies they update (fields and counties an import may write, nothing a person holds)."""

    rows: list[BatchRow] = field(default_factory=list)
    agencies: dict[AgencyKey, Agency] = field(default_factory=dict)
    updated: dict[int, Agency] = field(default_factory=dict)
    updated_fields: dict[int, set[str]] = field(default_factory=dict)
    added_counties: dict[int, list[str]] = field(default_factory=dict)
    counties: dict[AgencyKey, list[str]] = field(default_factory=dict)
    sources: dict[Hashable, Source] = field(default_factory=dict)
    index: set[Hashable] = field(default_factory=set)

    def take(self, batch_row: BatchRow, index: Hashable) -> None:
        self.rows.append(batch_row)
        if batch_row.new_agency and batch_row.agency_key is not None:
            self.agencies[batch_row.agency_key] = batch_row.agency
            self.counties[batch_row.agency_key] = batch_row.counties
        self.sources.update(batch_row.new_sources)
        if index is not None:
            self.index.add(index)


class BulkWriter:
    def __init__(
        self,
        *,
        writer: Writer,
        batch_size: int = 500,
        bulk: bool = True,
        progress: bool | None = False,
    ) -> None:
        self.writer = writer
        self.batch_size = max(batch_size, 1)
        self.bulk = bulk
        self.progress = progress
        self.report = ApplyReport()
        self.when = provenance.now(writer)
        self.fips: set[str] = set()
        # The agencies the rows may mean, for the matcher (and their counties).
        self.index = AgencyIndex()
        self.siblings: dict[int, Siblings] = {}
        self.sources: dict[Hashable, list[Source]] = {}
        self.numbered: dict[str, Partnership] = {}
        self.by_agency: dict[int, list[Partnership]] = {}
        self.cited: dict[int, set[int]] = {}
        # Keys of sources and Atlas ids looked up and not found (none exist yet).
        self.absent: set[Hashable] = set()
        self.vendors_named: dict[int, set[int]] = {}  # partnership -> its other vendors
        self._reset()

    def _reset(self) -> None:
        self.technologies: dict[Any, Technology] = {}
        self.vendors: dict[Any, Vendor] = {}

    def _said_once(self, rows: Sequence[PlannedRow], before: AgencyIndex) -> list[PlannedRow]:
        """The rows with what a row says of a record that other rows of the same file say
        otherwise dropped, with a note (`ApplyReport.dropped`): the value most of the file's
        rows give stands (the first of them on a tie). Otherwise each row would write its own
        value in turn, and every import of the same file would change the record back and
        forth: an agency's city (the Atlas places West Windsor's police in two towns), a
        partnership's date of confirmation or a source's title (a Flock portal read on 26 April
        and the North Carolina survey of 30 April name one partnership and one portal address).
        An agency is the one the matcher finds as the run starts; a partnership, a row without
        a number of the same agency, technology and vendor (numbered rows are partnerships of
        their own: `Siblings`); a source, its address. A row found by its spelling
        (`matching._spelled`) writes nothing of its agency."""
        said: list[list[tuple[_Part, _Group, str, Any]]] = []
        counted: dict[tuple[_Group, str], Counter[Any]] = defaultdict(Counter)
        for row in rows:
            here = [
                (part, group, name, value)
                for part, group, record, names in _described(row.plan, before)
                for name in names
                if given(value := getattr(record, name))
            ]
            for _, group, name, value in here:
                counted[(group, name)][value] += 1
            said.append(here)
        settled: list[PlannedRow] = []
        for row, here in zip(rows, said, strict=True):
            dropped: dict[_Part, dict[str, Any]] = defaultdict(dict)
            for part, group, name, value in here:
                stands, times = counted[(group, name)].most_common(1)[0]  # first of a tie
                if value == stands:
                    continue
                dropped[part][name] = UNSET
                what = group[0]
                self.report.dropped.append(
                    (
                        row.line,
                        f"{what} {name}",
                        str(value),
                        f"the file gives this {what}'s {name} as {stands} in {times} row(s); "
                        "that stands",
                    )
                )
            settled.append(_without(row, dropped) if dropped else row)
        return settled

    # The loop: a batch commits together (speed); a row is a savepoint in it (all or nothing).

    def run(self, rows: Sequence[PlannedRow]) -> ApplyReport:
        self.fips = set(County.objects.values_list("fips", flat=True))
        # The rows are compared by the agencies they find as the run starts (an index of its
        # own: the batches' index loads each batch's partnerships with its agencies).
        before = AgencyIndex()
        for chunk in _chunks(rows, self.batch_size):
            before.load([query for row in chunk if (query := agency_query(_agency(row)))])
        rows = self._said_once(rows, before)
        # Rows of this run that say the same thing are partnerships of their own.
        partnership_rows = [row for row in rows if isinstance(row.plan, PartnershipPlan)]
        self.siblings = {
            id(row): found
            for row, found in zip(
                partnership_rows,
                siblings_of([row.plan for row in partnership_rows], before),  # type: ignore[misc]
                strict=True,
            )
            if found is not NO_SIBLINGS
        }
        bar = tqdm(
            total=len(rows),
            disable=True if self.progress is False else None,
            unit="row",
            desc="Importing",
            leave=False,
        )
        with bar:
            for batch in _chunks(rows, self.batch_size):
                with transaction.atomic():
                    self._write_batch(batch)
                bar.update(len(batch))
        # Bulk inserts send no signals: tell the caches, once the rows are committed.
        data_version.changed()
        return self.report

    def _write_batch(self, rows: list[PlannedRow]) -> None:
        self._load(rows)
        batch = Batch()
        for row in rows:
            try:
                taken = self._batch_row(row, batch)
            except _FAILURES:
                self._reset()
                taken = None
            if taken is not None:
                batch.take(*taken)
                if taken[0].new_agency:
                    self.index.add(taken[0].agency, taken[0].counties)
                continue
            self._flush(batch)
            batch = Batch()
            self._write_row(row)
            self._reset()
            self._load([row], again=True)
        self._flush(batch)

    def _write_row(self, row: PlannedRow) -> None:
        try:
            applied = row_writer.plan_apply(
                plan=row.plan,
                writer=self.writer,
                line=row.line,
                index=self.index,
                siblings=self.siblings.get(id(row), NO_SIBLINGS),
            )
        except AgencyUnmatched as unmatched:
            self._reset()
            self.report.rejected["agency not matched"] += 1
            self.report.unmatched.append((row.line, f"{row.label}: {unmatched}"))
            return
        except (ValidationError, ValueError, DatabaseError) as error:
            self._reset()
            self.report.rejected["invalid record"] += 1
            self.report.errors.append((row.line, f"{row.label}: {_message(error)}"))
            return
        outcome = applied.outcome
        self.report.outcomes[outcome] += 1
        if applied.changes and outcome != Outcome.CREATED:
            self.report.changes.append((row.line, f"{row.label}: {'; '.join(applied.changes)}"))
        for note in applied.conflicts:
            self.report.conflicts.append((row.line, f"{row.label}: {note}"))

    def _flush(self, batch: Batch) -> None:
        if not batch.rows:
            return
        try:
            with transaction.atomic():
                self._insert(batch)
        except _FAILURES:
            self._reset()
            self.index.drop([batch_row.agency for batch_row in batch.rows if batch_row.new_agency])
            if batch.updated:
                # Their values were set in memory for the rows after them: read them anew.
                self._load([batch_row.row for batch_row in batch.rows], again=True)
            for batch_row in batch.rows:
                self._write_row(batch_row.row)
                self._reset()
                self._load([batch_row.row], again=True)
            return
        for batch_row in batch.rows:
            created = batch_row.partnership is not None or (
                isinstance(batch_row.row.plan, AgencyPlan) and batch_row.new_agency
            )
            outcome = (
                Outcome.CREATED
                if created
                else Outcome.UPDATED
                if batch_row.updated_agency
                else Outcome.UNCHANGED
            )
            self.report.outcomes[outcome] += 1
            if outcome == Outcome.UPDATED:
                name = batch_row.agency.name
                self.report.changes.append(
                    (batch_row.row.line, f"{batch_row.row.label}: agency {name} updated")
                )
            self.report.bulk_rows += 1
            self._note_written(batch_row)

    # What the batch's rows name, as it stands: a handful of queries a batch.

    def _load(self, rows: list[PlannedRow], *, again: bool = False) -> None:
        """Load what these rows name and the writer does not know yet: a handful of queries
        a batch. What this run wrote it knows already (`_note_written`); after a row went the
        per-row way, `again` reloads what that row names."""
        queries = [query for row in rows if (query := agency_query(_agency(row))) is not None]
        agencies = self.index.load(queries, again=again)
        plans = [row.plan for row in rows if isinstance(row.plan, PartnershipPlan)]

        keys_s = {source_key(item) for plan in plans for item in plan.add_sources}
        if not again:
            keys_s -= self.sources.keys() | self.absent
        for skey in keys_s:
            self.sources.pop(skey, None)
        urls = {key[1] for key in keys_s if key[0] == "url"}  # type: ignore[index]
        titles = {key[1] for key in keys_s if key[0] == "print"}  # type: ignore[index]
        found = list(Source.objects.filter(url__in=urls).defer(*_STAMPS)) if urls else []
        if titles:
            found += (
                Source.objects.filter(url__isnull=True, title__in=titles)
                .defer(*_STAMPS)
                .order_by("pk")
            )
        for source in found:
            skey = source_key(source)
            if skey in keys_s:
                self.sources.setdefault(skey, []).append(source)
        self.absent |= keys_s - self.sources.keys()
        self.absent -= self.sources.keys()

        atlas_ids: set[Hashable] = {
            row_number(plan.atlas_id)  # type: ignore[arg-type]
            for plan in plans
            if given(plan.atlas_id) and plan.atlas_id
        }
        if not again:
            atlas_ids -= self.numbered.keys() | self.absent
        for atlas_id in atlas_ids:
            self.numbered.pop(atlas_id, None)  # type: ignore[call-overload]
        agency_pks = [agency.pk for agency in agencies]
        # What matching.partnership_pick may find: by Atlas id, or by agency, technology and
        # vendor among the agencies' partnerships.
        same = Q(agency_id__in=agency_pks)
        partnerships = (
            Partnership.objects.filter(Q(atlas_id__in=atlas_ids) | same)
            .defer(*_STAMPS)
            .order_by("pk")
        )
        for pk in agency_pks:
            self.by_agency[pk] = []
        seen = set()
        for partnership in partnerships:
            seen.add(partnership.pk)
            if partnership.atlas_id:
                self.numbered[partnership.atlas_id] = partnership
            if partnership.agency_id in self.by_agency:
                known = self.by_agency[partnership.agency_id]
                if all(other.pk != partnership.pk for other in known):
                    known.append(partnership)
            self.cited[partnership.pk] = set()
            self.vendors_named[partnership.pk] = set()
        self.absent |= atlas_ids - self.numbered.keys()
        self.absent -= self.numbered.keys()
        for partnership_id, source_id in Partnership.sources.through.objects.filter(
            partnership_id__in=seen
        ).values_list("partnership_id", "source_id"):
            self.cited[partnership_id].add(source_id)
        if any(plan.other_vendors for plan in plans):
            for partnership_id, vendor_id in Partnership.other_vendors.through.objects.filter(
                partnership_id__in=seen
            ).values_list("partnership_id", "vendor_id"):
                self.vendors_named[partnership_id].add(vendor_id)

    def _note_written(self, batch_row: BatchRow) -> None:
        if batch_row.new_agency:
            self.index.written(batch_row.agency)
        for key, source in batch_row.new_sources.items():
            self.sources[key] = [source]
            self.absent.discard(key)
        partnership = batch_row.partnership
        if partnership is None:
            return
        if partnership.atlas_id:
            self.numbered[partnership.atlas_id] = partnership
            self.absent.discard(partnership.atlas_id)
        self.by_agency.setdefault(partnership.agency_id, []).append(partnership)
        self.cited[partnership.pk] = {source.pk for source in batch_row.sources}
        self.vendors_named[partnership.pk] = {other.pk for other in batch_row.other_vendors}

    # Deciding whether a row can go in bulk: writes nothing but new technologies and vendors.

    def _unchanged(self, instance: models.Model, values: dict[str, Any], credit: str = "") -> bool:
        """Whether the merge policy would leave this stored record as it is (no write, no
        conflict to record)."""
        for name, value in values.items():
            current, _ = row_writer.current_value(instance, name)
            wanted = row_writer.comparable(instance, name, value, self.writer, current)
            if current == wanted:
                continue  # the policy's first rule ("same"), without a call per field
            decision = provenance.decide(
                instance, name, current, wanted, self.writer, credit=credit
            )
            if decision != "skip":
                return False
        return True

    def _links_unchanged(
        self, instance: models.Model, link: str, linked: set[Any], wanted: list[Any], credit: str
    ) -> bool:
        for key in wanted:
            if key in linked:
                continue
            decision = provenance.decide(
                instance, f"{link}:{key}", False, True, self.writer, credit=credit
            )
            if decision not in ("same", "skip"):
                return False
        return True

    def _update_planned(
        self, agency: Agency, values: dict[str, Any], counties: list[str], credit: str
    ) -> AgencyUpdate | None:
        """How a stored agency is to be updated in the batch, as the per-row writer would
        (`write_fields`, `write_links`), where the merge policy lets this writer write every
        field and county it changes; None for anything else (a conflict with a person's value,
        a value the model refuses): the per-row writer takes the row. Changes nothing: the row
        that takes the update applies it (`_take_update`)."""
        writes: dict[str, tuple[str, Any, Any]] = {}
        for name, value in values.items():
            current, attname = row_writer.current_value(agency, name)
            wanted = row_writer.comparable(agency, name, value, self.writer, current)
            decision = provenance.decide(agency, name, current, wanted, self.writer, credit=credit)
            if decision in ("conflict", "keep"):
                return None  # the per-row writer records it
            if decision == "write":
                writes[name] = (attname, current, wanted)
        linked = self.index.counties_of(agency)
        links = []
        for fips in counties:
            if fips in linked:
                continue
            name = f"counties:{fips}"
            decision = provenance.decide(agency, name, False, True, self.writer, credit=credit)
            if decision == "conflict":
                return None
            if decision == "write":
                links.append(fips)
        if writes:
            trial = Agency(
                **{f.attname: getattr(agency, f.attname) for f in Agency._meta.concrete_fields}
            )
            for attname, _, wanted in writes.values():
                setattr(trial, attname, wanted)
            try:
                trial.full_clean(
                    exclude=["state"], validate_unique=False, validate_constraints=False
                )
            except ValidationError:
                return None
        return AgencyUpdate(agency, writes, links)

    def _take_update(self, update: AgencyUpdate | None, batch: Batch) -> bool:
        """Apply a planned update to the agency in memory (the rows after it see its values and
        provenance) and hold it for the batch's write. Whether there was one."""
        if update is None:
            return False
        agency = update.agency
        for name, (attname, current, wanted) in update.writes.items():
            provenance.set_writer(agency, name, self.writer, self.when, current)
            setattr(agency, attname, wanted)
        linked = self.index.counties_of(agency)
        for fips in update.links:
            provenance.set_writer(agency, f"counties:{fips}", self.writer, self.when, False)
            linked.add(fips)
        batch.updated[agency.pk] = agency
        batch.updated_fields.setdefault(agency.pk, set()).update(
            attname for attname, _, _ in update.writes.values()
        )
        batch.added_counties.setdefault(agency.pk, []).extend(update.links)
        return True

    def _new(self, instance: models.Model, values: dict[str, Any], exclude: list[str]) -> bool:
        """Give a new record its values and provenance, and check it as full_clean does."""
        for name, value in values.items():
            setattr(instance, name, value)
        # The creator stands for every field and link it set (provenance.last_writer).
        provenance.set_creator(instance, provenance.entry(self.writer, self.when))
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError:
            return False
        return True

    def _technology(self, row: PlannedRow) -> Technology | None:
        ref = row.plan.technology  # type: ignore[union-attr]
        if not given(ref):
            return None
        if ref not in self.technologies:
            self.technologies[ref] = row_writer.technology_of(
                row_writer.Run(self.writer, self.when),
                ref,  # type: ignore[arg-type]
            )
        return self.technologies[ref]

    def _vendor(self, row: PlannedRow) -> Vendor | None:
        ref = row.plan.vendor  # type: ignore[union-attr]
        if not given(ref) or ref is None:
            return None
        if ref not in self.vendors:
            self.vendors[ref] = row_writer.vendor_of(row_writer.Run(self.writer, self.when), ref)  # type: ignore[arg-type]
        return self.vendors[ref]

    def _batch_row(self, row: PlannedRow, batch: Batch) -> tuple[BatchRow, Hashable] | None:
        """The row's records if each is new, or found and left unchanged, as `plan_apply`
        would find and compare them; None for any other row."""
        plan = row.plan
        if isinstance(plan, AgencyPlan):
            return self._agency_row(row, plan, batch)
        if (
            not self.bulk
            or plan.pk is not None
            or plan.remove_sources
            or plan.agency.remove_counties
        ):
            return None
        technology = self._technology(row)
        vendor = self._vendor(row)
        others: list[Vendor] = []
        for ref in plan.other_vendors:
            if ref not in self.vendors:
                self.vendors[ref] = row_writer.vendor_of(
                    row_writer.Run(self.writer, self.when), ref
                )
            found = self.vendors[ref]
            if found != vendor and found not in others:
                others.append(found)
        if technology is None:
            return None
        agency_found = self._agency_found(plan.agency, batch)
        if agency_found is None:
            return None
        agency, key, new_agency, counties, update = agency_found

        sources: list[Source] = []
        new_sources: dict[Hashable, Source] = {}
        for item in plan.add_sources:
            if item.pk is not None:
                return None
            skey = source_key(item)
            values = source_values(item)
            pending = new_sources.get(skey) or batch.sources.get(skey)
            known = self.sources.get(skey, [])
            if pending is not None:
                if not self._unchanged(pending, values):
                    return None
                source = pending
            elif known:
                if len(known) > 1 or not self._unchanged(known[0], values, plan_credit(item)):
                    return None  # of several print sources alike, the database's to say
                source = known[0]
            else:
                source = Source(url=(item.url or "").strip() or None)
                if not self._new(source, values, []):
                    return None
                new_sources[skey] = source
            if all(source is not other for other in sources):
                sources.append(source)

        atlas_id = row_number(plan.atlas_id) if given(plan.atlas_id) else ""  # type: ignore[arg-type]
        who = agency.pk if agency.pk is not None else id(agency)
        triple = (who, technology.pk, vendor.pk if vendor else None)
        index: Hashable = ("atlas", atlas_id) if atlas_id else ("triple", triple)
        if index in batch.index or ("triple", triple) in batch.index:
            return None  # the batch creates it: the per-row way finds it once written
        # As matching.partnership_find finds it, among what the batch loaded.
        pick = partnership_pick(
            plan,
            agency_id=agency.pk,
            technology_id=technology.pk,
            vendor_id=vendor.pk if vendor else None,
            numbered=self.numbered.get(atlas_id) if atlas_id else None,
            candidates=self.by_agency.get(agency.pk, []) if agency.pk is not None else [],
            siblings=self.siblings.get(id(row), NO_SIBLINGS),
        )
        if pick.adopt:
            return None  # our partnership to adopt: the per-row path does it
        instance = pick.partnership
        values = row_writer.numbered_values(
            partnership_values(plan, agency=agency, technology=technology, vendor=vendor), pick
        )
        if instance is not None:
            credit = plan_credit(plan)
            if new_agency or new_sources:
                return None
            cited = {str(pk) for pk in self.cited.get(instance.pk, set())}
            if not self._unchanged(instance, values, credit) or not self._links_unchanged(
                instance, "sources", cited, [str(source.pk) for source in sources], credit
            ):
                return None
            named = {str(pk) for pk in self.vendors_named.get(instance.pk, set())}
            if others and not self._links_unchanged(
                instance, "other_vendors", named, [str(other.pk) for other in others], credit
            ):
                return None
            return (
                BatchRow(
                    row=row,
                    agency=agency,
                    sources=sources,
                    partnership=None,
                    updated_agency=self._take_update(update, batch),
                ),
                None,
            )
        partnership = Partnership()
        if not self._new(partnership, values, ["agency", "technology", "vendor"]):
            return None
        start: dt.date | None = partnership.start_date
        end: dt.date | None = partnership.end_date
        if start is not None and end is not None and end < start:
            return None  # the database constraint; the per-row path says so in words
        batch_row = BatchRow(
            row=row,
            agency=agency,
            sources=sources,
            partnership=partnership,
            agency_key=key,
            new_agency=new_agency,
            counties=counties,
            new_sources=new_sources,
            other_vendors=others,
            updated_agency=self._take_update(update, batch),
        )
        return batch_row, index

    def _agency_found(
        self, plan: AgencyPlan, batch: Batch
    ) -> tuple[Agency, AgencyKey, bool, list[str], AgencyUpdate | None] | None:
        """The row's agency as the per-row writer would find it: new, or found and left
        unchanged (with its key, whether it is new, and the counties the row links); None when
        the per-row writer must take the row (a change, a refusal, a name to keep as an
        alias)."""
        key = agency_key(plan)
        if key is None or not set(plan.add_counties) <= self.fips:
            return None  # the per-row writer says which code is unknown
        match = agency_plan_match(plan, self.index)
        if match.rule == "ambiguous" or (match.agency is None and plan.match_only):
            return None  # the per-row writer reports it
        values = agency_values(plan)
        credit = plan_credit(plan)
        counties = list(dict.fromkeys(plan.add_counties))
        agency = match.agency
        new_agency = False
        update = None
        if agency is not None and match.rule == "spelled":
            return agency, key, False, [], None  # as `row_writer._apply_agency`: nothing written
        if agency is not None and agency.pk is None:  # one this batch creates
            key = (agency.normalized_name, agency.state_id)
            if not self._unchanged(agency, values) or not set(counties) <= set(batch.counties[key]):
                return None
        elif agency is not None:
            if alias_wanted(agency, plan.name, self.writer, self.index):  # type: ignore[arg-type]
                return None
            if not self._unchanged(agency, values, credit) or not self._links_unchanged(
                agency, "counties", self.index.counties_of(agency), counties, credit
            ):
                if agency.pk in batch.updated:
                    return None  # changed again: each change its own history, as row by row
                update = self._update_planned(agency, values, counties, credit)
                if update is None:
                    return None
        else:
            agency = Agency(name=plan.name, state_id=plan.state)  # type: ignore[misc]
            if not self._new(agency, values, ["state"]) or agency.normalized_name != key[0]:
                return None
            new_agency = True
        return agency, key, new_agency, counties, update

    def _agency_row(
        self, row: PlannedRow, plan: AgencyPlan, batch: Batch
    ) -> tuple[BatchRow, Hashable] | None:
        """A row that is an agency alone (a directory's): new, or found unchanged."""
        if not self.bulk or plan.pk is not None or plan.remove_counties:
            return None
        found = self._agency_found(plan, batch)
        if found is None:
            return None
        agency, key, new_agency, counties, update = found
        if not new_agency and agency.pk is None:
            return None  # named twice in one batch: the per-row way finds it once written
        batch_row = BatchRow(
            row=row,
            agency=agency,
            sources=[],
            partnership=None,
            agency_key=key,
            new_agency=new_agency,
            counties=counties,
            updated_agency=self._take_update(update, batch),
        )
        return batch_row, None

    # Writing a batch.

    def _insert(self, batch: Batch) -> None:
        self._update_agencies(batch)
        agencies = list(batch.agencies.values())
        inserts.insert(Agency, agencies)
        sources = list(batch.sources.values())
        inserts.insert(Source, sources)
        counties = Links.written(
            Agency,
            "counties",
            [
                (batch.agencies[key].pk, fips)
                for key, codes in batch.counties.items()
                for fips in dict.fromkeys(codes)
            ],
        )
        written = [batch_row for batch_row in batch.rows if batch_row.partnership is not None]
        partnerships = []
        for batch_row in written:
            partnership = batch_row.partnership
            assert partnership is not None
            partnership.agency = batch_row.agency
            partnerships.append(partnership)
        inserts.insert(Partnership, partnerships)
        cited = Links.written(
            Partnership,
            "sources",
            [
                (partnership.pk, source.pk)
                for partnership, batch_row in zip(partnerships, written, strict=True)
                for source in batch_row.sources
            ],
        )
        named = Links.written(
            Partnership,
            "other_vendors",
            [
                (partnership.pk, other.pk)
                for partnership, batch_row in zip(partnerships, written, strict=True)
                for other in batch_row.other_vendors
            ],
        )
        reason = self.writer.history_reason
        for model, records in ((Agency, agencies), (Source, sources), (Partnership, partnerships)):
            inserts.history_insert(model, records, history_type="+", reason=reason)
        _linked_history(reason, Agency, agencies, counties)
        _linked_history(reason, Partnership, partnerships, cited)
        # As the per-row writer links other vendors after the sources: one more entry, with both.
        _linked_history(reason, Partnership, partnerships, named, carried=cited)

    def _update_agencies(self, batch: Batch) -> None:
        """The stored agencies the batch updated, written as the per-row writer writes them:
        their fields and provenance (one UPDATE a set of fields) with a history entry holding
        their counties as they were; then their new counties linked, with another entry
        holding them all."""
        updated = list(batch.updated.values())
        if not updated:
            return
        now = timezone.now()
        by_fields: dict[tuple[str, ...], list[Agency]] = defaultdict(list)
        for agency in updated:
            agency.updated_at = now
            names = tuple(sorted(batch.updated_fields[agency.pk] | {"provenance", "updated_at"}))
            by_fields[names].append(agency)
        for names, agencies in by_fields.items():
            Agency.objects.bulk_update(agencies, list(names))
        reason = self.writer.history_reason
        self._agency_history(
            [agency for agency in updated if batch.updated_fields[agency.pk]], reason
        )
        Agency.counties.through.objects.bulk_create(
            [
                Agency.counties.through(agency_id=pk, county_id=fips)
                for pk, codes in batch.added_counties.items()
                for fips in codes
            ]
        )
        self._agency_history(
            [agency for agency in updated if batch.added_counties.get(agency.pk)], reason
        )

    @staticmethod
    def _agency_history(agencies: list[Agency], reason: str) -> None:
        """A '~' history entry for each agency, holding its counties as they stand."""
        if not agencies:
            return
        entries = inserts.history_insert(Agency, agencies, history_type="~", reason=reason)
        entry_of = {agency.pk: entry for agency, entry in zip(agencies, entries, strict=True)}
        linked = Agency.counties.through.objects.filter(agency_id__in=list(entry_of)).values_list(
            "id", "agency_id", "county_id"
        )
        inserts.insert_values(
            Agency.history.model.counties.model,
            ["id", "agency_id", "county_id", "history_id"],
            [(pk, agency_id, fips, entry_of[agency_id]) for pk, agency_id, fips in linked],
        )


@dataclass
class Links:
    """The links of one many-to-many field that a batch wrote: (owner id, target id) pairs,
    and the ids of their rows, which the history's copies of the links keep."""

    model: Any
    name: str
    pairs: list[tuple[Any, Any]]
    ids: list[int]

    @property
    def columns(self) -> tuple[str, str]:
        target = getattr(self.model, self.name).field.related_model
        return f"{self.model._meta.model_name}_id", f"{target._meta.model_name}_id"

    @classmethod
    def written(cls, model: Any, name: str, pairs: list[tuple[Any, Any]]) -> Links:
        links = cls(model, name, pairs, [])
        through = getattr(model, name).through
        links.ids = inserts.insert_values(through, links.columns, pairs)
        return links

    def of(self, owners: set[Any]) -> list[tuple[int, Any, Any]]:
        return [
            (pk, owner, target)
            for pk, (owner, target) in zip(self.ids, self.pairs, strict=True)
            if owner in owners
        ]


def _linked_history(
    reason: str, model: Any, records: list[Any], links: Links, carried: Links | None = None
) -> None:
    """The per-row writer writes a record's links after the record: a '~' entry for each record with
    `links`, holding them (and the `carried` links, made earlier, that the entry also shows)."""
    owners = {owner for owner, _ in links.pairs}
    linked = [record for record in records if record.pk in owners]
    if not linked:
        return
    entries = inserts.history_insert(model, linked, history_type="~", reason=reason)
    entry_of = {record.pk: entry for record, entry in zip(linked, entries, strict=True)}
    for field_links in [links, *([carried] if carried else [])]:
        owner, target = field_links.columns
        inserts.insert_values(
            getattr(model.history.model, field_links.name).model,
            ["id", owner, target, "history_id"],
            [
                (pk, owner_id, target_id, entry_of[owner_id])
                for pk, owner_id, target_id in field_links.of(owners)
            ],
        )


def _agency(row: PlannedRow) -> AgencyPlan:
    plan = row.plan
    return plan if isinstance(plan, AgencyPlan) else plan.agency


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _chunks(items: Sequence[PlannedRow], size: int) -> Iterator[list[PlannedRow]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _described(
    plan: PartnershipPlan | AgencyPlan, before: AgencyIndex
) -> list[tuple[_Part, _Group, AgencyPlan | PartnershipPlan | SourcePlan, tuple[str, ...]]]:
    """The records a plan describes, for `BulkWriter._said_once`: where in the plan (`_Part`),
    which record ("agency", "partnership" or "source" and which one), the part, its fields."""
    agency = plan.agency if isinstance(plan, PartnershipPlan) else plan
    found: list[tuple[_Part, _Group, AgencyPlan | PartnershipPlan | SourcePlan, tuple[str, ...]]]
    found = []
    if agency.pk is None and agency_query(agency) is None and not ori_of(_text(agency.ori)):
        return found
    who, rule = agency_who(agency, before)
    if rule == "ambiguous":
        return found
    if rule != "spelled":
        found.append((("agency", 0), ("agency", who), agency, AGENCY_SAID_ONCE))
    if not isinstance(plan, PartnershipPlan):
        return found
    if (
        plan.pk is None
        and not (given(plan.atlas_id) and plan.atlas_id)
        and plan.match in (Match.UNNUMBERED, Match.ANY)
        and given(plan.technology)
    ):
        found.append(
            (
                ("partnership", 0),
                ("partnership", row_says(plan, before)),
                plan,
                PARTNERSHIP_SAID_ONCE,
            )
        )
    for at, source in enumerate(plan.add_sources):
        if source.pk is None and (source.url or "").strip():
            found.append((("source", at), ("source", source_key(source)), source, SOURCE_SAID_ONCE))
    return found


def _without(row: PlannedRow, dropped: dict[_Part, dict[str, Any]]) -> PlannedRow:
    """The row with the values `BulkWriter._said_once` dropped unset."""
    plan = row.plan
    if not isinstance(plan, PartnershipPlan):
        return replace(row, plan=replace(plan, **dropped.get(("agency", 0), {})))
    sources = tuple(
        replace(source, **dropped[("source", at)]) if ("source", at) in dropped else source
        for at, source in enumerate(plan.add_sources)
    )
    return replace(
        row,
        plan=replace(
            plan,
            agency=replace(plan.agency, **dropped.get(("agency", 0), {})),
            add_sources=sources,
            **dropped.get(("partnership", 0), {}),
        ),
    )


def _text(value: Any) -> str:
    return value if given(value) and isinstance(value, str) else ""
