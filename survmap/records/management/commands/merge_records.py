"""Merge two agencies or two vendors, or undo a merge, from a shell: the same write path as the
admin's merge (survmap.records.writing.merging), for merges that move more rows than one web
request can within the server's time limit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survmap.records.models import Agency, MergeKind, RecordMerge, Vendor
from survmap.records.plans import Writer
from survmap.records.services import (
    MergeRefused,
    MergeUndoRefused,
    agency_merge,
    merge_preview,
    merge_undo,
    vendor_merge,
)


class Command(BaseCommand):
    help = (
        "Merge REMOVE into KEEP (two agencies or two vendors, by id), as a moderator would in "
        "the admin, or undo merge N. Prints what moves first; --dry-run stops there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["agency", "vendor", "undo"])
        parser.add_argument("ids", nargs="+", type=int, help="KEEP REMOVE, or the merge's id")
        parser.add_argument("--reason", required=True, help="Why (kept in both histories).")
        parser.add_argument(
            "--moderator",
            required=True,
            help="The username of the staff member this is done for (named in the history).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        reason = " ".join(options["reason"].split())[:200]
        if not reason:
            raise CommandError("Give a reason.")
        user = (
            get_user_model()
            ._default_manager.filter(username=options["moderator"], is_staff=True)
            .first()
        )
        if user is None:
            raise CommandError(f"No staff member is called {options['moderator']!r}.")
        writer = Writer.moderator(user, reason)
        ids = options["ids"]
        if options["what"] == "undo":
            if len(ids) != 1:
                raise CommandError("undo takes one merge id.")
            self._undo(ids[0], writer, reason, options["dry_run"])
            return
        if len(ids) != 2:
            raise CommandError("A merge takes two ids: KEEP REMOVE.")
        kind = MergeKind.AGENCY if options["what"] == "agency" else MergeKind.VENDOR
        model = Agency if kind == MergeKind.AGENCY else Vendor
        found = {r.pk: r for r in model._default_manager.filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"No {options['what']} with id {', '.join(missing)}.")
        kept, removed = found[ids[0]], found[ids[1]]
        preview = merge_preview(kind=kind, kept=kept, removed=removed)
        self.stdout.write(
            f"{removed} (id {removed.pk}) into {kept} (id {kept.pk}): "
            f"{len(preview.partnerships)} partnerships ({len(preview.combined)} combined), "
            + ", ".join(f"{n} {label}" for label, n in preview.others.items())
            + f"; aliases: {', '.join(preview.aliases)}."
        )
        if preview.refused:
            raise CommandError(f"Refused: {preview.refused}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        try:
            if isinstance(kept, Agency) and isinstance(removed, Agency):
                merge = agency_merge(kept=kept, removed=removed, writer=writer, reason=reason)
            else:
                assert isinstance(kept, Vendor) and isinstance(removed, Vendor)
                merge = vendor_merge(kept=kept, removed=removed, writer=writer, reason=reason)
        except MergeRefused as refused:
            raise CommandError(f"Refused, nothing written: {refused}") from None
        self.stdout.write(f"Merged: merge {merge.pk}; undo with `merge_records undo {merge.pk}`.")

    def _undo(self, pk: int, writer: Writer, reason: str, dry_run: bool) -> None:
        merge = RecordMerge.objects.filter(pk=pk).first()
        if merge is None:
            raise CommandError(f"No merge with id {pk}.")
        self.stdout.write(f"Undo of merge {merge.pk}: {merge}.")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
            return
        try:
            merge_undo(merge=merge, writer=writer, reason=reason)
        except MergeUndoRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Undone: {merge.removed_name} is back under id {merge.removed_id}.")
