"""What approving a submission would do, field by field, before the moderator decides.

The preview is the approval itself, rolled back: the same records service applies the same
plan under the same merge policy inside a savepoint, and its journal (records created, fields
with their values before and after, links added, values kept against a person's edit) is read
before the savepoint is undone. Nothing is committed, no history kept, no cache bumped (the
data version moves only after a commit), and on PostgreSQL no id taken (`_ids_given_back`).
There is no second copy of the merge logic to drift."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, OperationalError, connections, models, transaction

from survmap.records.display import source_label
from survmap.records.models import Source
from survmap.records.plans import Applied, Writer
from survmap.submissions.models import Submission, SubmissionKind
from survmap.submissions.services import (
    SubmissionError,
    _approve_correction,
    _approve_new_partnership,
)

# Bookkeeping a moderator need not read.
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "provenance", "normalized_name"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class RecordChange:
    kind: str
    name: str
    created: bool
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ApprovalPreview:
    records: list[RecordChange] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def changes_nothing(self) -> bool:
        return not self.error and not self.records


class _RollBack(Exception):
    """Undoes the savepoint once the journal is read."""


def _shown(model_field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _link_label(model: type[models.Model], name: str) -> FieldChange | None:
    """A link field of the journal ('sources:12', 'counties:26099') as a readable change."""
    link, _, key = name.partition(":")
    try:
        relation = model._meta.get_field(link)
    except FieldDoesNotExist:
        return None
    target = relation.related_model._default_manager.filter(pk=key).first()  # type: ignore[union-attr]
    if isinstance(target, Source):
        text = source_label(target) + (f" <{target.url}>" if target.url else "")
    else:
        text = str(target) if target is not None else key
    label = getattr(relation, "verbose_name", link)
    return FieldChange(f"{label}: {text}", "not linked", "linked")


def _describe_entry(entry: dict[str, Any]) -> RecordChange:
    model = apps.get_model(entry["model"])
    instance = model._default_manager.filter(pk=entry["pk"]).first()
    change = RecordChange(
        kind=str(model._meta.verbose_name).capitalize(),
        name=str(instance) if instance is not None else f"#{entry['pk']}",
        created=bool(entry.get("created")),
    )
    if change.created and instance is not None:
        for model_field in model._meta.concrete_fields:
            if model_field.name in HIDDEN_FIELDS:
                continue
            value = getattr(instance, model_field.attname)
            if value is None or value == "":
                continue
            change.fields.append(
                FieldChange(str(model_field.verbose_name), "—", _shown(model_field, value))
            )
        return change
    for name, values in (entry.get("fields") or {}).items():
        if ":" in name:
            link = _link_label(model, name)
            if link is not None:
                change.fields.append(link)
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            model_field = next(f for f in model._meta.concrete_fields if f.attname == name)
        before, after = values[0], values[1]
        change.fields.append(
            FieldChange(
                str(model_field.verbose_name),
                _shown(model_field, before),
                _shown(model_field, after),
            )
        )
    return change


def _describe(applied: Applied) -> ApprovalPreview:
    preview = ApprovalPreview()
    merged: dict[tuple[str, int], RecordChange] = {}
    for entry in applied.journal:
        described = _describe_entry(entry)
        key = (entry["model"], entry["pk"])
        if key in merged:
            merged[key].fields.extend(described.fields)
            merged[key].created = merged[key].created or described.created
        else:
            merged[key] = described
            preview.records.append(described)
    for note in applied.conflicts:
        model = apps.get_model(note.model)
        label = note.field
        with contextlib.suppress(FieldDoesNotExist):
            label = str(model._meta.get_field(note.field).verbose_name)
        preview.kept.append(
            f"{model._meta.verbose_name} {note.pk}, {label}: keeps {note.ours!r} "
            f"({note.set_by}); the submission says {note.theirs!r}"
        )
    return preview


# How long a preview waits for the records' tables before it goes ahead without giving its ids
# back (an import holds them for its whole run).
LOCK_TIMEOUT = "2s"


@contextlib.contextmanager
def _ids_given_back(using: str = "default") -> Iterator[None]:
    """On PostgreSQL, the records' sequences as they were before the preview.

    A sequence is not transactional: the rows the preview inserts are rolled back, but each
    nextval() stays taken, and public ids would skip by the preview's count (8 per preview).
    Setting a sequence back is only safe if nobody else took a value meanwhile, so the records'
    tables are locked first (SHARE ROW EXCLUSIVE: reads go on, inserts by others wait until the
    preview's transaction ends, a few milliseconds), then each sequence's state is read, and after
    the preview it is set back with setval() before the rollback releases the locks. Every
    value of these sequences comes from an insert into its own table, which the lock holds off.
    When the lock is not had within LOCK_TIMEOUT (an import is writing), the preview runs
    without it and its ids stay taken: a gap in the ids, never a reused one. SQLite gives a
    rolled-back id out again by itself."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_app_config("records").get_models(include_auto_created=True)
        }
    )
    quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
    state: list[tuple[str, int, bool]] = []
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
            for table in tables:
                for sequence in connection.introspection.get_sequences(cursor, table):
                    name = connection.ops.quote_name(sequence["name"])
                    cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608
                    last_value, is_called = cursor.fetchone()
                    state.append((sequence["name"], last_value, is_called))
    except OperationalError:
        state = []
    try:
        yield
    finally:
        if state:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                for name, last_value, is_called in state:
                    cursor.execute("SELECT setval(%s, %s, %s)", [name, last_value, is_called])


def approval_preview(*, submission: Submission, moderator: User) -> ApprovalPreview:
    """The changes `submission_approve` would make now, as it would make them."""
    fresh = Submission.objects.select_related(
        "agency", "technology", "vendor", "target_partnership", "target_agency"
    ).get(pk=submission.pk)
    writer = Writer.submission(fresh.pk, moderator)
    preview = ApprovalPreview()
    try:
        with transaction.atomic(), _ids_given_back():
            if fresh.kind == SubmissionKind.CORRECTION:
                applied = _approve_correction(fresh, writer)
            else:
                applied = _approve_new_partnership(fresh, writer)
            if applied is not None:
                preview = _describe(applied)
            raise _RollBack
    except _RollBack:
        pass
    except SubmissionError as error:
        preview.error = str(error)
    except ValidationError as error:
        preview.error = "; ".join(error.messages)
    except ValueError as error:
        preview.error = str(error)
    return preview
