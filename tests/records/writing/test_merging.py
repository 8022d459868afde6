"""Merging two agencies (or two vendors) that are one: everything that points at the one that
goes moves, with history; its name becomes an alias the matcher finds; the merge undoes
exactly, or says why it cannot."""

from __future__ import annotations

import datetime as dt

import pytest

from survmap.platereaders.models import Organisation, OrganisationKind, Sharing
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    AgencyAlias,
    AliasSource,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    RecordMerge,
    Source,
    Vendor,
    VendorAlias,
)
from survmap.records.plans import Writer
from survmap.records.services import (
    MergeRefused,
    MergeUndoRefused,
    agency_match,
    agency_merge,
    merge_preview,
    merge_undo,
    merge_undo_check,
    record_edit,
    vendor_find,
    vendor_merge,
)
from survmap.research.models import CheckOutcome, ResearchCheck, ResearchTask
from survmap.submissions.models import Submission
from tests.factories import (
    AgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    SourceFactory,
    TechnologyFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db

MERGER = Writer.fixture("tests", reason="one agency")


@pytest.fixture
def twins() -> dict[str, object]:
    """The NYPD under two names, each with partnerships and what other apps link to it."""
    kept = AgencyFactory(name="New York City Police Department", state_id="NY", city="New York")
    removed = AgencyFactory(
        name="New York Police Department",
        state_id="NY",
        city="New York City",
        ori="NY0303000",
        attribution=ATLAS_ATTRIBUTION,
    )
    kept.counties.add("36061")
    removed.counties.add("36061", "36047")
    robots = TechnologyFactory(name="Robots", slug="robots")
    drones = TechnologyFactory(name="Drones", slug="drones")
    dji = VendorFactory(name="DJI", slug="dji")
    spot = VendorFactory(name="Boston Dynamics", slug="boston-dynamics")
    ours = PartnershipFactory(agency=kept, technology=robots, vendor=spot)
    # The same partnership on the other side, from the Atlas (numbered): combined into ours.
    same_source = SourceFactory()
    theirs_same = PartnershipFactory(
        agency=removed,
        technology=robots,
        vendor=spot,
        atlas_id="AOS0001",
        summary="Spot, from the Atlas.",
        sources=[same_source, *ours.sources.all()],
    )
    theirs = PartnershipFactory(agency=removed, technology=drones, vendor=dji, atlas_id="AOS0002")
    event = PolicyEventFactory(title="A decision")
    event.partnerships.add(theirs_same, theirs)
    AgencyAlias.objects.create(agency=removed, name="NYPD", source=AliasSource.MODERATOR)
    task = ResearchTask.objects.create(agency=removed, technology=drones)
    check = ResearchCheck.objects.create(
        agency=removed,
        technology=robots,
        partnership=theirs_same,
        outcome=CheckOutcome.FOUND,
        checked_date=dt.date(2024, 1, 2),
    )
    tip = Submission.objects.create(target_agency=removed, target_partnership=theirs_same)
    organisation = Organisation.objects.create(
        name="NYPD Intelligence", kind=OrganisationKind.OTHER, agency=removed
    )
    other = AgencyFactory(name="Newark Police Department", state_id="NJ")
    sharing = Sharing.objects.create(
        from_agency=removed,
        to_agency=other,
        technology=drones,
        as_of=dt.date(2024, 4, 26),
        source=SourceFactory(),
    )
    return locals()


def test_a_merge_moves_every_partnership_source_and_link_of_other_apps(twins):
    kept, removed = twins["kept"], twins["removed"]
    ours, theirs_same, theirs = twins["ours"], twins["theirs_same"], twins["theirs"]
    sources_before = set(
        Source.objects.filter(partnerships__agency__in=[kept, removed]).values_list("pk", flat=True)
    )

    merge = agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency: the NYPD")

    assert not Agency.objects.filter(pk=removed.pk).exists()
    # The same partnership on both sides is one now: ours, with the Atlas's number, sources
    # and summary; the other partnership moved.
    assert set(kept.partnerships.values_list("pk", flat=True)) == {ours.pk, theirs.pk}
    ours.refresh_from_db()
    assert ours.atlas_id == "AOS0001"
    assert ours.summary == "Spot, from the Atlas."
    assert not Partnership.objects.filter(pk=theirs_same.pk).exists()
    assert (
        set(Source.objects.filter(partnerships__agency=kept).values_list("pk", flat=True))
        == sources_before
    )
    assert set(twins["event"].partnerships.values_list("pk", flat=True)) == {ours.pk, theirs.pk}
    # Every other app's link to the agency (and to the combined partnership) moved.
    twins["task"].refresh_from_db()
    twins["check"].refresh_from_db()
    twins["tip"].refresh_from_db()
    twins["organisation"].refresh_from_db()
    twins["sharing"].refresh_from_db()
    assert twins["task"].agency_id == kept.pk
    assert (twins["check"].agency_id, twins["check"].partnership_id) == (kept.pk, ours.pk)
    assert (twins["tip"].target_agency_id, twins["tip"].target_partnership_id) == (
        kept.pk,
        ours.pk,
    )
    assert twins["organisation"].agency_id == kept.pk
    assert twins["sharing"].from_agency_id == kept.pk
    assert twins["sharing"].link_key.startswith(f"a{kept.pk}>")
    # Its counties and ORI, and both its names as aliases.
    kept.refresh_from_db()
    assert set(kept.counties.values_list("pk", flat=True)) == {"36061", "36047"}
    assert kept.ori == "NY0303000"
    assert kept.city == "New York"  # its own
    assert kept.attribution == ATLAS_ATTRIBUTION  # the credit owed comes along
    assert set(kept.aliases.values_list("name", flat=True)) == {
        "NYPD",
        "New York Police Department",
    }
    assert merge.summary["counts"]["partnerships combined"] == 1


def test_a_merge_keeps_the_history_of_both(twins):
    kept, removed, theirs = twins["kept"], twins["removed"], twins["theirs"]
    agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency: the NYPD")
    gone = Agency.history.filter(id=removed.pk).order_by("history_date")
    assert gone.first().history_type == "+"
    assert gone.last().history_type == "-"
    assert gone.last().history_change_reason.startswith("Merge ")
    # The partnership's history shows both agencies, the move with the merge's reason.
    agencies = list(
        Partnership.history.filter(id=theirs.pk)
        .order_by("history_date")
        .values_list("agency_id", "history_change_reason")
    )
    assert agencies[0][0] == removed.pk
    assert agencies[-1][0] == kept.pk
    assert "One agency: the NYPD" in agencies[-1][1]


def test_the_removed_names_are_found_by_the_matcher_and_vendor_find(twins):
    kept, removed = twins["kept"], twins["removed"]
    agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency")
    found = agency_match(name="New York Police Dept.", state="NY")
    assert (found.agency, found.rule) == (kept, "alias")
    assert agency_match(name="NYPD", state="NY").agency == kept
    # Within the agency's state only.
    assert agency_match(name="New York Police Department", state="NJ").agency is None

    flock = VendorFactory(name="Flock Safety", slug="flock-safety")
    short = VendorFactory(name="Flock", slug="flock")
    PartnershipFactory(vendor=short)
    vendor_merge(kept=flock, removed=short, writer=MERGER, reason="Flock is Flock Safety")
    assert vendor_find(name="FLOCK") == flock
    assert VendorAlias.objects.get(name="Flock").vendor == flock


def test_an_undo_puts_everything_back_exactly(twins):
    kept, removed = twins["kept"], twins["removed"]
    ours, theirs_same = twins["ours"], twins["theirs_same"]
    before_removed = {f.attname: getattr(removed, f.attname) for f in Agency._meta.concrete_fields}
    ours_sources = set(ours.sources.values_list("pk", flat=True))
    theirs_sources = set(theirs_same.sources.values_list("pk", flat=True))
    kept_counties = set(kept.counties.values_list("pk", flat=True))

    merge = agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency")
    assert merge_undo_check(merge) == []
    merge_undo(merge=merge, writer=MERGER, reason="They are two after all")

    back = Agency.objects.get(pk=removed.pk)
    assert {f.attname: getattr(back, f.attname) for f in Agency._meta.concrete_fields} == (
        before_removed
    )
    assert set(back.counties.values_list("pk", flat=True)) == {"36061", "36047"}
    assert set(back.aliases.values_list("name", flat=True)) == {"NYPD"}
    kept.refresh_from_db()
    assert (kept.ori, kept.attribution) == ("", "")
    assert set(kept.counties.values_list("pk", flat=True)) == kept_counties
    assert not kept.aliases.exists()
    assert set(back.partnerships.values_list("pk", flat=True)) == {
        theirs_same.pk,
        twins["theirs"].pk,
    }
    ours.refresh_from_db()
    assert ours.atlas_id is None and ours.summary == ""
    assert set(ours.sources.values_list("pk", flat=True)) == ours_sources
    restored = Partnership.objects.get(pk=theirs_same.pk)
    assert restored.atlas_id == "AOS0001"
    assert set(restored.sources.values_list("pk", flat=True)) == theirs_sources
    assert set(twins["event"].partnerships.values_list("pk", flat=True)) == {
        theirs_same.pk,
        twins["theirs"].pk,
    }
    for name in ("task", "check", "tip", "organisation", "sharing"):
        twins[name].refresh_from_db()
    assert twins["task"].agency_id == removed.pk
    assert (twins["check"].agency_id, twins["check"].partnership_id) == (
        removed.pk,
        theirs_same.pk,
    )
    assert twins["tip"].target_partnership_id == theirs_same.pk
    assert twins["sharing"].link_key.startswith(f"a{removed.pk}>")
    merge.refresh_from_db()
    assert merge.is_undone and merge.undo_reason == "They are two after all"
    with pytest.raises(MergeUndoRefused, match="undone"):
        merge_undo(merge=merge, writer=MERGER)


def test_an_undo_is_refused_when_later_edits_would_be_lost(twins):
    kept, removed, theirs, ours = twins["kept"], twins["removed"], twins["theirs"], twins["ours"]
    merge = agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency")
    elsewhere = AgencyFactory(name="Yonkers Police Department", state_id="NY")
    editor = Writer.fixture("a moderator", reason="it is Yonkers'")
    record_edit(
        instance=Partnership.objects.get(pk=theirs.pk), values={"agency": elsewhere}, writer=editor
    )
    record_edit(
        instance=Partnership.objects.get(pk=ours.pk),
        values={"status": PartnershipStatus.ENDED},
        writer=editor,
    )
    problems = merge_undo_check(merge)
    assert any(f"partnership {theirs.pk}" in problem for problem in problems)
    assert any(f"Partnership {ours.pk}" in problem for problem in problems)
    with pytest.raises(MergeUndoRefused, match="later work") as refused:
        merge_undo(merge=merge, writer=MERGER)
    assert str(theirs.pk) in str(refused.value)
    # Nothing was written.
    assert not Agency.objects.filter(pk=removed.pk).exists()
    assert Partnership.objects.get(pk=theirs.pk).agency == elsewhere
    assert not RecordMerge.objects.get(pk=merge.pk).is_undone

    # A new agency under the removed one's name stands in the way too.
    merge2_kept = AgencyFactory(name="Albany Police Department", state_id="NY")
    merge2_removed = AgencyFactory(name="Albany City Police Department", state_id="NY")
    merge2 = agency_merge(
        kept=merge2_kept, removed=merge2_removed, writer=MERGER, reason="One agency"
    )
    AgencyFactory(name="Albany City Police Department", state_id="NY")
    assert "has the removed agency's name" in " ".join(merge_undo_check(merge2))


def test_the_same_partnership_with_two_row_numbers_stays_two_and_is_noted():
    kept = AgencyFactory(name="Avon Police Department", state_id="IN")
    removed = AgencyFactory(name="Avon Town Police Department", state_id="IN")
    alpr = TechnologyFactory(name="Plate readers", slug="alpr")
    flock = VendorFactory(name="Flock Safety", slug="flock-safety")
    one = PartnershipFactory(agency=kept, technology=alpr, vendor=flock, atlas_id="AOS0010")
    two = PartnershipFactory(agency=removed, technology=alpr, vendor=flock, atlas_id="AOS0011")
    preview = merge_preview(kind="agency", kept=kept, removed=removed)
    assert preview.combined == [] and len(preview.apart) == 1
    merge = agency_merge(kept=kept, removed=removed, writer=MERGER, reason="one")
    assert set(kept.partnerships.all()) == {one, two}
    assert "two row numbers" in merge.summary["notes"][0]


def test_a_vendor_merge_combines_and_undoes_the_other_vendor_links():
    flock = VendorFactory(name="Flock Safety", slug="flock-safety")
    short = VendorFactory(name="Flock", slug="flock")
    alpr = TechnologyFactory(name="Plate readers", slug="alpr")
    agency = AgencyFactory(name="Memorial Villages Police Department", state_id="TX")
    ours = PartnershipFactory(agency=agency, technology=alpr, vendor=flock)
    theirs = PartnershipFactory(agency=agency, technology=alpr, vendor=short, atlas_id="AOS5571")
    also = PartnershipFactory(vendor=flock)
    also.other_vendors.add(short)
    event = PolicyEventFactory(vendor=short)
    merge = vendor_merge(kept=flock, removed=short, writer=MERGER, reason="Flock is Flock Safety")
    ours.refresh_from_db()
    assert ours.atlas_id == "AOS5571"
    assert not Partnership.objects.filter(pk=theirs.pk).exists()
    assert not also.other_vendors.exists()  # its vendor is Flock Safety already
    event.refresh_from_db()
    assert event.vendor == flock
    merge_undo(merge=merge, writer=MERGER)
    short = Vendor.objects.get(pk=short.pk)
    assert Partnership.objects.get(pk=theirs.pk).vendor == short
    assert list(also.other_vendors.all()) == [short]
    event.refresh_from_db()
    assert event.vendor == short
    assert not VendorAlias.objects.exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: (AgencyFactory(state_id="NY"), AgencyFactory(state_id="NJ")), "two states"),
        (
            lambda: (
                AgencyFactory(state_id="NY", ori="NY0303000"),
                AgencyFactory(state_id="NY", ori="NY0010100"),
            ),
            "two ORIs",
        ),
    ],
)
def test_two_agencies_that_are_two_are_refused(make, message):
    kept, removed = make()
    with pytest.raises(MergeRefused, match=message):
        agency_merge(kept=kept, removed=removed, writer=MERGER, reason="one?")
    assert Agency.objects.filter(pk=removed.pk).exists()
    assert not RecordMerge.objects.exists()


def test_a_merge_needs_a_reason_and_two_records():
    agency = AgencyFactory()
    with pytest.raises(MergeRefused, match="itself"):
        agency_merge(kept=agency, removed=agency, writer=MERGER, reason="x")
    with pytest.raises(MergeRefused, match="why"):
        agency_merge(kept=agency, removed=AgencyFactory(), writer=MERGER, reason="  ")
    parent = VendorFactory(name="Amazon", slug="amazon")
    ring = VendorFactory(name="Ring", slug="ring", parent=parent)
    with pytest.raises(MergeRefused, match="owns the other"):
        vendor_merge(kept=parent, removed=ring, writer=MERGER, reason="x")


def test_a_unique_rule_of_another_app_refuses_the_merge_whole(twins):
    kept, removed = twins["kept"], twins["removed"]
    # Both have an open task for drones: one agency cannot have two.
    ResearchTask.objects.create(agency=kept, technology=twins["drones"])
    with pytest.raises(MergeRefused, match="research task"):
        agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency")
    assert Agency.objects.filter(pk=removed.pk).exists()
    assert twins["theirs"].agency_id == removed.pk
    assert Partnership.objects.get(pk=twins["theirs"].pk).agency_id == removed.pk
    assert not RecordMerge.objects.exists()
    assert PolicyEvent.objects.get(pk=twins["event"].pk).partnerships.count() == 2


def test_an_undo_is_refused_when_the_ori_it_gave_was_changed(twins):
    kept, removed = twins["kept"], twins["removed"]
    merge = agency_merge(kept=kept, removed=removed, writer=MERGER, reason="One agency")
    record_edit(
        instance=Agency.objects.get(pk=kept.pk),
        values={"ori": "NY0303099"},
        writer=Writer.fixture("a moderator"),
    )
    with pytest.raises(MergeUndoRefused, match="ORI was changed"):
        merge_undo(merge=merge, writer=MERGER)
    assert Agency.objects.get(pk=kept.pk).ori == "NY0303099"
