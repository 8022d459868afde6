"""What an import did, counted and explained: the summary a command prints and tests read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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
    bulk_rows: int = 0
    notes: list[tuple[int, str]] = field(default_factory=list)
    dropped_links: list[tuple[int, str]] = field(default_factory=list)
    counties_matched: int = 0
    counties_unmatched: int = 0
    counties_corrected: int = 0
    no_county: int = 0
    unmatched_counties: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

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
        self.bulk_rows += applied.bulk_rows

    def reject(self, line: int, error: RowError) -> None:
        self.rejected[error.reason] += 1
        self.errors.append((line, error.detail))

    def summary_lines(self, *, details: int = 20) -> list[str]:
        """The summary: counts first, then the first `details` errors and changes by line."""
        head = "Dry run, nothing written. " if self.dry_run else ""
        lines = [
            f"{head}Rows read: {self.rows_read}; created: {self.created}; updated: "
            f"{self.updated}; unchanged: {self.unchanged}; rejected: {self.rejected_count}.",
        ]
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
        if self.dropped_links:
            lines.append(
                f"Links dropped (not a valid http or https address): {len(self.dropped_links)}."
            )
        for title, items in (
            ("Rejected", self.errors),
            ("Changed", self.changes),
            ("Conflict", self.conflicts),
            ("Dropped", self.dropped_links),
        ):
            for line, text in items[:details]:
                lines.append(f"  {title}, line {line}: {text}")
            if len(items) > details:
                lines.append(f"  ... and {len(items) - details} more {title.lower()} rows.")
        return lines
