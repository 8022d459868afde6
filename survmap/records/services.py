"""Every write to the public record goes through here: importers, approvals, undo and the admin
hand plans (plans.py) to `plan_apply` / `plans_apply`, or a person's edit to `record_edit`, and
the same validation (the model's `full_clean`), history, provenance and merge policy
(provenance.py) apply whoever writes.

The public face of the write path; the code is in `survmap.records.writing` (docs/writing.md)."""

from __future__ import annotations

from survmap.records.plans import Outcome
from survmap.records.writing.batch import links_insert, plans_apply, plans_held, records_insert
from survmap.records.writing.conflicts import conflict_settle
from survmap.records.writing.edit import record_edit
from survmap.records.writing.events import policy_event_upsert, policy_event_values
from survmap.records.writing.matching import (
    AgencyIndex,
    AgencyMatch,
    AgencyUnmatched,
    agency_find,
    agency_match,
    agency_name_key,
    ori_of,
    partnership_find,
    source_find,
    technology_find,
    vendor_find,
)
from survmap.records.writing.merging import (
    MergePreview,
    MergeRefused,
    MergeUndoRefused,
    agency_merge,
    alias_add,
    merge_preview,
    merge_undo,
    merge_undo_check,
    vendor_merge,
)
from survmap.records.writing.row_writer import (
    plan_apply,
    technology_get_or_create,
    vendor_get_or_create,
)
from survmap.records.writing.undo import (
    history_restore,
    is_cited,
    journal_revert,
    record_delete,
)
from survmap.records.writing.values import agency_values, partnership_values, source_values

__all__ = [
    "AgencyIndex",
    "AgencyMatch",
    "AgencyUnmatched",
    "MergePreview",
    "MergeRefused",
    "MergeUndoRefused",
    "Outcome",
    "agency_find",
    "agency_match",
    "agency_merge",
    "agency_name_key",
    "agency_values",
    "alias_add",
    "conflict_settle",
    "history_restore",
    "is_cited",
    "journal_revert",
    "links_insert",
    "merge_preview",
    "merge_undo",
    "merge_undo_check",
    "ori_of",
    "partnership_find",
    "partnership_values",
    "plan_apply",
    "plans_apply",
    "plans_held",
    "policy_event_upsert",
    "policy_event_values",
    "record_delete",
    "record_edit",
    "records_insert",
    "source_find",
    "source_values",
    "technology_find",
    "technology_get_or_create",
    "vendor_find",
    "vendor_get_or_create",
    "vendor_merge",
]
