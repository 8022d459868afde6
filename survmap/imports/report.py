"""What an import did, counted and explained: the summary a command prints and tests read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from survmap.imports.fields import FieldWarning
from survmap.records.plans import ApplyReport, Outcome


class RowError(Exception):
    """A row that cannot be imported; `reason` is the short label counted in the summary."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class ImportReport:
    rows_read: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)
    changes: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    # Rows left for a moderator because the matcher would not decide their agency.
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    bulk_rows: int = 0
    notes: list[tuple[int, str]] = field(default_factory=list)
    dropped_links: list[tuple[int, str]] = field(default_factory=list)
    counties_matched: int = 0
    counties_unmatched: int = 0
    counties_corrected: int = 0
    no_county: int = 0
    unmatched_counties: Counter[str] = field(default_factory=Counter)
    # Values dropped from rows that were kept (line, column, value, why), for a moderator.
    warnings: list[FieldWarning] = field(default_factory=list)
    dry_run: bool = False
    # Where a moderator finds these lines after the run (imports.runs.run_record): not a dry run.
    run_id: int | None = None
    run_path: str = ""
    run_notes: int = 0

    @property
    def created(self) -> int:
        return self.outcomes[Outcome.CREATED]

    @property
    def updated(self) -> int:
        return self.outcomes[Outcome.UPDATED]

    @property
    def unchanged(self) -> int:
        return self.outcomes[Outcome.UNCHANGED]

    @property
    def rejected_count(self) -> int:
        return sum(self.rejected.values())

    def take(self, applied: ApplyReport) -> None:
        """Add what the records service did with the planned rows."""
        self.outcomes.update(applied.outcomes)
        self.rejected.update(applied.rejected)
        self.errors = sorted(self.errors + applied.errors, key=lambda item: item[0])
        self.changes.extend(applied.changes)
        self.conflicts.extend(applied.conflicts)
        self.unmatched.extend(applied.unmatched)
        self.bulk_rows += applied.bulk_rows
        for line, column, value, reason in applied.dropped:
            self.warn(FieldWarning(line=line, column=column, value=value, reason=reason))

    def reject(self, line: int, error: RowError) -> None:
        self.rejected[error.reason] += 1
        self.errors.append((line, error.detail))

    def warn(self, warning: FieldWarning) -> None:
        self.warnings.append(warning)

    @property
    def refused_lines(self) -> set[int]:
        return {line for line, _ in self.errors}

    @property
    def warned_lines(self) -> set[int]:
        """Lines of rows imported with a value dropped."""
        return {warning.line for warning in self.warnings} - self.refused_lines

    @property
    def conflict_lines(self) -> set[int]:
        """Lines of rows imported with a value not written because a person's edit stands."""
        return {line for line, _ in self.conflicts} - self.refused_lines

    @property
    def imported_whole(self) -> int:
        """Rows imported with every value they gave (created, updated or unchanged)."""
        imported = self.created + self.updated + self.unchanged
        return imported - len(self.warned_lines | self.conflict_lines)

    def summary_lines(self, *, details: int = 20) -> list[str]:
        """The summary: counts first, then the first `details` errors and changes by line."""
        head = "Dry run, nothing written. " if self.dry_run else ""
        lines = [
            f"{head}Rows read: {self.rows_read}; created: {self.created}; updated: "
            f"{self.updated}; unchanged: {self.unchanged}; rejected: {self.rejected_count}.",
        ]
        lines.append(
            f"Rows imported whole: {self.imported_whole}; imported with warnings: "
            f"{len(self.warned_lines)}; conflicts with people's edits: "
            f"{len(self.conflict_lines)}; refused: {self.rejected_count}."
        )
        if self.run_id is not None:
            lines.append(
                f"Kept for moderators as import run {self.run_id}, {self.run_notes} lines to "
                f"check: {self.run_path}"
            )
        if self.rejected:
            reasons = ", ".join(f"{reason}: {n}" for reason, n in self.rejected.most_common())
            lines.append(f"Rejected rows by reason: {reasons}.")
        matching = (self.counties_matched, self.counties_unmatched, self.no_county)
        if any(matching):  # our own CSV gives FIPS codes: nothing to match
            lines.append(
                f"Counties: {self.counties_matched} rows matched, {self.counties_unmatched} with "
                f"county text not matched, {self.counties_corrected} spellings corrected, "
                f"{self.no_county} rows without a county."
            )
        if self.unmatched_counties:
            shown = "; ".join(f"{text} ({n})" for text, n in self.unmatched_counties.most_common())
            lines.append(f"Unmatched county text: {shown}.")
        if self.conflicts:
            lines.append(
                f"Conflicts (a person's edit kept; a moderator settles each in the admin): "
                f"{len(self.conflicts)}."
            )
        if self.unmatched:
            lines.append(
                f"Agencies not decided (several could be meant, or none is known where the "
                f"source may only match; a moderator chooses): {len(self.unmatched)}."
            )
        if self.dropped_links:
            lines.append(
                f"Links dropped (not a valid http or https address): {len(self.dropped_links)}."
            )
        warnings = [(warning.line, f"{warning.column} {warning.value!r}: {warning.reason}")
                    for warning in self.warnings]  # fmt: skip
        for title, items in (
            ("Rejected", self.errors),
            ("Warning", warnings),
            ("Changed", self.changes),
            ("Conflict", self.conflicts),
            ("Agency not decided", self.unmatched),
            ("Dropped", self.dropped_links),
        ):
            for line, text in items[:details]:
                lines.append(f"  {title}, line {line}: {text}")
            if len(items) > details:
                lines.append(f"  ... and {len(items) - details} more {title.lower()} rows.")
        return lines
