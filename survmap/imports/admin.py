"""Import runs in the moderators' admin: each run with its counts, and the lines it could not
read as given (refused rows, values and links dropped, places not placed, conflicts), which a
moderator works through and marks handled. A note is evidence of what the file said: read-only,
never added or deleted here; marking it handled records who and when."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from survmap.common.admin import ReadOnlyAdmin
from survmap.imports.models import ImportNote, ImportRun, NoteKind

HANDLE_PERMISSION = "imports.handle_importnote"


class ReadOnly(ReadOnlyAdmin):
    """Kept as the import wrote it: no adding, changing or deleting in the admin."""

    # The query-string lookups the list's own filters make; any other is refused (400). Django
    # allows any lookup on a model's own fields, and some crash (a 500 for ?started_at__year=
    # followed by 30 digits).
    allowed_lookups: frozenset[str] = frozenset()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.allowed_lookups


def notes_url(**filters: Any) -> str:
    """The list of notes, filtered as the admin's own filters would."""
    query = urlencode({key: value for key, value in filters.items() if value is not None})
    return f"{reverse('admin:imports_importnote_changelist')}?{query}"


RUN_FIELDS: tuple[str, ...] = (
    "importer",
    "label",
    "file_name",
    "source_key",
    "ran_by",
    "started_at",
    "finished_at",
    "rows_read",
    "created",
    "updated",
    "unchanged",
    "imported_whole",
    "with_warnings",
    "with_conflicts",
    "refused",
    "notes_by_kind",
)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnly):
    list_display = [
        "__str__",
        "importer",
        "ran_by",
        "rows_read",
        "imported_whole",
        "with_warnings",
        "with_conflicts",
        "refused",
        "open_notes",
    ]
    list_filter = ["importer"]
    search_fields = ["label"]
    allowed_lookups = frozenset({"importer__exact"})
    fields = RUN_FIELDS
    readonly_fields = RUN_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return (
            super()
            .get_queryset(request)
            .select_related("ran_by")
            .annotate(open_count=Count("notes", filter=Q(notes__handled=False)))
        )

    @admin.display(description="lines to check", ordering="open_count")
    def open_notes(self, run: ImportRun) -> SafeString:
        count = getattr(run, "open_count", 0)
        return format_html(
            '<a href="{}">{}</a>', notes_url(run__id__exact=run.pk, handled__exact=0), count
        )

    @admin.display(description="lines kept for moderators")
    def notes_by_kind(self, run: ImportRun) -> SafeString:
        counts = {
            row["kind"]: row
            for row in run.notes.values("kind").annotate(
                total=Count("pk"), open=Count("pk", filter=Q(handled=False))
            )
        }
        if not counts:
            return format_html("{}", "None: every row was read as given.")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td><a href="{}">{}</a></td></tr>',
            (
                (
                    notes_url(run__id__exact=run.pk, kind__exact=kind),
                    label,
                    counts[kind]["total"],
                    notes_url(run__id__exact=run.pk, kind__exact=kind, handled__exact=0),
                    counts[kind]["open"],
                )
                for kind, label in NoteKind.choices
                if kind in counts
            ),
        )
        return format_html(
            '<table><thead><tr><th scope="col">Kind</th><th scope="col">Lines</th>'
            '<th scope="col">Not handled</th></tr></thead><tbody>{}</tbody></table>'
            '<p><a href="{}">Every line of this run</a> (filter, search, mark handled).</p>',
            rows,
            notes_url(run__id__exact=run.pk),
        )


class RunFilter(admin.SimpleListFilter):
    """The newest runs by name; an older one through the run's own page (run__id__exact)."""

    title = "import run"
    parameter_name = "run__id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        runs = list(ImportRun.objects.order_by("-started_at", "-pk")[:20])
        chosen = self.run_id()
        if chosen is not None and all(run.pk != chosen for run in runs):
            runs += list(ImportRun.objects.filter(pk=chosen))
        return [(str(run.pk), str(run)) for run in runs]

    def run_id(self) -> int | None:
        """The chosen run's id; None for anything that cannot be one (a word, 30 digits)."""
        value = self.value() or ""
        return int(value) if value.isdigit() and len(value) <= 18 else None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        chosen = self.run_id()
        return queryset.none() if chosen is None else queryset.filter(run_id=chosen)


NOTE_FIELDS: tuple[str, ...] = (
    "run_link",
    "kind",
    "line",
    "column",
    "value",
    "detail",
    "conflict_link",
    "handled",
    "handled_by",
    "handled_at",
    "created_at",
)


@admin.register(ImportNote)
class ImportNoteAdmin(ReadOnly):
    list_display = [
        "line",
        "kind",
        "column",
        "value",
        "detail",
        "handled",
        "handled_by",
        "handled_at",
        "run_link",
    ]
    list_display_links = ["line"]
    list_filter = [RunFilter, "kind", "handled"]
    allowed_lookups = frozenset(
        {
            RunFilter.parameter_name,
            "kind__exact",
            "kind__isnull",
            "handled__exact",
            "handled__isnull",
        }
    )
    # '=line': a number finds that line exactly; other words search the file's text.
    search_fields = ["=line", "value", "column", "detail"]
    list_select_related = ["run", "handled_by"]
    list_per_page = 100
    actions = ["mark_handled"]
    fields = NOTE_FIELDS
    readonly_fields = NOTE_FIELDS

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(HANDLE_PERMISSION)

    @admin.display(description="import run", ordering="run")
    def run_link(self, note: ImportNote) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:imports_importrun_change", args=[note.run_id]),
            note.run,
        )

    @admin.display(description="stored conflict")
    def conflict_link(self, note: ImportNote) -> SafeString:
        if note.conflict_id is None:
            return format_html("{}", "-")
        return format_html(
            '<a href="{}">Settle it: conflict {}</a>',
            reverse("admin:records_conflict_change", args=[note.conflict_id]),
            note.conflict_id,
        )

    @admin.action(description="Mark handled", permissions=["handle"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[ImportNote]) -> None:
        now = timezone.now()
        marked = queryset.filter(handled=False).update(
            handled=True, handled_by=request.user, handled_at=now, updated_at=now
        )
        self.message_user(request, f"{marked} line(s) marked handled.", messages.SUCCESS)
