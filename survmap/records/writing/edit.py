"""A person's edit of one record (the admin's forms, a settled conflict): the same validation,
history, provenance and merge policy as any plan, by model field names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from survmap.records import provenance
from survmap.records.plans import Applied, Outcome, Writer
from survmap.records.writing.row_writer import Run, write_fields, write_links


def _link_targets(instance: models.Model, link: str, items: Iterable[Any]) -> dict[str, Any]:
    related = getattr(instance, link).model
    found = {}
    for item in items:
        obj = item if isinstance(item, models.Model) else related._default_manager.get(pk=item)
        found[str(obj.pk)] = obj
    return found


def record_edit(
    *,
    instance: models.Model,
    values: Mapping[str, Any],
    writer: Writer,
    add_links: Mapping[str, Iterable[Any]] | None = None,
    remove_links: Mapping[str, Iterable[Any]] | None = None,
) -> Applied:
    """A person's edit of one record by model field names (the admin's form): validated,
    saved with history and provenance. Links are given by link field name ('sources',
    'counties') and the linked records or their keys."""
    run = Run(writer, provenance.now(writer))
    with transaction.atomic():
        created, fields = write_fields(run, instance, values)
        links = set(add_links or {}) | set(remove_links or {})
        for link in sorted(links):
            write_links(
                run,
                instance,
                link,
                add=_link_targets(instance, link, (add_links or {}).get(link, ())),
                remove=_link_targets(instance, link, (remove_links or {}).get(link, ())),
            )
    outcome = Outcome.CREATED if created else Outcome.UPDATED if run.journal else Outcome.UNCHANGED
    return Applied(instance, outcome, [f"{name} changed" for name in fields], [], run.journal)
