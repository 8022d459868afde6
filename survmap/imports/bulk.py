"""The fast path both importers share: rows whose records are all new (or, for an importer that
says so, all unchanged) are written a batch at a time with bulk inserts, history included,
instead of a few dozen queries a row.

Anything else (an update, an adopted partnership, a record that fails validation) goes the
ordinary per-row way through the services. Rows keep their file order: the new rows gathered so
far are written before a row goes the per-row way, so that row sees what the rows before it
wrote, as it would if every row went that way. If a bulk write fails, it is rolled back to its
savepoint and its rows are redone one by one, so the result, and every row's error message,
are the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from survmap.imports.base import RowImporter
from survmap.records.models import Agency, Partnership, Source
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.services import Outcome

_FAILURES = (ValidationError, ValueError, DatabaseError)


@dataclass
class Fresh:
    """One row the bulk path takes: its records, and the new ones among them. A row whose
    records all exist unchanged has no partnership to write (`partnership` is None)."""

    plan: Any
    agency: Agency
    sources: list[Source]
    partnership: Partnership | None
    agency_key: Hashable = None
    new_agency: bool = False
    counties: list[str] = field(default_factory=list)
    new_sources: dict[Hashable, Source] = field(default_factory=dict)
    # What later rows of the batch look up (e.g. the new partnership by its Atlas id).
    index: dict[Hashable, Any] = field(default_factory=dict)


@dataclass
class Batch:
    """The rows taken since the last write, and the new records they share."""

    rows: list[Fresh] = field(default_factory=list)
    agencies: dict[Hashable, Agency] = field(default_factory=dict)
    counties: dict[Hashable, list[str]] = field(default_factory=dict)
    sources: dict[Hashable, Source] = field(default_factory=dict)
    index: dict[Hashable, Any] = field(default_factory=dict)

    def take(self, fresh: Fresh) -> None:
        # Only a row taken whole adds its new records: one sent the per-row way adds none.
        self.rows.append(fresh)
        if fresh.new_agency:
            self.agencies[fresh.agency_key] = fresh.agency
            self.counties[fresh.agency_key] = fresh.counties
        self.sources.update(fresh.new_sources)
        self.index.update(fresh.index)


class BulkImporter(RowImporter):
    """A RowImporter whose batches go through the bulk path first. Subclasses say which rows it
    may take (`fresh`) and learn what it wrote (`note_written`)."""

    reason = ""

    def fresh(self, plan: Any, batch: Batch) -> Fresh | None:
        """The row's records if the bulk path can write them as the services would; None sends
        the row the per-row way. Writes nothing."""
        raise NotImplementedError

    def note_written(self, fresh: Fresh) -> None:
        """A bulk write committed to its savepoint: its records exist now."""

    def prepare_batch(self, plans: list[Any]) -> None:
        """Load what `fresh` compares the batch's rows against."""

    def after_row(self, plan: Any) -> None:
        """A row went the per-row way (written or rejected): forget what it may have changed."""

    def _write_batch(self, plans: list[Any]) -> None:
        self.prepare_batch(plans)
        batch = Batch()
        for plan in plans:
            try:
                fresh = self.fresh(plan, batch)
            except _FAILURES:
                self._reset_caches()
                fresh = None
            if fresh is not None:
                batch.take(fresh)
                continue
            self._flush(batch)
            batch = Batch()
            self._write_row(plan)
            self.after_row(plan)
        self._flush(batch)

    def _flush(self, batch: Batch) -> None:
        if not batch.rows:
            return
        try:
            with transaction.atomic():
                _insert(self, batch)
        except _FAILURES:
            self._reset_caches()
            for fresh in batch.rows:
                self._write_row(fresh.plan)
                self.after_row(fresh.plan)
            return
        for fresh in batch.rows:
            created = fresh.partnership is not None
            self.report.outcomes[Outcome.CREATED if created else Outcome.UNCHANGED] += 1
            self.note_written(fresh)


def new_agency(*, name: str, state: str, values: dict[str, Any]) -> Agency | None:
    """The agency agency_upsert would create from these values (see services.agency_values),
    or None where its checks would refuse it. The caller knows that no agency of this name
    exists in the state."""
    agency = Agency(name=name, state_id=state, **values)
    # What Agency.clean() does, less its duplicate query.
    agency.name, agency.city = clean_text(agency.name), clean_text(agency.city)
    agency.normalized_name = normalize_name(agency.name)
    if (agency.latitude is None) != (agency.longitude is None):
        return None
    try:
        agency.clean_fields(exclude=["state"])
    except ValidationError:
        return None
    return agency if agency.normalized_name else None


def new_source(*, url: str | None, values: dict[str, Any]) -> Source | None:
    """The source source_upsert would create (see services.source_values), or None where its
    checks would refuse it. The caller knows that no source has this address."""
    source = Source(url=url, **values)
    try:
        source.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError:
        return None
    return source


def new_partnership(values: dict[str, Any]) -> Partnership | None:
    """The partnership partnership_upsert would create (see services.partnership_values), or None
    where its checks would refuse it. The caller knows that its Atlas id, if any, is new."""
    partnership = Partnership(**values)
    start: dt.date | None = partnership.start_date
    end: dt.date | None = partnership.end_date
    if start is not None and end is not None and end < start:
        return None  # the database constraint; the per-row path says so in words
    try:
        partnership.full_clean(
            exclude=["agency", "technology", "vendor"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError:
        return None
    return partnership


def _insert(importer: BulkImporter, batch: Batch) -> None:
    agencies = list(batch.agencies.values())
    Agency.objects.bulk_create(agencies)
    sources = list(batch.sources.values())
    Source.objects.bulk_create(sources)
    for fresh in batch.rows:
        # Stops a run here in tests: agencies and sources written, partnerships not yet.
        importer.checkpoint("sources", fresh.plan.row)
    county_links = [
        Agency.counties.through(agency_id=batch.agencies[key].pk, county_id=fips)
        for key, codes in batch.counties.items()
        for fips in dict.fromkeys(codes)
    ]
    Agency.counties.through.objects.bulk_create(county_links)
    written = [fresh for fresh in batch.rows if fresh.partnership is not None]
    partnerships = []
    for fresh in written:
        assert fresh.partnership is not None
        fresh.partnership.agency = fresh.agency
        partnerships.append(fresh.partnership)
    Partnership.objects.bulk_create(partnerships)
    source_links = [
        Partnership.sources.through(partnership_id=partnership.pk, source_id=source.pk)
        for partnership, fresh in zip(partnerships, written, strict=True)
        for source in fresh.sources
    ]
    Partnership.sources.through.objects.bulk_create(source_links)
    _history(importer.reason, agencies, partnerships, sources, county_links, source_links)


def _history(
    reason: str,
    agencies: list[Agency],
    partnerships: list[Partnership],
    sources: list[Source],
    county_links: list[Any],
    source_links: list[Any],
) -> None:
    """The history the services write: a '+' entry for every record created, as save() writes
    it (before any link), then a '~' entry with its links for each one that has some, as the
    counties.set() or sources.add() after the save writes it."""
    Agency.history.bulk_history_create(agencies, default_change_reason=reason)
    Source.history.bulk_history_create(sources, default_change_reason=reason)
    Partnership.history.bulk_history_create(partnerships, default_change_reason=reason)
    _linked_history(reason, Agency, agencies, "counties", county_links)
    _linked_history(reason, Partnership, partnerships, "sources", source_links)


def _linked_history(
    reason: str, model: Any, records: list[Any], name: str, links: list[Any]
) -> None:
    owner = f"{model._meta.model_name}_id"
    target = f"{getattr(model, name).field.related_model._meta.model_name}_id"
    by_owner: dict[int, list[Any]] = defaultdict(list)
    for link in links:
        by_owner[getattr(link, owner)].append(link)
    linked = [record for record in records if by_owner[record.pk]]
    entries = model.history.bulk_history_create(linked, update=True, default_change_reason=reason)
    history_link = getattr(model.history.model, name).model
    history_link.objects.bulk_create(
        [
            history_link(
                history=entry,
                id=link.pk,
                **{owner: getattr(link, owner), target: getattr(link, target)},
            )
            for entry in entries or []
            for link in by_owner[entry.id]
        ]
    )
