"""Import runs in the moderators' admin: the runs and their lines open for a moderator, filtered
and searched; marking a line handled records who; nobody else gets in, and nothing is edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from survmap.imports.atlas import AtlasImporter
from survmap.imports.kinds import NoteKind
from survmap.imports.models import ImportNote, ImportRun
from tests.imports.conftest import AtlasRows, changed
from tests.imports.test_runs import MESSY

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('run')</script>\u202e"


@pytest.fixture
def stored(atlas_rows: AtlasRows) -> ImportRun:
    """A run of real rows with unreadable dates and links, and one link of hostile text."""
    (first, *rows) = atlas_rows(*MESSY, "AOS0001")
    rows.append(changed(first, **{"Link 2": f"javascript:{HOSTILE}"}))
    report = AtlasImporter(rows, today=dt.date(2026, 11, 23), label="atlas.csv").run()
    assert report.run_id is not None
    return ImportRun.objects.get(pk=report.run_id)


def notes_list() -> str:
    return reverse("admin:imports_importnote_changelist")


def pages(run: ImportRun) -> list[str]:
    note = run.notes.first()
    assert note is not None
    return [
        reverse("admin:imports_importrun_changelist"),
        reverse("admin:imports_importrun_change", args=[run.pk]),
        notes_list(),
        reverse("admin:imports_importnote_change", args=[note.pk]),
    ]


def test_a_moderator_sees_the_runs_newest_first_with_their_counts(
    stored: ImportRun, bob_client: Client, atlas_rows: AtlasRows
) -> None:
    newer = AtlasImporter(atlas_rows("AOS0004"), label="newer.csv").run()
    response = bob_client.get(reverse("admin:imports_importrun_changelist"))
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [run.pk for run in listed] == [newer.run_id, stored.pk]
    assert listed[1].open_count == stored.notes.count()
    page = response.content.decode()
    assert "atlas.csv" in page and "newer.csv" in page
    # Whatever the query string holds, an answer and never an error.
    for query in (
        {"started_at__year": "9" * 30},
        {"started_at__gte": "9" * 30},
        {"importer__exact": "<script>"},
        {"q": "atlas\x00"},
        {"o": "99.-x"},
    ):
        response = bob_client.get(reverse("admin:imports_importrun_changelist"), query)
        assert response.status_code in {200, 302, 400}, query
    # A lookup no filter makes is refused, as a bad request.
    response = bob_client.get(reverse("admin:imports_importrun_changelist"), {"label": "x"})
    assert response.status_code == 400


def test_a_runs_page_counts_its_lines_by_kind_and_links_to_them(
    stored: ImportRun, bob_client: Client
) -> None:
    response = bob_client.get(reverse("admin:imports_importrun_change", args=[stored.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    dropped = stored.notes.filter(kind=NoteKind.VALUE_DROPPED).count()
    assert "Value dropped" in page and f"<td>{dropped}</td>" in page
    assert f"run__id__exact={stored.pk}&amp;kind__exact=link_dropped" in page
    # Read-only: no form to save.
    assert 'name="_save"' not in page


def test_a_moderator_filters_and_searches_a_runs_lines(
    stored: ImportRun, bob_client: Client, atlas_rows: AtlasRows
) -> None:
    other = AtlasImporter(atlas_rows("AOS5679"), label="other.csv").run()  # '9/21/0206' too
    url = notes_list()

    def found(**query: object) -> list[ImportNote]:
        response = bob_client.get(url, query)
        assert response.status_code == 200
        return list(response.context["cl"].queryset)

    of_run = found(run__id__exact=stored.pk)
    assert {note.pk for note in of_run} == set(stored.notes.values_list("pk", flat=True))
    links = found(run__id__exact=stored.pk, kind__exact=NoteKind.LINK_DROPPED)
    assert links and {note.kind for note in links} == {NoteKind.LINK_DROPPED}
    (date,) = found(run__id__exact=stored.pk, q="9/21/0206")
    assert date.value == "9/21/0206"
    assert len(found(q="9/21/0206")) == 2  # both runs
    assert {n.run_id for n in found(run__id__exact=other.run_id)} == {other.run_id}
    assert {n.line for n in found(run__id__exact=stored.pk, q=str(date.line))} == {date.line}
    assert found(handled__exact=1) == []
    # What a moderator types is never an error: words on the line number, an unknown run, a
    # NUL (which PostgreSQL refuses in a query: Django's search form drops such a search).
    assert found(q="not-a-line 'quoted") == []
    assert found(run__id__exact="nope") == []
    assert found(run__id__exact="9" * 30) == [] and found(q="9" * 30) == []
    assert len(found(q="9/21/0206\x00")) == ImportNote.objects.count()


def test_a_hostile_value_is_shown_as_text(stored: ImportRun, bob_client: Client) -> None:
    note = stored.notes.get(kind=NoteKind.LINK_DROPPED, value__contains="<script>")
    assert "\u202e" not in note.value
    for url in [
        *pages(stored),
        reverse("admin:imports_importnote_change", args=[note.pk]),
        f"{notes_list()}?q=script",
    ]:
        response = bob_client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert('run')" not in response.content.decode(), url
    assert "&lt;script&gt;alert(" in bob_client.get(f"{notes_list()}?q=script").content.decode()


def test_marking_lines_handled_records_who_and_when(
    stored: ImportRun, bob: User, bob_client: Client
) -> None:
    chosen = list(stored.notes.filter(kind=NoteKind.VALUE_DROPPED).values_list("pk", flat=True))
    response = bob_client.post(notes_list(), {"action": "mark_handled", "_selected_action": chosen})
    assert response.status_code == 302
    handled = ImportNote.objects.filter(pk__in=chosen)
    assert all(n.handled and n.handled_by == bob and n.handled_at for n in handled)
    assert not stored.notes.exclude(pk__in=chosen).filter(handled=True).exists()
    listed = bob_client.get(reverse("admin:imports_importrun_changelist")).context["cl"]
    assert listed.result_list[0].open_count == stored.notes.count() - len(chosen)
    # Marked again by another moderator: the first one's mark stands.
    carol = User.objects.create_user("carol", is_staff=True)
    carol.groups.set(bob.groups.all())
    client = Client()
    client.force_login(carol)
    client.post(notes_list(), {"action": "mark_handled", "_selected_action": chosen})
    assert {n.handled_by for n in ImportNote.objects.filter(pk__in=chosen)} == {bob}


def test_a_note_is_evidence_no_one_edits_adds_or_deletes(
    stored: ImportRun, bob_client: Client
) -> None:
    note = stored.notes.first()
    assert note is not None
    before = (note.value, note.detail, note.line)
    change = reverse("admin:imports_importnote_change", args=[note.pk])
    page = bob_client.get(change).content.decode()
    assert 'name="_save"' not in page and 'name="value"' not in page
    bob_client.post(change, {"value": "rewritten", "line": 1, "handled": "on"})
    assert bob_client.get(reverse("admin:imports_importnote_add")).status_code == 403
    delete = reverse("admin:imports_importnote_delete", args=[note.pk])
    assert bob_client.post(delete, {"post": "yes"}).status_code == 403
    run_delete = reverse("admin:imports_importrun_delete", args=[stored.pk])
    assert bob_client.post(run_delete, {"post": "yes"}).status_code == 403
    note.refresh_from_db()
    assert (note.value, note.detail, note.line, note.handled) == (*before, False)
    # No bulk deletion offered either.
    assert bob_client.post(
        notes_list(), {"action": "delete_selected", "_selected_action": [note.pk]}
    ).status_code in {200, 302}
    assert ImportNote.objects.filter(pk=note.pk).exists()


def test_anonymous_visitors_and_contributors_are_sent_to_log_in(
    stored: ImportRun, client: Client, alice_client: Client
) -> None:
    for url in pages(stored):
        for visitor in (client, alice_client):
            response = visitor.get(url)
            assert response.status_code == 302, url
            assert reverse("admin:login") in response["Location"]
    client.post(notes_list(), {"action": "mark_handled", "_selected_action": [1]})
    assert not ImportNote.objects.filter(handled=True).exists()


def test_staff_without_the_permission_cannot_see_or_mark_lines(stored: ImportRun) -> None:
    dave = User.objects.create_user("dave", is_staff=True)
    client = Client()
    client.force_login(dave)
    for url in pages(stored):
        assert client.get(url).status_code == 403, url
    # Allowed to read the lines, not to mark them.
    dave.user_permissions.add(
        Permission.objects.get(codename="view_importnote"),
        Permission.objects.get(codename="view_importrun"),
    )
    dave = User.objects.get(pk=dave.pk)
    client.force_login(dave)
    response = client.get(notes_list())
    assert response.status_code == 200
    assert "mark_handled" not in response.content.decode()
    note = stored.notes.first()
    assert note is not None
    client.post(notes_list(), {"action": "mark_handled", "_selected_action": [note.pk]})
    assert not ImportNote.objects.filter(handled=True).exists()
