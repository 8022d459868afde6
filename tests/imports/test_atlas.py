"""The Atlas importer on real rows: what each row becomes, and the mess it copes with."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.http import QueryDict

from survmap.common.dates import PartialDate
from survmap.imports.atlas import AtlasImporter, canonical_atlas_id, export_date
from survmap.imports.readers import AtlasFile, Row
from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    AgencyKind,
    Conflict,
    Partnership,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)
from survmap.records.writing import _inserts
from tests.imports.conftest import AtlasRows, changed

pytestmark = pytest.mark.django_db


def run(rows: list[Row], **options: object) -> AtlasImporter:
    importer = AtlasImporter(rows, today=dt.date(2026, 11, 23), **options)  # type: ignore[arg-type]
    importer.run()
    return importer


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "partnerships": Partnership.objects.count(),
        "sources": Source.objects.count(),
        "vendors": Vendor.objects.count(),
        "technologies": Technology.objects.count(),
        "history": Partnership.history.count() + Agency.history.count() + Source.history.count(),
    }


def test_a_row_becomes_agency_partnership_and_sources_with_attribution(
    atlas_rows: AtlasRows,
) -> None:
    report = run(atlas_rows("AOS0004")).report
    assert (report.created, report.rejected_count) == (1, 0)
    partnership = Partnership.objects.get(atlas_id="AOS0004")
    agency = partnership.agency
    assert (agency.name, agency.state_id, agency.kind, agency.city) == (
        "Peoria Police Department",
        "IL",
        AgencyKind.POLICE,
        "Peoria",
    )
    assert [county.fips for county in agency.counties.all()] == ["17143"]
    assert partnership.technology.slug == "gunshot-detection"
    assert partnership.vendor is not None and partnership.vendor.slug == "shotspotter"
    assert partnership.status == "active"
    assert partnership.start is None  # only Ring/Neighbors rows date the start
    assert partnership.summary.startswith("The Peoria Police Department began using ShotSpotter")
    sources = {source.url: source for source in partnership.sources.all()}
    icjia = sources[
        "http://www.icjia.state.il.us/assets/articles/Shotspotter-Final-191213T18420528.pdf"
    ]
    assert icjia.publisher == "icjia.state.il.us"
    assert str(icjia.published) == "2019-12-13"
    # Link 3 is a Wayback copy of an article no other link cites: a source of its own, at its
    # original address, with the Wayback copy as its archive.
    original = "http://www.therepublic.com/view/story/750f3d04ff2848c7879adb372b55881c/IL--Peoria-Gunshot-Detection"
    assert sources[original].archive_url.startswith("https://web.archive.org/web/20150317034225/")
    assert sources[original].publisher == "Associated Press"
    assert len(sources) == 3
    for record in (partnership, agency, *sources.values()):
        assert record.attribution == ATLAS_ATTRIBUTION
    # History is written as the services write it: the record ('+'), then its links ('~').
    created = partnership.history.get(history_type="+")
    assert created.history_change_reason == "Atlas of Surveillance import"
    linked = partnership.history.get(history_type="~")
    assert linked.history_change_reason == "Atlas of Surveillance import"
    assert {link.source_id for link in linked.sources.all()} == {s.pk for s in sources.values()}
    assert [link.county_id for link in agency.history.get(history_type="~").counties.all()] == [
        "17143"
    ]


def test_a_wayback_link_of_another_link_becomes_its_archived_copy(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS0005")
    wayback = "https://web.archive.org/web/20171101000000/" + row.get("Link 1")
    run([changed(row, **{"Link 2": wayback, "Link 2 Source": "", "Link 2 Date": ""})])
    partnership = Partnership.objects.get(atlas_id="AOS0005")
    (source,) = partnership.sources.all()
    assert source.url == row.get("Link 1")
    assert source.archive_url == wayback


def test_a_snapshot_column_gives_the_archive_url(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS0001")
    snapshot = "https://web.archive.org/web/2020/" + row.get("Link 1")
    run([changed(row, **{"Link 1 Snapshot": snapshot})])
    (source,) = Partnership.objects.get(atlas_id="AOS0001").sources.all()
    assert source.archive_url == snapshot


def test_links_that_are_not_http_are_dropped_and_reported(atlas_rows: AtlasRows) -> None:
    rows = atlas_rows("AOS0163", "AOS5493")
    report = run(rows).report
    assert report.created == 2
    urls = list(Source.objects.values_list("url", flat=True))
    assert not [url for url in urls if not re.match(r"https?://", url or "")]
    dropped = dict(report.dropped_links)
    assert "'County of Placer'" in dropped[rows[0].line]
    assert "ftp://ftp.co.hinds.ms.us" in dropped[rows[1].line]
    assert Partnership.objects.get(atlas_id="AOS5493").sources.count() == 1


def test_ring_rows_start_on_the_link_1_date_with_its_precision(
    atlas_rows: AtlasRows, atlas: AtlasFile
) -> None:
    ring = [row for row in atlas.rows if row.get("Technology").startswith("Ring")]
    year_only = changed(ring[5], **{"Link 1 Date": "2019"})
    month_only = next(
        row for row in atlas.rows if re.fullmatch(r"\d{2}/\d{4}", row.get("Link 1 Date"))
    )
    ring_month = changed(atlas_rows("AOS3712")[0], **{"Link 1 Date": month_only.get("Link 1 Date")})
    rows = [*atlas_rows("AOS3711"), year_only, ring_month]
    assert run(rows).report.created == 3
    short_year = Partnership.objects.get(atlas_id="AOS3711")  # '3/22/18'
    assert (short_year.start_date, short_year.start_precision) == (dt.date(2018, 3, 22), "day")
    year = Partnership.objects.get(atlas_id=canonical_atlas_id(year_only.get("AOSNUMBER")))
    assert year.start_precision == "year"
    assert year.start_date == dt.date(2019, 1, 1)
    month = Partnership.objects.get(atlas_id="AOS3712")
    assert month.start_precision == "month"
    assert month.start_date.day == 1
    assert month.technology.slug == "ring-neighbors-partnership"
    assert month.vendor is not None and month.vendor.slug == "ring"


def test_a_page_cited_with_different_dates_gets_no_publication_date(
    atlas_rows: AtlasRows,
) -> None:
    # Every Ring row cites Ring's map of partner agencies, dated by when that agency joined.
    run(atlas_rows("AOS3711", "AOS3712", "AOS3713"))
    (ring_map,) = Source.objects.filter(url__contains="mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB")
    assert ring_map.published is None
    assert ring_map.partnerships.count() == 3
    assert {p.start_date for p in ring_map.partnerships.all()} == {
        dt.date(2018, 3, 22),
        dt.date(2018, 4, 3),
        dt.date(2018, 4, 19),
    }


def test_bad_rows_are_reported_by_line_and_the_others_import(
    atlas_rows: AtlasRows,
) -> None:
    rows = atlas_rows("AOS0001", "AOS0851", "AOS0171", "AOS5679", "AOS5572", "AOS0002")
    report = run(rows).report
    # Only the row without a state is refused; unreadable dates are dropped from their rows.
    assert report.created == 5
    assert report.rejected == {"unknown state": 1}
    errors = dict(report.errors)
    by_id = {row.get("AOSNUMBER"): row.line for row in rows}
    assert "state 'NA' is not a US state" in errors[by_id["AOS0851"]]
    warnings = {warning.line: warning for warning in report.warnings}
    assert set(warnings) == {by_id["AOS5679"]}
    assert warnings[by_id["AOS5679"]].value == "9/21/0206"  # an impossible year: dropped
    assert warnings[by_id["AOS5679"]].column == "Link 2 Date"
    assert report.warned_lines == {by_id["AOS5679"]}
    assert report.imported_whole == 4
    summary = report.summary_lines()
    assert (
        "Rows imported whole: 4; imported with warnings: 1; conflicts with people's edits: 0; "
        "refused: 1." in summary
    )
    assert any(f"Warning, line {by_id['AOS5679']}: Link 2 Date '9/21/0206'" in s for s in summary)
    assert set(Partnership.objects.values_list("atlas_id", flat=True)) == {
        "AOS0001", "AOS0002", "AOS0171", "AOS5679", "AOS5572"
    }  # fmt: skip
    # A range is its first year, the text kept in the source's notes; a serial date is a date.
    ranged = Partnership.objects.get(atlas_id="AOS0171").sources.get(notes__contains="2017-2019")
    assert ranged.published == PartialDate(2017)
    serial = Partnership.objects.get(atlas_id="AOS5572")
    assert PartialDate(2018, 2, 15) in {source.published for source in serial.sources.all()}
    assert not Agency.objects.filter(city="Springfield", name__icontains="Springfield").exists()


def test_messy_cells_are_cleaned(atlas_rows: AtlasRows) -> None:
    rows = atlas_rows("AOS5508", "AOS0251", "AOS2760", "AOS2777", "AOS0577")
    report = run(rows).report
    assert report.rejected_count == 0, report.errors
    portage = Partnership.objects.get(atlas_id="AOS5508").agency
    assert portage.state_id == "WI"  # 'WI ' in the file
    assert [county.fips for county in portage.counties.all()] == ["55097"]
    harris = Partnership.objects.get(atlas_id="AOS0251").agency
    assert [county.fips for county in harris.counties.all()] == ["48201"]  # U+200E around it
    volusia = Partnership.objects.get(atlas_id="AOS2760")
    dates = {str(source.published) for source in volusia.sources.all()}
    assert "2016-06-01" in dates  # 'June 1, 2016'
    assert "2014-03-26" in {
        str(s.published) for s in Partnership.objects.get(atlas_id="AOS2777").sources.all()
    }  # '26 Mar 2014'


def test_several_vendors_keep_the_first_as_vendor_and_link_the_others(
    atlas_rows: AtlasRows,
) -> None:
    run(atlas_rows("AOS0883", "AOS0127", "AOS0129"))
    multi = Partnership.objects.get(atlas_id="AOS0883")
    assert multi.vendor is not None and multi.vendor.name == "Vigilant Solutions"
    assert [vendor.name for vendor in multi.other_vendors.all()] == ["Neology/PIPS"]
    assert "Vendors named by the Atlas" not in multi.summary  # the summary is the Atlas's own
    neology = Vendor.objects.get(name="Neology/PIPS")
    assert multi.history.first().other_vendors.filter(vendor=neology).exists()
    # Found under either vendor; a second run changes nothing.
    filterset = PartnershipFilterSet(
        QueryDict(f"vendor={neology.slug}"), queryset=Partnership.objects.all()
    )
    assert list(filterset.qs) == [multi]
    assert run(atlas_rows("AOS0883")).report.unchanged == 1
    # ' Predpol ' is the PredPol of the fixtures, not a new vendor.
    predpol = Vendor.objects.get(slug="predpol")
    assert Partnership.objects.get(atlas_id="AOS0127").vendor == predpol
    assert Partnership.objects.get(atlas_id="AOS0129").vendor == predpol
    assert Vendor.objects.filter(name__iexact="predpol").count() == 1


def test_a_technology_we_lack_is_created_with_a_category(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS0001")
    run([changed(row, Technology="Drone Detection Radar", Vendor="Dedrone")])
    partnership = Partnership.objects.get(atlas_id="AOS0001")
    assert partnership.technology.name == "Drone Detection Radar"
    assert partnership.technology.category == TechnologyCategory.DRONES
    assert partnership.vendor is not None and partnership.vendor.name == "Dedrone"


def test_agency_kinds_follow_type_of_lea_and_jurisdiction(atlas: AtlasFile) -> None:
    def first(lea: str, juris: str = "") -> Row:
        return next(
            row
            for row in atlas.rows
            if row.get("Type of LEA") == lea and (not juris or row.get("Type of Juris") == juris)
        )

    rows = {
        AgencyKind.SHERIFF: first("Sheriff"),
        AgencyKind.STATE_POLICE: first("Highway Patrol"),
        AgencyKind.FEDERAL: first("DHS"),
        AgencyKind.UNIVERSITY: first("Police", "University"),
        AgencyKind.OTHER: first("Fusion Center"),
    }
    run(list(rows.values()))
    for kind, row in rows.items():
        partnership = Partnership.objects.get(atlas_id=canonical_atlas_id(row.get("AOSNUMBER")))
        assert partnership.agency.kind == kind, row.get("Agency")


def test_the_atlas_row_of_a_starter_partnership_is_attached_not_duplicated(
    atlas_rows: AtlasRows, small_directory
) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    warren = Partnership.objects.get(agency__name="Warren Police Department", atlas_id=None)
    before = counts()
    starter_sources = set(warren.sources.values_list("pk", flat=True))
    report = run(atlas_rows("AOS4489")).report
    assert report.created == 0 and report.updated == 1
    warren.refresh_from_db()
    assert warren.atlas_id == "AOS4489"
    # Our record keeps our fields; the Atlas's credit stands beside ours (records that agree
    # make no conflict for a moderator).
    assert ATLAS_ATTRIBUTION in warren.attribution.split("; ")
    assert not Conflict.objects.filter(record_id=warren.pk, field="attribution").exists()
    assert Partnership.objects.count() == before["partnerships"]
    assert Agency.objects.count() == before["agencies"]
    assert starter_sources <= set(warren.sources.values_list("pk", flat=True))
    assert "adopted partnership" in report.changes[0][1]


def test_running_twice_changes_nothing_and_a_newer_export_updates_and_says_what(
    atlas_rows: AtlasRows,
) -> None:
    rows = atlas_rows("AOS0001", "AOS0002", "AOS0003", "AOS0883", "AOS3711")
    run(rows)
    before = counts()
    again = run(rows).report
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert counts() == before
    newer = [changed(rows[0], Summary="Woodstock police stopped using body cameras in 2021.")]
    newer += rows[1:]
    report = run(newer).report
    assert (report.updated, report.unchanged) == (1, 4)
    assert report.changes == [(rows[0].line, "AOS0001: partnership summary changed")]
    assert Partnership.objects.get(atlas_id="AOS0001").summary.startswith("Woodstock police")
    assert Partnership.objects.count() == before["partnerships"]


def test_a_newer_export_citing_another_known_source_adds_the_link(
    atlas_rows: AtlasRows,
) -> None:
    """A re-import compares a known partnership's sources with what the row cites: a link to a
    source already on file (cited by another row) is added, not taken for unchanged."""
    first, second = atlas_rows("AOS0001", "AOS0002")
    run([first, second])
    extra = second.get("Link 1")
    assert extra not in Partnership.objects.get(atlas_id="AOS0001").sources.values_list(
        "url", flat=True
    )
    # A row has three link columns: the first free one, else the third (sources once cited
    # stay cited, so replacing a link adds one).
    slot = next((n for n in (1, 2, 3) if not first.get(f"Link {n}")), 3)
    newer = changed(first, **{f"Link {slot}": extra, f"Link {slot} Snapshot": ""})
    report = run([newer, second]).report
    assert (report.updated, report.unchanged) == (1, 1)
    assert report.changes == [(newer.line, "AOS0001: partnership cites 1 more source(s)")]
    cited = Partnership.objects.get(atlas_id="AOS0001").sources.values_list("url", flat=True)
    assert extra in cited


def test_dry_run_writes_nothing_but_reports_the_same(atlas_rows: AtlasRows) -> None:
    rows = atlas_rows("AOS0001", "AOS0002", "AOS0851")
    before = counts()
    dry = run(rows, dry_run=True).report
    assert counts() == before
    real = run(rows).report
    assert (dry.created, dry.rejected, dry.counties_matched) == (
        real.created,
        real.rejected,
        real.counties_matched,
    )
    assert dry.summary_lines()[0].startswith("Dry run, nothing written. Rows read: 3; created: 2;")


class Killed(BaseException):
    """Stands for the process being killed: not an Exception, so no row handler catches it."""


def test_a_killed_run_leaves_only_whole_rows(
    atlas_rows: AtlasRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = atlas_rows(*(f"AOS{n:04d}" for n in range(1, 13)))
    killed_row = rows[7]
    killed_id = canonical_atlas_id(killed_row.get("AOSNUMBER"))
    insert = _inserts.insert

    def killed(model: Any, objs: Any) -> None:
        # After the row's agency and sources are written, before its partnership.
        if model is Partnership and any(obj.atlas_id == killed_id for obj in objs):
            raise Killed
        insert(model, objs)

    monkeypatch.setattr(_inserts, "insert", killed)
    with pytest.raises(Killed):
        AtlasImporter(rows, batch_size=5).run()
    # The first batch (5 rows) was committed; the batch being written when killed is gone.
    assert set(Partnership.objects.values_list("atlas_id", flat=True)) == {
        f"AOS{n:04d}" for n in range(1, 6)
    }
    for partnership in Partnership.objects.all():
        assert partnership.sources.exists()
    cited = Source.objects.filter(partnerships__isnull=False).distinct().count()
    assert Source.objects.count() == cited  # no source left behind without its row
    assert not Agency.objects.filter(partnerships__isnull=True).exists()
    assert not Agency.objects.filter(name=killed_row.get("Agency")).exists()


def test_the_command_imports_a_file_and_prints_the_summary(
    atlas: AtlasFile, atlas_rows: AtlasRows, tmp_path, capsys
) -> None:
    from tests.imports.conftest import atlas_text

    path = tmp_path / "atlas.csv"
    path.write_text(atlas_text(atlas.header, atlas_rows("AOS0001", "AOS0851")), encoding="utf-8")
    call_command("import_atlas", str(path), "--quiet")
    out = capsys.readouterr().out
    assert "Rows read: 2; created: 1; updated: 0; unchanged: 0; rejected: 1." in out
    assert "Rejected rows by reason: unknown state: 1." in out
    assert "Rejected, line 3: AOS0851: state 'NA' is not a US state or territory" in out
    assert "Counties: 1 rows matched" in out
    call_command("import_atlas", str(path), "--quiet", "--dry-run")
    assert "Dry run, nothing written. Rows read: 2; created: 0; updated: 0; unchanged: 1" in (
        capsys.readouterr().out
    )


def test_a_failed_bulk_write_is_redone_row_by_row(
    atlas_rows: AtlasRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    rows = atlas_rows("AOS0001", "AOS0002", "AOS0003")
    insert = _inserts.insert
    failed: list[bool] = []

    def failing_once(model: Any, objs: Any) -> None:
        # The first bulk write fails half-way (sources written) as a database error would.
        if model is Partnership and not failed:
            failed.append(True)
            raise IntegrityError("simulated failure of the bulk write")
        insert(model, objs)

    monkeypatch.setattr(_inserts, "insert", failing_once)
    report = AtlasImporter(rows, today=dt.date(2026, 11, 23)).run()
    assert failed
    assert (report.created, report.rejected_count) == (3, 0)
    assert Partnership.objects.count() == 3
    assert Agency.objects.count() == 3
    for partnership in Partnership.objects.all():
        assert partnership.history.filter(history_type="+").exists()


def test_coordinates_decide_the_county_by_point_in_polygon(atlas_rows: AtlasRows) -> None:
    (row,) = atlas_rows("AOS4489")  # Warren, MI; its County text says Macomb County
    # A row of a later export with coordinates and an ORI; the county text is wrong on purpose.
    located = changed(
        row,
        County="Wayne County",
        Latitude="42.4934",
        Longitude="-83.0277",
        **{"NEWAOSNUMBER (ORI9)": "MI5086000"},
    )
    report = run([located]).report
    assert report.counties_matched == 1
    agency = Partnership.objects.get(atlas_id="AOS4489").agency
    assert [county.fips for county in agency.counties.all()] == ["26099"]  # Macomb, not Wayne
    assert (agency.latitude, agency.longitude, agency.ori) == (42.4934, -83.0277, "MI5086000")


def test_a_row_with_the_wrong_number_of_fields_is_reported(atlas: AtlasFile) -> None:
    from survmap.imports.readers import read_atlas
    from tests.imports.conftest import atlas_text

    text = atlas_text(atlas.header, atlas.rows[:2]) + '"AOS9999","Nowhere","MI"\n'
    report = run(read_atlas(text.encode()).rows).report
    assert report.created == 2
    assert report.rejected == {"malformed row": 1}
    assert report.errors[0][0] == 4


def test_an_imported_status_is_as_of_its_newest_source_or_the_list_for_ring_rows(
    atlas_rows: AtlasRows,
) -> None:
    # AOS0005's links are dated 10/23/2017 and 4/27/2020; AOS0006's 01/02/2019 and 11/20/2017.
    # AOS3711 is a Ring/Neighbors row: Ring's list of partners confirmed it at the export.
    run(atlas_rows("AOS0005", "AOS0006", "AOS3711"), list_date=PartialDate(2020, 10, 7))
    as_of = {
        partnership.atlas_id: (partnership.status, partnership.status_as_of)
        for partnership in Partnership.objects.all()
    }
    assert as_of == {
        "AOS0005": ("active", PartialDate(2020, 4, 27)),
        "AOS0006": ("active", PartialDate(2019, 1, 2)),
        "AOS3711": ("active", PartialDate(2020, 10, 7)),
    }
    ring = Partnership.objects.get(atlas_id="AOS3711")
    assert ring.start == PartialDate(2018, 3, 22)  # when it joined


def test_the_export_date_comes_from_the_file_name() -> None:
    assert export_date("Atlas_of_Surveillance-20201007.csv.xz") == PartialDate(2020, 10, 7)
    assert export_date("atlas-2024-05-31.csv") == PartialDate(2024, 5, 31)
    assert export_date("atlas.csv") is None
