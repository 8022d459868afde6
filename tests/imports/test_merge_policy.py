"""The one merge policy: a person's edit survives imports, conflicts are recorded and reported,
an approval's undo takes back only its own changes, and only public changes move the data
version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survmap.common import data_version
from survmap.common.dates import PartialDate
from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import Row
from survmap.records.models import (
    Conflict,
    ConflictStatus,
    Partnership,
    PartnershipStatus,
    Source,
)
from survmap.records.plans import Writer
from survmap.records.services import conflict_settle, record_edit
from survmap.submissions.models import SubmissionKind, SubmissionSource, SubmissionStatus
from survmap.submissions.services import SubmissionError, submission_approve, submission_undo
from tests.imports.conftest import AtlasRows, changed
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def run(rows: list[Row]) -> AtlasImporter:
    importer = AtlasImporter(rows, today=dt.date(2026, 11, 23), label="Atlas_2020.csv")
    importer.run()
    return importer


def moderator_edit(partnership: Partnership, user: User, **values: object) -> None:
    record_edit(instance=partnership, values=values, writer=Writer.moderator(user, "Checked"))


# Every field the Atlas import writes: a person's edit of it survives the same file and a newer
# export (the newer value is a conflict, listed with its line).
ATLAS_FIELDS = {
    "status": (PartnershipStatus.ENDED, {"Summary": "x"}),
    "summary": ("Our own words after checking the minutes.", {"Summary": "The Atlas, later."}),
}


@pytest.mark.parametrize("name", sorted(ATLAS_FIELDS))
def test_a_moderators_edit_survives_reimports_and_a_newer_value_is_a_conflict(
    atlas_rows: AtlasRows, bob: User, name: str
) -> None:
    (row,) = atlas_rows("AOS0001")
    run([row])
    partnership = Partnership.objects.get(atlas_id="AOS0001")
    ours = ATLAS_FIELDS[name][0]
    moderator_edit(partnership, bob, **{name: ours})

    again = run([row]).report
    partnership.refresh_from_db()
    assert getattr(partnership, name) == ours
    assert again.conflicts == [] and again.updated == 0

    newer = changed(row, Summary="Woodstock police stopped in 2021.", **{"Status": ""})
    report = run([newer]).report
    partnership.refresh_from_db()
    assert getattr(partnership, name) == ours
    if name == "summary":
        assert [line for line, _ in report.conflicts] == [row.line]
        conflict = Conflict.objects.get(record_id=partnership.pk, field="summary")
        assert "moderator bob" in conflict.set_by and conflict.line == row.line
        assert any("Conflicts" in line for line in report.summary_lines())
        # Settled by taking the source's value: written as the moderator's edit.
        conflict_settle(conflict=conflict, take_source=True, writer=Writer.moderator(bob))
        partnership.refresh_from_db()
        assert partnership.summary == "Woodstock police stopped in 2021."
        assert Conflict.objects.get(pk=conflict.pk).status == ConflictStatus.TAKEN
    # Unchanged from the source's side again: quiet, and nothing reported twice.
    assert run([newer]).report.conflicts == []


def test_an_import_still_updates_what_only_imports_wrote(atlas_rows: AtlasRows, bob: User) -> None:
    (row,) = atlas_rows("AOS0001")
    run([row])
    partnership = Partnership.objects.get(atlas_id="AOS0001")
    moderator_edit(partnership, bob, status=PartnershipStatus.ENDED)
    report = run([changed(row, Summary="A newer Atlas summary.")]).report
    partnership.refresh_from_db()
    assert partnership.summary == "A newer Atlas summary."  # nobody edited it: the import's
    assert partnership.status == PartnershipStatus.ENDED  # a person's: kept
    assert report.updated == 1 and report.conflicts == []


def test_a_source_a_moderator_unlinked_is_not_linked_again(
    atlas_rows: AtlasRows, bob: User
) -> None:
    (row,) = atlas_rows("AOS0001")
    run([row])
    partnership = Partnership.objects.get(atlas_id="AOS0001")
    first = partnership.sources.first()
    assert first is not None
    extra = Source.objects.create(url="https://example.org/minutes", title="Council minutes")
    record_edit(
        instance=partnership,
        values={},
        writer=Writer.moderator(bob, "Wrong article"),
        add_links={"sources": [extra]},
        remove_links={"sources": [first]},
    )
    run([row])
    cited = set(partnership.sources.values_list("pk", flat=True))
    assert first.pk not in cited and extra.pk in cited


def correction(target: Partnership, url: str, **values: object) -> object:
    submission = make_submission(
        kind=SubmissionKind.CORRECTION, target_partnership=target, url=url, **values
    )
    return submission


def test_undo_refuses_while_a_later_approval_changed_the_same_field_then_undoes_both(
    bob: User,
) -> None:
    from tests.factories import PartnershipFactory

    partnership = PartnershipFactory(status=PartnershipStatus.ACTIVE)
    first = correction(
        partnership,
        "https://news.example.org/a",
        partnership_status=PartnershipStatus.ENDED,
        end_text="2021",
        end_date=dt.date(2021, 12, 31),
        end_precision="year",
    )
    submission_approve(submission=first, moderator=bob)
    second = correction(
        partnership, "https://news.example.org/b", partnership_status=PartnershipStatus.SUSPENDED
    )
    submission_approve(submission=second, moderator=bob)
    with pytest.raises(SubmissionError, match=f"approved submission {second.pk}"):
        submission_undo(submission=first, moderator=bob)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.SUSPENDED  # nothing taken back

    submission_undo(submission=first, moderator=bob, confirm=True)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE and partnership.end is None
    cited = set(partnership.sources.values_list("url", flat=True))
    assert not cited & {"https://news.example.org/a", "https://news.example.org/b"}
    first.refresh_from_db()
    second.refresh_from_db()
    # The contributors' status pages tell the truth: both back in the queue.
    assert first.status == second.status == SubmissionStatus.PENDING


def test_undo_takes_back_only_its_own_change_when_a_later_one_touched_other_fields(
    bob: User,
) -> None:
    from tests.factories import PartnershipFactory

    partnership = PartnershipFactory(status=PartnershipStatus.ACTIVE)
    first = correction(
        partnership,
        "https://news.example.org/a",
        partnership_status=PartnershipStatus.ENDED,
    )
    submission_approve(submission=first, moderator=bob)
    second = correction(
        partnership,
        "https://news.example.org/b",
        partnership_status="",
        start_text="2019",
        start_date=dt.date(2019, 1, 1),
        start_precision="year",
    )
    submission_approve(submission=second, moderator=bob)
    submission_undo(submission=first, moderator=bob)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE
    assert partnership.start == PartialDate(2019)  # the later approval's, kept
    cited = set(partnership.sources.values_list("url", flat=True))
    assert "https://news.example.org/b" in cited and "https://news.example.org/a" not in cited


def test_a_pending_tip_leaves_the_data_version_alone() -> None:
    from tests.factories import TechnologyFactory

    technology = TechnologyFactory()
    before = data_version.current()
    submission = make_submission(technology=technology)
    SubmissionSource.objects.filter(submission=submission).update(title="Edited")
    assert data_version.current() == before


def test_the_version_is_bumped_after_the_commit_not_before(
    django_capture_on_commit_callbacks,
) -> None:
    from tests.factories import PartnershipFactory

    data_version.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        PartnershipFactory()
    assert data_version.bump in callbacks


# Property: over any sequence of imports, moderators' edits, approvals, undos and re-imports,
# no person's last edit is lost unless a person undid it, and the record's history ends in its
# present state.

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["import", "newer", "edit_summary", "edit_status", "approve", "undo"]),
        st.sampled_from(["A", "B", "C"]),
    ),
    min_size=1,
    max_size=7,
)
STATUSES = {"A": "ended", "B": "suspended", "C": "pilot"}


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_no_persons_last_edit_is_lost_and_history_replays_to_the_present(
    atlas_rows: AtlasRows, bob: User, actions: list[tuple[str, str]]
) -> None:
    from django.db import transaction

    (row,) = atlas_rows("AOS0001")
    with transaction.atomic():
        run([row])
        # What people set, as the model of the record: each approval remembers the state it
        # found, which its undo brings back.
        persons: dict[str, object] = {}
        approvals: list[tuple[object, dict[str, object]]] = []
        for number, (action, word) in enumerate(actions):
            partnership = Partnership.objects.get(atlas_id="AOS0001")
            if action == "import":
                run([row])
            elif action == "newer":
                run([changed(row, Summary=f"Atlas says {word}.")])
            elif action == "edit_summary":
                moderator_edit(partnership, bob, summary=f"Moderator says {word}.")
                persons["summary"] = f"Moderator says {word}."
            elif action == "edit_status":
                moderator_edit(partnership, bob, status=STATUSES[word])
                persons["status"] = STATUSES[word]
            elif action == "approve":
                submission = correction(
                    partnership,
                    f"https://news.example.org/{number}",
                    partnership_status=STATUSES[word],
                )
                submission_approve(submission=submission, moderator=bob)
                approvals.append((submission, dict(persons)))
                persons["status"] = STATUSES[word]
            elif approvals:
                submission, before = approvals[-1]
                try:
                    submission_undo(submission=submission, moderator=bob)
                except SubmissionError:
                    continue  # a later edit touched it: refused, nothing changed
                approvals.pop()
                persons = before
        partnership = Partnership.objects.get(atlas_id="AOS0001")
        for name, value in persons.items():
            assert getattr(partnership, name) == value
        if "status" not in persons:
            assert partnership.status == PartnershipStatus.ACTIVE  # the Atlas's, untouched
        latest = partnership.history.order_by("-history_date", "-history_id").first()
        for name in ("status", "summary", "start_date", "end_date", "provenance"):
            assert getattr(latest, name) == getattr(partnership, name)
        cited = set(latest.sources.values_list("source_id", flat=True))
        assert cited == set(partnership.sources.values_list("pk", flat=True))
        transaction.set_rollback(True)


def test_the_decision_page_names_the_later_change_and_undoes_both_when_confirmed(
    bob: User, bob_client
) -> None:
    from django.urls import reverse

    from tests.factories import PartnershipFactory

    partnership = PartnershipFactory(status=PartnershipStatus.ACTIVE)
    first = correction(
        partnership, "https://news.example.org/a", partnership_status=PartnershipStatus.ENDED
    )
    submission_approve(submission=first, moderator=bob)
    second = correction(
        partnership, "https://news.example.org/b", partnership_status=PartnershipStatus.PILOT
    )
    submission_approve(submission=second, moderator=bob)
    url = reverse("admin:submissions_submission_decide", args=[first.pk])
    refused = bob_client.post(url, {"action": "undo", "reason": ""}, follow=True)
    assert f"approved submission {second.pk}" in refused.content.decode()
    first.refresh_from_db()
    assert first.status == SubmissionStatus.APPROVED
    bob_client.post(url, {"action": "undo", "reason": "", "confirm": "on"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == SubmissionStatus.PENDING


def test_the_directory_and_the_atlas_imported_again_in_turn_change_nothing(
    atlas_rows: AtlasRows,
) -> None:
    """The sources disagree on an agency's kind (the Atlas's first row of the Indiana State
    Police types it "Police", the FBI "State Police"): the directory's value stays, and a second
    pass of each import, in either order, writes nothing and asks no moderator anything."""
    from survmap.imports.directory import DirectoryImporter
    from survmap.records.models import Agency, AgencyKind
    from tests.imports.test_directory import shipped

    directory_rows = shipped("INISP0000", "VA0850300")  # Indiana State Police, Woodstock PD
    rows = atlas_rows("AOS0001", "AOS1102", "AOS2381", "AOS2495")

    def directory() -> DirectoryImporter:
        importer = DirectoryImporter(directory_rows, label="agencies-test.csv")
        importer.run()
        return importer

    directory()
    first = run(rows).report
    assert (first.created, first.conflicts) == (4, [])  # the four partnerships
    police = Agency.objects.get(ori="INISP0000")
    assert police.kind == AgencyKind.STATE_POLICE and police.city == "Indianapolis"

    def snapshot() -> list[tuple[object, ...]]:
        return [
            (agency["id"], agency["kind"], agency["city"], agency["attribution"])
            for agency in Agency.objects.order_by("pk").values()
        ] + [(Agency.history.count(), Partnership.history.count())]  # type: ignore[attr-defined]

    settled = snapshot()
    for again in (directory, lambda: run(rows), directory, lambda: run(rows)):
        report = again().report
        assert (report.created, report.updated, report.conflicts) == (0, 0, [])
        assert snapshot() == settled
    assert not Conflict.objects.exists()
