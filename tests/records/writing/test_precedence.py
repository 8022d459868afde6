"""Which import wins a field when two sources disagree (provenance.AUTHORITY): the FBI's
directory holds an agency's ORI, kind, point and campus city against other imports, so that
importing the sources again, in any order, changes nothing; a person's edit still wins over
every import, and nothing of it reaches a moderator's queue."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survmap.records import provenance
from survmap.records.models import ATLAS_ATTRIBUTION, Agency, AgencyKind, Conflict
from survmap.records.plans import AgencyPlan, Outcome, PlannedRow, Writer
from survmap.records.services import plan_apply, plans_apply, record_edit

pytestmark = pytest.mark.django_db

DIRECTORY = Writer.import_file("agencies.csv", source=provenance.DIRECTORY_SOURCE)
ATLAS = Writer.import_file("Atlas.csv", source="atlas")
SPREADSHEET = Writer.import_file("contributor.csv")

# What each source says of the Indiana State Police (the directory's row INISP0000; the Atlas's
# first row of it, AOS1102, types it "Police").
SAYS = {
    DIRECTORY: AgencyPlan(
        name="Indiana State Police",
        state="IN",
        kind=AgencyKind.STATE_POLICE,
        ori="INISP0000",
        latitude=39.76858,
        longitude=-86.16357,
        attribution="FBI Crime Data Explorer",
        add_counties=("18097",),
    ),
    ATLAS: AgencyPlan(
        name="Indiana State Police",
        state="IN",
        kind=AgencyKind.POLICE,
        city="Indianapolis",
        attribution=ATLAS_ATTRIBUTION,
        add_counties=("18097",),
    ),
    SPREADSHEET: AgencyPlan(
        name="Indiana State Police",
        state="IN",
        kind=AgencyKind.OTHER,
        ori="INISP0000",
        latitude=39.7,
        longitude=-86.1,
    ),
}


def write(writer: Writer, *, bulk: bool = False) -> Outcome:
    if bulk:
        report = plans_apply(
            rows=[PlannedRow(line=2, label="ISP", plan=SAYS[writer])], writer=writer
        )
        assert not report.errors and not report.unmatched
        (outcome,) = report.outcomes
        return Outcome(outcome)
    return plan_apply(plan=SAYS[writer], writer=writer).outcome


def state() -> tuple[object, ...]:
    agency = Agency.objects.get()
    counties = tuple(sorted(agency.counties.values_list("fips", flat=True)))
    return (
        agency.kind,
        agency.ori,
        agency.city,
        agency.latitude,
        agency.longitude,
        tuple(sorted(provenance.credits(agency.attribution))),  # in the order they came
        counties,
    )


def history() -> int:
    return Agency.history.count()  # type: ignore[attr-defined]


def test_every_field_held_is_a_field_of_its_model() -> None:
    from django.apps import apps

    for label, fields in provenance.AUTHORITY.items():
        model = apps.get_model(label)
        names = {field.name for field in model._meta.concrete_fields}
        assert set(fields) <= names, label
        assert all(provenance.is_import(key) for key in fields.values())


@pytest.mark.parametrize("bulk", [False, True], ids=["row", "bulk"])
def test_the_atlas_does_not_retype_a_directory_agency_and_nothing_flips_on_reimports(
    bulk: bool,
) -> None:
    write(DIRECTORY, bulk=bulk)
    assert write(ATLAS, bulk=bulk) == Outcome.UPDATED  # the city, empty, the EFF's credit
    settled = state()
    assert settled == (
        AgencyKind.STATE_POLICE,
        "INISP0000",
        "Indianapolis",  # the directory left it empty: nobody's, the Atlas fills it
        39.76858,
        -86.16357,
        tuple(sorted(("FBI Crime Data Explorer", ATLAS_ATTRIBUTION))),
        ("18097",),
    )
    # What the Atlas says is remembered, not written and not a conflict.
    agency = Agency.objects.get()
    assert agency.provenance["w"]["import:atlas"]["kind"] == provenance.digest(AgencyKind.POLICE)
    entries = history()
    for writer in (DIRECTORY, ATLAS, DIRECTORY, ATLAS):
        assert write(writer, bulk=bulk) == Outcome.UNCHANGED
    assert state() == settled
    assert history() == entries  # nothing saved again
    assert not Conflict.objects.exists()


def test_the_directory_takes_back_what_another_import_wrote_once_and_then_it_stays() -> None:
    """An install loaded before this rule: the Atlas wrote its kind over the directory's."""
    write(ATLAS)  # the Atlas first: it creates the agency
    assert write(DIRECTORY) == Outcome.UPDATED
    assert Agency.objects.get().kind == AgencyKind.STATE_POLICE
    settled, entries = state(), history()
    assert write(ATLAS) == Outcome.UNCHANGED
    assert write(DIRECTORY) == Outcome.UNCHANGED
    assert (state(), history()) == (settled, entries)
    assert not Conflict.objects.exists()


SOURCES = [DIRECTORY, ATLAS, SPREADSHEET]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.lists(st.sampled_from(SOURCES), min_size=3, max_size=7))
def test_once_every_source_has_spoken_the_order_of_imports_changes_nothing(
    order: list[Writer],
) -> None:
    for writer in SOURCES:  # each source at least once, then any order
        if writer not in order:
            order = [writer, *order]
    Agency.objects.all().delete()
    for writer in order:
        write(writer)
    found = state()
    Agency.objects.all().delete()
    for writer in SOURCES:
        write(writer)
    assert found == state()
    assert found[:2] == (AgencyKind.STATE_POLICE, "INISP0000")
    assert found[3:5] == (39.76858, -86.16357)
    assert not Conflict.objects.exists()


def test_a_new_edition_of_the_directory_still_updates_its_own_value() -> None:
    write(DIRECTORY)
    write(ATLAS)
    plan_apply(
        plan=AgencyPlan(name="Indiana State Police", state="IN", ori="INISP0000", kind="other"),
        writer=DIRECTORY,
    )
    assert Agency.objects.get().kind == AgencyKind.OTHER


def test_a_persons_edit_wins_over_every_import_and_a_new_word_is_a_conflict(bob: User) -> None:
    write(DIRECTORY)
    write(ATLAS)
    record_edit(
        instance=Agency.objects.get(),
        values={"kind": AgencyKind.SHERIFF, "latitude": 39.0},
        writer=Writer.moderator(bob, "Checked"),
    )
    for writer in (DIRECTORY, ATLAS, DIRECTORY, ATLAS):
        assert write(writer) == Outcome.UNCHANGED  # each source says what it said before
    agency = Agency.objects.get()
    assert (agency.kind, agency.latitude) == (AgencyKind.SHERIFF, 39.0)
    assert not Conflict.objects.exists()
    # The Atlas changes its mind: a person holds the field, so a moderator hears of it.
    report = plan_apply(
        plan=AgencyPlan(name="Indiana State Police", state="IN", kind="federal"), writer=ATLAS
    )
    assert [note.field for note in report.conflicts] == ["kind"]
    assert Agency.objects.get().kind == AgencyKind.SHERIFF
