"""Per-field provenance and the one merge policy: who set each field and link of a record last,
and whether a writer may write it now.

Stored on the record itself (`provenance`, a JSON field, so it rides along with every save and
bulk insert and is kept in the record's history), compactly, since an import writes it for
thousands of records at once:

    {"e": [["import:atlas", "2026-12-01T20:00:00+00:00", "Atlas_2020.csv"], ...],
     "c": 0,                                  # who created the record
     "f": {"status": 0, "sources:12": 0},     # links are fields named "<link>:<key>"
     "w": {"import:atlas": {"status": "3fa2c1"}}}

"e" lists the writers (key, when, label) once; "f" names the last writer of each field by its
place in "e". "w" holds, for an import source that set a field a person has since changed, a
digest of the value that source last wrote: a later import from that source that still says
the same is skipped quietly; one that now says something else is a conflict for a moderator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from survmap.records.plans import Writer

# "keep": the stored value stays and what the writer's source says is remembered
# (`note_source_value`), without a conflict: another import holds the field (`AUTHORITY`).
Decision = Literal["same", "write", "skip", "keep", "conflict"]
Entry = list[Any]  # [writer key, ISO time, label]


def digest(value: Any) -> str:
    return hashlib.blake2b(encode(value).encode(), digest_size=6).hexdigest()


def encode(value: Any) -> str:
    """A value as JSON text, for digests, journals and conflicts (dates as ISO strings)."""
    return json.dumps(jsonable(value), sort_keys=True)


_DJANGO_JSON = DjangoJSONEncoder()
_JSON_NATIVE = (str, int, float, bool, type(None), list, dict)


def jsonable(value: Any) -> Any:
    """A field's value as JSON can hold it: a record as its key, a date as ISO text, and what
    else a model field may hold (Decimal, UUID, time, duration, lazy text) as Django's own JSON
    encoder writes it, so a new field of any type keeps its journal, conflicts and digests."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, _JSON_NATIVE):
        return value
    return _DJANGO_JSON.default(value)


def entry(writer: Writer, when: dt.datetime) -> Entry:
    return [writer.key, when.isoformat(), writer.label]


def now(writer: Writer) -> dt.datetime:
    return writer.at or timezone.now()


def _index(record: models.Model, found: Entry) -> int:
    data = record.provenance  # type: ignore[attr-defined]
    entries: list[Entry] = data.setdefault("e", [])
    for index, known in enumerate(entries):
        if known == found:
            return index
    entries.append(list(found))
    return len(entries) - 1


def created_by(record: models.Model) -> Entry | None:
    data = record.provenance or {}  # type: ignore[attr-defined]
    index = data.get("c")
    return data["e"][index] if index is not None else None


def set_creator(record: models.Model, found: Entry) -> None:
    record.provenance = {}  # type: ignore[attr-defined]
    record.provenance["c"] = _index(record, found)  # type: ignore[attr-defined]


def writers(record: models.Model) -> dict[str, Entry]:
    """Every field's and link's last writer."""
    data = record.provenance or {}  # type: ignore[attr-defined]
    entries = data.get("e", [])
    return {name: entries[index] for name, index in data.get("f", {}).items()}


def last_writer(record: models.Model, name: str) -> Entry | None:
    """Who set the field last: its own entry, else whoever created the record (a record's
    creator is not repeated for every field it set). A link without an entry was never
    touched by anyone since the record was created."""
    data = record.provenance or {}  # type: ignore[attr-defined]
    index = data.get("f", {}).get(name)
    if index is None and ":" not in name:
        index = data.get("c")
    return data["e"][index] if index is not None else None


def _set(record: models.Model, name: str, found: Entry | None) -> None:
    data = record.provenance  # type: ignore[attr-defined]
    fields = data.setdefault("f", {})
    if found is None:
        fields.pop(name, None)
    else:
        fields[name] = _index(record, found)
    if len(data["e"]) > 16:
        _compact(data)


def _compact(data: dict[str, Any]) -> None:
    """Drop writers no field names any more (long-lived records gather them)."""
    entries = data["e"]
    used = sorted({*data.get("f", {}).values(), *([data["c"]] if "c" in data else [])})
    where = {old: new for new, old in enumerate(used)}
    data["e"] = [entries[old] for old in used]
    data["f"] = {name: where[index] for name, index in data.get("f", {}).items()}
    if "c" in data:
        data["c"] = where[data["c"]]


def is_import(key: str) -> bool:
    return key.startswith("import:")


def describe(found: Entry | None) -> str:
    """Who set it, in words: 'an import of Atlas_2020.csv on 2026-12-01 20:00'."""
    if not found:
        return "an earlier edit (before provenance was recorded)"
    key, when, label = found[0], found[1], found[2] if len(found) > 2 else ""
    at = when[:16].replace("T", " ")
    if is_import(key):
        return f"an import of {label} on {at}"
    if key.startswith("submission:"):
        return f"approved {label or 'submission'} on {at}"
    if key.startswith("moderator:"):
        return f"moderator {label} on {at}"
    return f"{label} on {at}"


# A record's credit line (`attribution`) holds every credit owed, separated so; an import adds its
# source's credit to those there, never replacing another's: the EFF's and the FBI's credit, or
# the EFF's on a record of our own, stand together.
CREDIT_FIELD = "attribution"
CREDIT_SEPARATOR = "; "
_CREDIT_LENGTH = 200


def credits(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(CREDIT_SEPARATOR) if part.strip()]


def credits_with(current: str, added: str) -> str:
    """The credit line with the credits `added` after those already there (unchanged if they
    are all there, or if the line would be too long to store)."""
    merged = credits(current)
    merged += [credit for credit in credits(added) if credit not in merged]
    line = CREDIT_SEPARATOR.join(merged)
    return line if len(line) <= _CREDIT_LENGTH else current


def _empty(value: Any) -> bool:
    return value is None or value == ""


# Which import source has the last word on a field against other imports, by model and field.
# Imports otherwise replace what imports wrote, so two sources that disagree would write a field
# in turn on every re-import. The FBI's agency directory is the base layer and the record of an
# agency's identity: its ORI, its kind, its point, a campus's city (the Atlas types the Indiana
# State Police "Police" in one row and "State police" in another). A value the directory wrote
# stays when another import says otherwise: what that source says is remembered, not a
# conflict, and not written. A person's edit still wins over every import, this one included;
# an empty field is nobody's; a field the directory never wrote is not held.
DIRECTORY_SOURCE = "fbi-directory"
AUTHORITY: dict[str, dict[str, str]] = {
    "records.agency": {
        name: f"import:{DIRECTORY_SOURCE}"
        for name in ("ori", "kind", "city", "latitude", "longitude")
    },
}


def authority(record: models.Model, name: str) -> str | None:
    """The writer key of the import source that holds this field against other imports."""
    return AUTHORITY.get(record._meta.label_lower, {}).get(name)


def decide(
    record: models.Model,
    name: str,
    current: Any,
    value: Any,
    writer: Writer,
    *,
    credit: str = "",
) -> Decision:
    """The merge policy for one field (or link) of a stored record.

    A person writes. An import writes a field that an import set (its own source or another,
    unless that other source holds the field, `AUTHORITY`: then the value stays and what the
    source says is remembered, "keep", or skipped once remembered), or one nobody is known to
    have set on a record carrying the import's own credit; a field a person set stays: quietly
    if the source still says what it last wrote there, as a conflict if it now says something
    else (or never said anything there before).

    Records that agree make no conflict: an import adds its credit to a record's credits (the
    writers pass `credits_with`), and fills a field the record's creator left empty (a person
    who empties a field later holds it)."""
    if current == value:
        return "same"
    if writer.is_person:
        return "write"
    if name == CREDIT_FIELD and set(credits(current)) <= set(credits(value)):
        return "write"
    found = last_writer(record, name)
    if found is None:
        if ":" in name:
            return "write"  # a link nobody unlinked
        # A record older than provenance: an import may update it where it carries that
        # import's own credit (an earlier import of the same source wrote it), or where it
        # has nothing.
        if credit and credit in credits(getattr(record, CREDIT_FIELD, "")):
            return "write"
        if _empty(current):
            return "write"
        return _person_held(record, name, value, writer)
    if is_import(found[0]):
        holder = authority(record, name)
        if holder is None or found[0] != holder or writer.key == holder or _empty(current):
            return "write"
        return _held(record, name, value, writer, "keep")
    if _empty(current) and name not in (record.provenance or {}).get("f", {}):  # type: ignore[attr-defined]
        return "write"  # left empty by the record's creator: nobody holds it
    return _person_held(record, name, value, writer)


def _person_held(record: models.Model, name: str, value: Any, writer: Writer) -> Decision:
    return _held(record, name, value, writer, "conflict")


def _held(
    record: models.Model, name: str, value: Any, writer: Writer, otherwise: Decision
) -> Decision:
    """Skip a value the writer's source already said here; else `otherwise`."""
    wrote = (record.provenance or {}).get("w", {}).get(writer.key, {})  # type: ignore[attr-defined]
    return "skip" if wrote.get(name) == digest(value) else otherwise


def curated_first_word(record: models.Model, name: str, writer: Writer) -> bool:
    """Whether an import's different value for a field our curated fixtures set (the research
    load, the starter data) is the source's first word on it: then it is noted, not a conflict
    (ours is the curated version of the same record, as when an import adopts it); a later
    change of the source's mind is a conflict."""
    found = last_writer(record, name)
    if found is None or not str(found[0]).startswith("fixture:"):
        return False
    wrote = (record.provenance or {}).get("w", {}).get(writer.key, {})  # type: ignore[attr-defined]
    return name not in wrote


def note_source_value(record: models.Model, name: str, value: Any, writer: Writer) -> None:
    """Remember what an import source says for a field a person holds (the conflict is noted
    once, not on every re-import)."""
    record.provenance.setdefault("w", {}).setdefault(writer.key, {})[name] = digest(value)  # type: ignore[attr-defined]


def set_writer(
    record: models.Model, name: str, writer: Writer, when: dt.datetime, previous_value: Any
) -> tuple[Entry | None, Entry]:
    """Record that `writer` set `name`; return the entries before and after (for a journal).
    When a person takes over a field an import set, what that import wrote is kept as a
    digest, so that the import can tell later whether its source changed its mind."""
    before = last_writer(record, name)
    data = record.provenance  # type: ignore[attr-defined]
    if before is not None and is_import(before[0]) and before[0] != writer.key:
        data.setdefault("w", {}).setdefault(before[0], {})[name] = digest(previous_value)
    after = entry(writer, when)
    _set(record, name, after)
    if is_import(writer.key):
        wrote = data.get("w", {}).get(writer.key)
        if wrote:
            wrote.pop(name, None)
    return before, after


def restore_writer(record: models.Model, name: str, before: Entry | None) -> None:
    _set(record, name, before)
