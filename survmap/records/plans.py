"""What a writer wants done to the public record, and who that writer is: the one vocabulary in
which importers, approvals, undo and the admin ask `survmap.records.services` to write.

A plan says only what its writer supplies. Every field defaults to `UNSET` ("this writer does
not supply it"), which is not the same as an empty value: an Atlas row without a summary leaves
the summary alone, a moderator who clears the end date supplies `end=None`. Plans are plain,
frozen data: a parser builds them from a row without touching the database, tests build them
by hand, and the services are the only code that turns them into writes.

How each writer calls it:

- An importer is a parser plus one call. It turns each row into a `PlannedRow` (a line, a
  label, a `PartnershipPlan` with its `AgencyPlan` and `SourcePlan`s) and hands the list to
    services.plans_apply(rows=rows, writer=Writer.import_file("Atlas_2020.csv", source="atlas"))
  which writes new records in bulk and the rest row by row, with the same validation
  (`full_clean`), history and merge policy either way, and returns an `ApplyReport` (outcomes,
  changes, conflicts and rejected rows, each with its line).
- An approval builds the plan from the submission and calls
    services.plan_apply(plan=plan, writer=Writer.submission(submission.pk, moderator))
  and keeps `Applied.journal` (exactly what it changed) for a later undo.
- Undo hands that journal back: `services.journal_revert(journal=..., writer=..., confirm=...)`
  takes back only those changes, and refuses (`LaterChange`, naming it) where a later writer
  touched the same field or link, unless the moderator confirms.
- The admin edits a record through `services.record_edit(instance=..., values=..., writer=
  Writer.moderator(user, reason))`, with model field names, and settles conflicts with
  `services.conflict_settle(...)`.

The merge policy (services.py) reads each record's provenance: who set each field and link
last, when, and what each import source last wrote there. A person's value (moderator, approved
submission, starter fixture) is never replaced by an import; where the import's source changed
its value since it last wrote that field, a `Conflict` is recorded for a moderator to settle and
the import's report lists it with its line. Imports replace what imports wrote, except a
field another import source holds (`provenance.AUTHORITY`: the FBI directory's agency identity).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias, TypeVar, Union

from django.db import models

from survmap.common.dates import PartialDate


class Unset(enum.Enum):
    """The value of a plan field its writer does not supply."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset.UNSET
T = TypeVar("T")
Maybe: TypeAlias = Union[T, Literal[Unset.UNSET]]  # noqa: UP007  (a generic alias needs Union)


def given(value: object) -> bool:
    """Whether a plan field was supplied (empty values count: they say "make it empty")."""
    return value is not UNSET


class WriterKind(models.TextChoices):
    IMPORT = "import", "Import of a source file"
    MODERATOR = "moderator", "Moderator"
    SUBMISSION = "submission", "Approved submission"
    FIXTURE = "fixture", "survmap's own starter records"


@dataclass(frozen=True)
class Writer:
    """Who writes, as provenance records it. `source` is what an import's values are compared
    with across files: every Atlas export is one source ("atlas") under different file names
    (`label`). For the other kinds the key names the person or the approval."""

    kind: WriterKind
    label: str
    source: str = ""
    user_id: int | None = None
    submission_id: int | None = None
    reason: str = ""
    at: dt.datetime | None = None

    @classmethod
    def import_file(cls, label: str, *, source: str = "", reason: str = "") -> Writer:
        return cls(WriterKind.IMPORT, label, source=source or label, reason=reason)

    @classmethod
    def moderator(cls, user: Any, reason: str = "") -> Writer:
        return cls(
            WriterKind.MODERATOR,
            getattr(user, "username", "") or "moderator",
            user_id=getattr(user, "pk", None),
            reason=reason,
        )

    @classmethod
    def submission(cls, submission_id: int, moderator: Any = None, reason: str = "") -> Writer:
        return cls(
            WriterKind.SUBMISSION,
            f"submission {submission_id}",
            user_id=getattr(moderator, "pk", None),
            submission_id=submission_id,
            reason=reason or f"Approved contributor submission {submission_id}",
        )

    @classmethod
    def fixture(cls, label: str, reason: str = "") -> Writer:
        return cls(WriterKind.FIXTURE, label, reason=reason)

    @property
    def key(self) -> str:
        """Who set a field, as provenance stores it: one key per import source, per approval,
        per moderator."""
        if self.kind == WriterKind.IMPORT:
            return f"import:{self.source or self.label}"
        if self.kind == WriterKind.SUBMISSION:
            return f"submission:{self.submission_id}"
        if self.kind == WriterKind.MODERATOR:
            return f"moderator:{self.user_id}"
        return f"fixture:{self.label}"

    @property
    def is_person(self) -> bool:
        """A person's values win over any import's."""
        return self.kind != WriterKind.IMPORT

    @property
    def history_reason(self) -> str:
        if self.reason:
            return self.reason[:100]
        if self.kind == WriterKind.IMPORT:
            return f"Import of {self.label}"[:100]
        return f"{self.get_kind_label()}: {self.label}"[:100]

    def get_kind_label(self) -> str:
        return str(WriterKind(self.kind).label)


@dataclass(frozen=True)
class TechnologyRef:
    """A technology found by slug or by name (ignoring case and punctuation), created with
    `category` if survmap has none. An existing technology is never renamed."""

    name: str
    slug: str = ""
    category: str = ""


@dataclass(frozen=True)
class VendorRef:
    """A vendor found by slug or by name (ignoring case, spaces and punctuation), or created."""

    name: str
    slug: str = ""


@dataclass(frozen=True)
class AgencyPlan:
    """An agency, found by `pk`, else as the matcher decides (records.writing.matching: its ORI,
    its name in its state, narrowed by kind, city and counties, its known names), and created
    when none is found, unless `match_only`. An ambiguous name is never guessed: the row is left
    for a moderator. Counties are links: `add_counties` links them, `remove_counties` unlinks
    them."""

    name: Maybe[str] = UNSET
    state: Maybe[str] = UNSET
    pk: int | None = None
    kind: Maybe[str] = UNSET
    city: Maybe[str] = UNSET
    latitude: Maybe[float | None] = UNSET
    longitude: Maybe[float | None] = UNSET
    ori: Maybe[str] = UNSET
    attribution: Maybe[str] = UNSET
    add_counties: tuple[str, ...] = ()
    remove_counties: tuple[str, ...] = ()
    # A source whose agencies must be in the directory already (plate-reader portals' labels):
    # an agency not found is reported, never created.
    match_only: bool = False


@dataclass(frozen=True)
class SourcePlan:
    """A source, found by `pk`, else by its address, else (a print source, `url=None`) by its
    title and publisher."""

    url: str | None = None
    pk: int | None = None
    title: Maybe[str] = UNSET
    publisher: Maybe[str] = UNSET
    published: Maybe[PartialDate | None] = UNSET
    archive_url: Maybe[str] = UNSET
    accessed_date: Maybe[dt.date | None] = UNSET
    notes: Maybe[str] = UNSET
    attribution: Maybe[str] = UNSET


class Match(models.TextChoices):
    """How a partnership plan without `pk` finds its record when its Atlas id (if any) is new."""

    # Our own record of the same agency, technology and vendor that has no Atlas id yet: an
    # Atlas row adopts it (keeping our fields and credit); our CSV finds its own rows so.
    UNNUMBERED = "unnumbered", "same agency, technology and vendor, without an Atlas id"
    # Any record of the same agency, technology and vendor: a contributor's tip merges into it.
    ANY = "any", "same agency, technology and vendor"
    # Our own record of the same agency, technology, vendor and start, without an Atlas id: our
    # CSV finds its rows so where an agency has several of one technology and vendor.
    SAME_START = "same_start", "same agency, technology, vendor and start, without an Atlas id"
    # None: the writer keeps track of its own records (by `pk`) and this one is new, even if the
    # agency has another of the same technology and vendor (a 2019 lease, a 2023 purchase).
    NEW = "new", "none: a new partnership"


@dataclass(frozen=True)
class PartnershipPlan:
    """A partnership with its agency and sources. Found by `pk`, else by `atlas_id`, else as
    `match` says; created when none is found. Sources are links: `add_sources` cites them
    (finding or creating each), `remove_sources` stops citing them."""

    agency: AgencyPlan
    technology: Maybe[TechnologyRef] = UNSET
    vendor: Maybe[VendorRef | None] = UNSET
    pk: int | None = None
    atlas_id: Maybe[str | None] = UNSET
    product: Maybe[str] = UNSET
    status: Maybe[str] = UNSET
    # When a source last confirmed the status.
    status_as_of: Maybe[PartialDate | None] = UNSET
    start: Maybe[PartialDate | None] = UNSET
    end: Maybe[PartialDate | None] = UNSET
    summary: Maybe[str] = UNSET
    attribution: Maybe[str] = UNSET
    add_sources: tuple[SourcePlan, ...] = ()
    remove_sources: tuple[SourcePlan, ...] = ()
    match: Match = Match.UNNUMBERED
    # Further vendors the source names besides `vendor`: links, added as sources are (the
    # vendor filter finds the partnership under each).
    other_vendors: tuple[VendorRef, ...] = ()


Plan: TypeAlias = AgencyPlan | SourcePlan | PartnershipPlan


@dataclass(frozen=True)
class PlannedRow:
    """One row of an import, planned: its line in the file and a short label for reports. A
    row is a partnership (with its agency and sources), or an agency alone (a directory's row)."""

    line: int
    label: str
    plan: PartnershipPlan | AgencyPlan


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ConflictNote:
    """An import's value that was not written because a person's edit stands (the record keeps
    a `records.Conflict` for a moderator to settle)."""

    model: str
    pk: int
    field: str
    ours: str
    theirs: str
    set_by: str

    def __str__(self) -> str:
        return (
            f"{self.model} {self.pk} {self.field}: kept {self.ours!r} ({self.set_by}), "
            f"source says {self.theirs!r}"
        )


@dataclass
class Applied:
    """What one plan did. `journal` lists exactly what changed, in order (records created,
    fields with their values and provenance before and after, links added or removed): an
    approval keeps it so that its undo takes back only that."""

    record: models.Model
    outcome: Outcome
    changes: list[str] = field(default_factory=list)
    conflicts: list[ConflictNote] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ApplyReport:
    """What `plans_apply` did, row by row (lines from the plans)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    changes: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    # Rows left for a moderator: the agency is ambiguous (the candidates are listed), or not
    # found where the plan may only match.
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    bulk_rows: int = 0  # of the rows, those the bulk path wrote or found unchanged
    # Values a row gave and the writer left unwritten (line, field, value, why): a later row of
    # the file that describes an agency otherwise than an earlier one.
    dropped: list[tuple[int, str, str, str]] = field(default_factory=list)


class LaterChange(Exception):
    """Undo refused: a later change touched what it would take back. The message names it."""

    def __init__(self, message: str, *, submission_ids: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        # Approvals among the later changes, which a confirmed undo takes back first.
        self.submission_ids = submission_ids
