"""Public partnerships as light read-only rows, for the API's list pages and the whole-set
exports.

A model instance costs about a millisecond a partnership once its agency, state, counties,
technology, vendor and sources are instantiated too; these rows are built from tuples in a few
microseconds. They carry every attribute that `FastPartnershipSerializer`, `csv_format.
partnership_row` and the GeoJSON features read, under the same names, so the formats stay
defined once (tests check that rows and model instances give the same output). The partnership's
own fields they carry are those the column table (`records/columns.py`) names as stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet

from survmap.common.dates import PartialDate, PartialPeriod
from survmap.records.columns import STORED_FIELDS
from survmap.records.models import Agency, Partnership, Technology, Vendor

CHUNK_SIZE = 5_000


class Related(list):
    """A list that answers `.all()`, as a prefetched related manager does."""

    def all(self) -> Related:
        return self


@dataclass(slots=True)
class CountyRow:
    fips: str
    full_name: str


@dataclass(slots=True)
class AgencyRow:
    pk: int
    name: str
    kind: str
    city: str
    state_id: str
    latitude: float | None
    longitude: float | None
    ori: str
    attribution: str
    counties: Related


@dataclass(slots=True)
class TechnologyRow:
    pk: int
    name: str
    slug: str
    category: str
    description: str


@dataclass(slots=True)
class VendorRow:
    pk: int
    name: str
    slug: str
    website: str
    parent_id: int | None


@dataclass(slots=True)
class SourceRow:
    pk: int
    url: str | None
    title: str
    publisher: str
    published_date: dt.date | None
    published_precision: str
    archive_url: str
    accessed_date: dt.date | None
    attribution: str

    @property
    def published(self) -> PartialDate | None:
        return PartialDate.from_stored(self.published_date, self.published_precision)


def _status_as_of(row: Any) -> PartialDate | None:
    return PartialDate.from_stored(row.status_as_of_date, row.status_as_of_precision)


# What every row has besides the stored fields of the column table, in constructor order.
_RELATED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("pk", int),
    ("agency", AgencyRow),
    ("technology", TechnologyRow),
    ("vendor", VendorRow | None),
    ("sources", Related),
    ("other_vendors", Related),
    ("created_at", dt.datetime | None),
)

if TYPE_CHECKING:

    class PartnershipRow(PartialPeriod):
        """For the type checker: the row's keys and related records, and, through
        `__getattr__`, the stored fields that columns.STORED_FIELDS names."""

        pk: int
        agency: AgencyRow
        technology: TechnologyRow
        vendor: VendorRow | None
        sources: Related
        other_vendors: Related
        created_at: dt.datetime | None
        status_as_of: PartialDate | None

        def __init__(self, *values: Any) -> None: ...
        def __getattr__(self, name: str) -> Any: ...

else:
    # A slotted dataclass whose plain fields are the column table's stored fields, so a new
    # public field of Partnership reaches the rows by its row in the table.
    PartnershipRow = dataclasses.make_dataclass(
        "PartnershipRow",
        [*_RELATED_FIELDS, *((name, Any) for name in STORED_FIELDS)],
        bases=(PartialPeriod,),
        namespace={"status_as_of": property(_status_as_of)},
        slots=True,
    )
    PartnershipRow.__module__ = __name__


_FIELDS = ("pk", "agency_id", "technology_id", "vendor_id", *STORED_FIELDS)
_KEYS = 4  # pk and the three related ids come first in _FIELDS


class _Lookups:
    """Agencies (with their counties), technologies and vendors by id, each fetched once: an
    agency usually has several partnerships spread over the whole set, and Django's cost per
    id parameter outweighs the query itself. Bounded by the number of such records."""

    def __init__(self) -> None:
        self.agencies: dict[int, AgencyRow] = {}
        self.technologies: dict[int, TechnologyRow] = {}
        self.vendors: dict[int, VendorRow] = {}

    def fetch(self, tuples: list[tuple]) -> None:
        self._agencies({row[1] for row in tuples} - self.agencies.keys())
        _fill(self.technologies, {row[2] for row in tuples}, Technology, TechnologyRow)
        _fill(self.vendors, {row[3] for row in tuples if row[3] is not None}, Vendor, VendorRow)

    def _agencies(self, missing: set[int]) -> None:
        if not missing:
            return
        rows = (
            Agency.objects.filter(pk__in=missing)
            .order_by()
            .values_list(
                "pk", "name", "kind", "city", "state_id", "latitude", "longitude", "ori",
                "attribution",
            )
        )  # fmt: skip
        for pk, name, kind, city, state, lat, lon, ori, attribution in rows:
            self.agencies[pk] = AgencyRow(
                pk, name, kind, city, state, lat, lon, ori, attribution, Related()
            )
        # In the order County's Meta gives (state name, then county name), as a prefetch would.
        links = (
            Agency.counties.through.objects.filter(agency_id__in=missing)
            .order_by("county__state__name", "county__name")
            .values_list("agency_id", "county__fips", "county__full_name")
        )
        for agency_id, fips, full_name in links:
            self.agencies[agency_id].counties.append(CountyRow(fips, full_name))

    def build(
        self, tuples: list[tuple], sources: dict[int, Related], others: dict[int, list[int]]
    ) -> Iterator[PartnershipRow]:
        self.fetch(tuples)
        _fill(self.vendors, {pk for ids in others.values() for pk in ids}, Vendor, VendorRow)
        agencies, technologies, vendors = self.agencies, self.technologies, self.vendors
        for row in tuples:
            pk, agency_id, technology_id, vendor_id = row[:_KEYS]
            stored = row[_KEYS : _KEYS + len(STORED_FIELDS)]
            created = row[_KEYS + len(STORED_FIELDS) :]
            yield PartnershipRow(
                pk,
                agencies[agency_id],
                technologies[technology_id],
                vendors[vendor_id] if vendor_id is not None else None,
                sources.get(pk) or Related(),
                Related(vendors[vendor] for vendor in others.get(pk, ())),
                created[0] if created else None,
                *stored,
            )


def _fill(known: dict[int, Any], ids: set[int], model: type[Model], row: type) -> None:
    """Add to `known` the rows of `model` with these ids that it lacks, as `row` dataclasses
    (whose fields, in order, name the model's columns: pk first)."""
    missing = ids - known.keys()
    if missing:
        columns = [field.name for field in dataclasses.fields(row)]
        for values in (
            model._default_manager.filter(pk__in=missing).order_by().values_list(*columns)
        ):
            known[values[0]] = row(*values)


def _sources(partnerships: Q) -> dict[int, Related]:
    """The sources of the partnerships that `partnerships` selects on the link table, in the
    order the selector gives them (published, then id)."""
    found: dict[int, Related] = {}
    links = (
        Partnership.sources.through.objects.filter(partnerships)
        .order_by("source__published_date", "source_id")
        .values_list(
            "partnership_id",
            "source_id",
            "source__url",
            "source__title",
            "source__publisher",
            "source__published_date",
            "source__published_precision",
            "source__archive_url",
            "source__accessed_date",
            "source__attribution",
        )
    )
    for partnership_id, *fields in links:
        found.setdefault(partnership_id, Related()).append(SourceRow(*fields))
    return found


def _other_vendors(partnerships: Q) -> dict[int, list[int]]:
    """The ids of the other vendors of the partnerships `partnerships` selects on the link
    table, by name as the model instances list them (few partnerships have any)."""
    found: dict[int, list[int]] = {}
    links = (
        Partnership.other_vendors.through.objects.filter(partnerships)
        .order_by("vendor__name")
        .values_list("partnership_id", "vendor_id")
    )
    for partnership_id, vendor_id in links:
        found.setdefault(partnership_id, []).append(vendor_id)
    return found


def partnerships_by_id(ids: Iterable[int]) -> dict[int, PartnershipRow]:
    """The partnerships with these ids (a page of them), whatever their filters were: the
    caller has already chosen the ids."""
    ids = list(ids)
    if not ids:
        return {}
    tuples = list(
        Partnership.objects.filter(pk__in=ids).order_by().values_list(*_FIELDS, "created_at")
    )
    sources = _sources(Q(partnership_id__in=ids))
    others = _other_vendors(Q(partnership_id__in=ids))
    return {row.pk: row for row in _Lookups().build(tuples, sources, others)}


def partnerships_in_order(partnerships: QuerySet[Partnership]) -> Iterator[PartnershipRow]:
    """Every partnership of the queryset in id order, a chunk at a time: memory stays flat
    however many there are. For the exports, whose formats have no `created_at`: it is not
    read (None), which saves converting 100,000 timestamps."""
    related = _Lookups()
    base = partnerships.order_by("pk").values_list(*_FIELDS)
    last = 0
    while True:
        chunk = list(base.filter(pk__gt=last)[:CHUNK_SIZE])
        if not chunk:
            return
        first, last = chunk[0][0], chunk[-1][0]
        # A range, not a list of ids: cheaper to send, and a row that the filters left out is
        # simply never asked for.
        in_chunk = Q(partnership_id__gte=first, partnership_id__lte=last)
        yield from related.build(chunk, _sources(in_chunk), _other_vendors(in_chunk))
