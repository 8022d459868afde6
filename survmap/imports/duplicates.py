"""survmap's known duplicates (fixtures/research/merges.json): agencies and vendors the record
holds twice under two names, merged into one with every other name kept as an alias, and vendor
names that are an agency's, put right. Read and checked whole first (`read_known_duplicates`),
then applied through the write path's merges (`KnownDuplicates.run`): idempotent, so the same
file on an install where it ran already changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from survmap.records.models import AliasSource, Partnership, Vendor, vendor_name_key
from survmap.records.plans import Writer
from survmap.records.services import (
    MergeRefused,
    agency_match,
    agency_merge,
    alias_add,
    record_edit,
    vendor_find,
    vendor_merge,
)

KNOWN_DUPLICATES = Path(settings.BASE_DIR) / "fixtures" / "research" / "merges.json"
LABEL = "fixtures/research/merges.json"
T = TypeVar("T")


class KnownDuplicatesError(ValueError):
    """The file is not what the command reads: every problem, one a line; nothing written."""


@dataclass(frozen=True)
class AgencyNames:
    name: str
    state: str
    city: str = ""


@dataclass(frozen=True)
class AgencyDuplicate:
    keep: AgencyNames
    merge: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class VendorDuplicate:
    keep: str
    merge: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class NotVendor:
    name: str
    agency: AgencyNames
    vendor: str
    partnerships: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class KnownDuplicatesFile:
    agencies: tuple[AgencyDuplicate, ...]
    vendors: tuple[VendorDuplicate, ...]
    not_vendors: tuple[NotVendor, ...]


def _text(item: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key!r} must be a text")
        return ""
    return value.strip()


def _names(item: dict[str, Any], key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    value = item.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: {key!r} must be a list of names")
        return ()
    return tuple(v.strip() for v in value)


def _agency(item: Any, where: str, problems: list[str]) -> AgencyNames:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be {{'name', 'state'}}")
        return AgencyNames("", "")
    return AgencyNames(
        _text(item, "name", where, problems),
        _text(item, "state", where, problems).upper(),
        str(item.get("city") or "").strip(),
    )


def read_known_duplicates(text: str) -> KnownDuplicatesFile:
    """The file read and checked whole: raises `KnownDuplicatesError` listing every problem."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise KnownDuplicatesError(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise KnownDuplicatesError("the file must hold one JSON object")
    problems: list[str] = []

    def entries(key: str, build: Callable[[dict[str, Any], str], T]) -> tuple[T, ...]:
        built = []
        for number, item in enumerate(data.get(key) or []):
            where = f"{key}[{number}]"
            if isinstance(item, dict):
                built.append(build(item, where))
            else:
                problems.append(f"{where}: must be an object")
        return tuple(built)

    agencies = entries(
        "agencies",
        lambda item, where: AgencyDuplicate(
            _agency(item.get("keep"), f"{where}.keep", problems),
            _names(item, "merge", where, problems),
            _text(item, "why", where, problems),
        ),
    )
    vendors = entries(
        "vendors",
        lambda item, where: VendorDuplicate(
            _text(item, "keep", where, problems),
            _names(item, "merge", where, problems),
            _text(item, "why", where, problems),
        ),
    )
    not_vendors = entries(
        "not_vendors",
        lambda item, where: NotVendor(
            _text(item, "name", where, problems),
            _agency(item.get("agency"), f"{where}.agency", problems),
            _text(item, "vendor", where, problems),
            _names(item, "partnerships", where, problems),
            _text(item, "why", where, problems),
        ),
    )
    if problems:
        raise KnownDuplicatesError("\n".join(problems))
    return KnownDuplicatesFile(agencies, vendors, not_vendors)


@dataclass
class Report:
    merged: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not (self.merged or self.aliases or self.fixed or self.left):
            return ["Known duplicates: nothing to do (merged already)."]
        lines = [
            f"Known duplicates: {len(self.merged)} merged, {len(self.aliases)} names kept as "
            f"aliases, {len(self.fixed)} records put right."
        ]
        lines += [f"  merged: {line}" for line in self.merged]
        lines += [f"  alias: {line}" for line in self.aliases]
        lines += [f"  fixed: {line}" for line in self.fixed]
        lines += [f"  left for a moderator: {line}" for line in self.left]
        return lines


def _vendor_named(name: str) -> Vendor | None:
    """The vendor stored under this very name (ignoring case and punctuation), not one that is
    only known by it (`vendor_find` would find the alias's vendor)."""
    key = vendor_name_key(name)
    return next((v for v in Vendor.objects.all() if vendor_name_key(v.name) == key), None)


class KnownDuplicates:
    """Applies the file: each duplicate merged into the record that stays, each other name an
    alias of it (so that a later import finds it), each vendor that is an agency's name put
    right. A record the install lacks is skipped (an install without the Atlas)."""

    def __init__(self, known: KnownDuplicatesFile) -> None:
        self.known = known
        self.report = Report()

    def run(self) -> Report:
        for duplicate in self.known.agencies:
            with transaction.atomic():
                self._agencies(duplicate)
        for vendors in self.known.vendors:
            with transaction.atomic():
                self._vendors(vendors)
        for fix in self.known.not_vendors:
            with transaction.atomic():
                self._not_vendor(fix)
        return self.report

    def _agencies(self, duplicate: AgencyDuplicate) -> None:
        keep = duplicate.keep
        found = agency_match(name=keep.name, state=keep.state, city=keep.city)
        kept = found.agency
        if kept is None or found.rule != "name":
            if found.candidates:
                self.report.left.append(f"{keep.name} ({keep.state}): {found.describe()}")
            return
        writer = Writer.fixture(LABEL, reason=duplicate.why)
        for name in duplicate.merge:
            other = agency_match(name=name, state=keep.state)
            if other.agency is not None and other.agency.pk != kept.pk and other.rule == "name":
                try:
                    merge = agency_merge(
                        kept=kept, removed=other.agency, writer=writer, reason=duplicate.why
                    )
                except MergeRefused as error:
                    self.report.left.append(f"{name} into {kept}: {error}")
                    continue
                self.report.merged.append(f"{name} into {kept} (merge {merge.pk})")
                continue
            if other.rule == "ambiguous":
                self.report.left.append(f"{name} ({keep.state}): {other.describe()}")
                continue
            if other.agency is None and alias_add(
                record=kept, name=name, source=AliasSource.MERGE, note=duplicate.why, reason=LABEL
            ):
                self.report.aliases.append(f"{name} for {kept}")

    def _vendors(self, duplicate: VendorDuplicate) -> None:
        kept = _vendor_named(duplicate.keep)
        if kept is None:
            return
        writer = Writer.fixture(LABEL, reason=duplicate.why)
        for name in duplicate.merge:
            other = _vendor_named(name)
            try:
                if other is not None and other.pk != kept.pk:
                    merge = vendor_merge(
                        kept=kept, removed=other, writer=writer, reason=duplicate.why
                    )
                    self.report.merged.append(f"{name} into {kept} (merge {merge.pk})")
                elif other is None and alias_add(
                    record=kept,
                    name=name,
                    source=AliasSource.MERGE,
                    note=duplicate.why,
                    reason=LABEL,
                ):
                    self.report.aliases.append(f"{name} for {kept}")
            except MergeRefused as error:
                self.report.left.append(f"{name} into {kept}: {error}")

    def _not_vendor(self, fix: NotVendor) -> None:
        found = agency_match(name=fix.agency.name, state=fix.agency.state, city=fix.agency.city)
        agency = found.agency
        vendor = vendor_find(name=fix.vendor)
        if agency is None or vendor is None:
            if found.candidates:
                self.report.left.append(f"{fix.agency.name}: {found.describe()}")
            return
        writer = Writer.fixture(LABEL, reason=fix.why)
        stored = _vendor_named(fix.name)
        if stored is not None and stored.pk != vendor.pk:
            try:
                merge = vendor_merge(
                    kept=vendor,
                    removed=stored,
                    writer=writer,
                    reason=fix.why,
                    name_is_agency=agency,
                )
            except MergeRefused as error:
                self.report.left.append(f"{fix.name}: {error}")
                return
            self.report.fixed.append(
                f"vendor {fix.name!r} is {agency}'s name: its partnerships are {vendor}'s "
                f"(merge {merge.pk})"
            )
        elif alias_add(
            record=agency, name=fix.name, source=AliasSource.MERGE, note=fix.why, reason=LABEL
        ):
            self.report.aliases.append(f"{fix.name} for {agency}")
        # An import that left the vendor out (an agency's name is no vendor) left it empty.
        for partnership in Partnership.objects.filter(
            atlas_id__in=fix.partnerships, vendor__isnull=True
        ):
            record_edit(instance=partnership, values={"vendor": vendor}, writer=writer)
            self.report.fixed.append(f"partnership {partnership.atlas_id}: vendor {vendor}")


def merge_known_duplicates(path: Path = KNOWN_DUPLICATES) -> Report:
    return KnownDuplicates(read_known_duplicates(path.read_text(encoding="utf-8"))).run()
