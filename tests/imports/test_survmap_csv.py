"""Our own CSV read back: export everything public, import it into an empty database, and get
the same records."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import FileRefused, read_survmap_csv
from survmap.imports.survmap_csv import CsvImporter
from survmap.records.csv_format import COLUMNS, neutralize_cell, partnership_row
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
from survmap.records.selectors import partnership_list_public
from survmap.records.writing import _inserts
from tests.factories import AgencyFactory, TechnologyFactory, VendorFactory
from tests.imports.conftest import AtlasRows
from tests.records.by_hand import partnership_upsert, source_upsert

pytestmark = pytest.mark.django_db


def export_csv() -> str:
    """What the CSV export writes: csv_format's row, each cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for partnership in partnership_list_public():
        row = partnership_row(partnership)
        writer.writerow([neutralize_cell(row[column]) for column in COLUMNS])
    return out.getvalue()


def records() -> list[tuple[Any, ...]]:
    """Everything public, by what identifies it rather than by database id."""
    result = []
    for p in partnership_list_public():
        agency = p.agency
        result.append(
            (
                agency.name,
                agency.state_id,
                agency.kind,
                agency.city,
                tuple(sorted(county.fips for county in agency.counties.all())),
                agency.latitude,
                agency.longitude,
                agency.ori,
                p.technology.slug,
                p.technology.name,
                p.technology.category,
                p.vendor.slug if p.vendor else None,
                p.vendor.name if p.vendor else None,
                p.product,
                p.status,
                p.start_date,
                p.start_precision,
                p.end_date,
                p.end_precision,
                p.summary,
                p.atlas_id,
                p.attribution,
                # The Atlas's credit on its agencies (beside the FBI directory's, which the
                # format does not carry: the directory gives it again where it is loaded).
                ATLAS_ATTRIBUTION in agency.attribution if p.atlas_id else "",
                tuple(
                    sorted(
                        (
                            s.url or "",
                            s.title,
                            s.publisher,
                            s.published_date or dt.date.min,
                            s.published_precision,
                            s.archive_url,
                        )
                        for s in p.sources.all()
                    )
                ),
            )
        )
    return sorted(result, key=repr)


def empty_database() -> None:
    PolicyEvent.objects.all().delete()
    Partnership.objects.all().delete()
    Source.objects.all().delete()
    Agency.objects.all().delete()
    Vendor.objects.all().delete()
    Technology.objects.all().delete()


def export_csv_from_the_api() -> str:
    """What a data user downloads: the streamed whole-set export."""
    response = Client().get(reverse("api:export-partnerships-csv"))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.parametrize("export", [export_csv, export_csv_from_the_api], ids=["format", "api"])
def test_export_then_import_into_an_empty_database_gives_the_same_records(
    atlas_rows: AtlasRows, export: Any, small_directory
) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    AtlasImporter(
        atlas_rows("AOS0001", "AOS0002", "AOS0004", "AOS0883", "AOS3711", "AOS4489", "AOS0408"),
        today=dt.date(2026, 11, 23),
    ).run()
    # Cells a spreadsheet would run, a print source, an end date known to the month.
    print_source, _ = source_upsert(
        url=None, title="=Council minutes, 12 May", publisher="-City clerk"
    )
    web_source, _ = source_upsert(
        url="https://news.example.org/ended",
        title="+Program ends",
        published=PartialDate(2021, 6),
        archive_url="https://web.archive.org/web/2021/https://news.example.org/ended",
    )
    partnership_upsert(
        agency=AgencyFactory(name="Springfield Police Department", counties=["26163"]),
        technology=TechnologyFactory(name="Social media monitoring", slug="social-media"),
        vendor=VendorFactory(name="@Geofeedia", slug="geofeedia"),
        sources=[print_source, web_source],
        status=PartnershipStatus.ENDED,
        start=PartialDate(2016),
        end=PartialDate(2021, 6),
        summary="-Ended after a council vote.\nSecond line.",
        product="Geofeedia Pro",
    )
    before = records()
    assert len(before) >= 9
    text = export()

    empty_database()
    assert not Partnership.objects.exists()
    report = CsvImporter(read_survmap_csv(text.encode())).run()
    assert report.rejected_count == 0, report.errors
    assert report.created == len(before)
    assert records() == before
    # The format has no column for a source's own credit: sources cited by an Atlas row take
    # the Atlas credit, as the Atlas import gave it.
    atlas_sources = Source.objects.filter(partnerships__atlas_id="AOS0004")
    assert {source.attribution for source in atlas_sources} == {ATLAS_ATTRIBUTION}

    again = CsvImporter(read_survmap_csv(text.encode())).run()
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))


def test_import_csv_command_reads_a_file_and_refuses_an_atlas_export(
    tmp_path, capsys, small_directory
) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    path = tmp_path / "export.csv"
    path.write_text(export_csv(), encoding="utf-8")
    count = Partnership.objects.public().count()
    empty_database()
    call_command("import_csv", str(path), "--quiet")
    assert f"created: {count}; updated: 0; unchanged: 0; rejected: 0." in capsys.readouterr().out
    assert Partnership.objects.count() == count

    atlas_like = tmp_path / "atlas.csv"
    atlas_like.write_text('"AOSNUMBER","City"\n"AOS0001","Woodstock"\n', encoding="utf-8")
    with pytest.raises(CommandError, match="Not a survmap CSV export: the header lacks"):
        call_command("import_csv", str(atlas_like))


def test_a_row_without_a_state_is_refused_and_a_bad_date_dropped_by_line(small_directory) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    lines = export_csv().splitlines(keepends=True)
    rows = list(csv.DictReader(io.StringIO("".join(lines))))
    rows[0]["state"] = "XX"
    rows[1]["start_date"] = "2020-02-30"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    # A row's cells may hold line breaks (several sources), so the second row starts on the
    # line after the first row's last.
    reader = csv.reader(io.StringIO(out.getvalue(), newline=""))
    next(reader), next(reader)
    second_row_line = reader.line_num + 1
    empty_database()
    report = CsvImporter(read_survmap_csv(out.getvalue())).run()
    assert report.rejected == {"unknown state": 1}
    assert [line for line, _ in report.errors] == [2]
    # The impossible date is dropped from its row, which is kept, with a warning.
    assert [(w.line, w.column, w.value) for w in report.warnings] == [
        (second_row_line, "start_date", "2020-02-30")
    ]
    assert report.created == len(rows) - 1


def test_a_binary_file_is_refused_as_our_csv() -> None:
    with pytest.raises(FileRefused, match="binary"):
        read_survmap_csv(b"\x00\x01\x02")


def _counts() -> tuple[int, int, int]:
    return (Agency.objects.count(), Partnership.objects.count(), Source.objects.count())


def test_a_gzip_bomb_is_refused_after_the_cap_not_after_expanding(tmp_path, settings) -> None:
    # 64 MB of zeros after a real header is some 64 KB of gzip; the cap is 8 MB here.
    settings.SURVMAP_IMPORT_MAX_BYTES = 8 * 1024 * 1024
    path = tmp_path / "export.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write((",".join(COLUMNS) + "\n").encode())
        zeros = bytes(1024 * 1024)
        for _ in range(64):
            handle.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    before = _counts()
    with pytest.raises(CommandError, match="expands to more than 8,388,608 bytes"):
        call_command("import_csv", str(path), "--quiet")
    assert _counts() == before
    # A plain file past the cap is refused from its size.
    plain = tmp_path / "export.csv"
    plain.write_bytes(b"x" * (8 * 1024 * 1024 + 1))
    with pytest.raises(CommandError, match="holds more than 8,388,608 bytes"):
        call_command("import_csv", str(plain), "--quiet")


def test_a_file_with_more_rows_than_the_cap_is_refused_whole(
    tmp_path, settings, small_directory
) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    text = export_csv()
    rows = len(list(csv.DictReader(io.StringIO(text))))
    settings.SURVMAP_IMPORT_MAX_ROWS = rows - 1
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    empty_database()
    with pytest.raises(CommandError, match=f"more than {rows - 1:,} rows"):
        call_command("import_csv", str(path), "--quiet")
    assert _counts() == (0, 0, 0)
    settings.SURVMAP_IMPORT_MAX_ROWS = rows
    call_command("import_csv", str(path), "--quiet")
    assert Partnership.objects.count() == rows


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_nul_past_the_first_64_kb_is_refused_before_anything_is_written(
    tmp_path, suffix: str, small_directory
) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    rows = list(csv.DictReader(io.StringIO(export_csv())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    # Enough rows that the last one starts past 64 KB; its agency name carries a NUL.
    while out.tell() < 70 * 1024:
        writer.writerows(rows)
    writer.writerow({**rows[0], "agency": "Null\x00ville Police Department"})
    data = out.getvalue().encode()
    assert data.index(b"\x00") > 64 * 1024
    path = tmp_path / f"export{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    empty_database()
    with pytest.raises(CommandError, match="NUL byte at offset"):
        call_command("import_csv", str(path), "--quiet")
    assert _counts() == (0, 0, 0)


def test_control_characters_in_a_cell_never_reach_a_name(small_directory) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    rows = list(csv.DictReader(io.StringIO(export_csv())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow({**rows[0], "agency": "Bell\x07\x1b[31mtown\u202e Police Department"})
    empty_database()
    CsvImporter(read_survmap_csv(out.getvalue().encode())).run()
    assert Agency.objects.get().name == "Bell[31mtown Police Department"


# The bulk path (imports/bulk.py) against the per-row path it stands in for.


class PerRow(CsvImporter):
    """The importer with its bulk path off: every row through the services."""

    bulk = False


class Counted(CsvImporter):
    """The importer as it is, counting the rows its bulk path wrote or found unchanged."""

    bulk_rows = 0

    def run(self) -> Any:
        report = super().run()
        self.bulk_rows = report.bulk_rows
        return report


def history() -> list[tuple[Any, ...]]:
    """Every history entry by what it records (links included), not by id or time."""
    entries: list[tuple[Any, ...]] = []
    for model, fields in (
        (Agency, ("name", "state_id", "kind", "city", "ori", "latitude", "longitude")),
        (Source, ("url", "title", "publisher", "published_date", "archive_url")),
        (Partnership, ("atlas_id", "status", "start_date", "end_date", "summary", "product")),
        (Technology, ("slug", "name")),
        (Vendor, ("slug", "name")),
    ):
        for entry in model.history.all():  # type: ignore[attr-defined]
            links: tuple[Any, ...] = ()
            if model is Agency:
                links = tuple(sorted(entry.counties.values_list("county_id", flat=True)))
            elif model is Partnership:
                cited = entry.sources.values_list("source__url", "source__title")
                links = tuple(sorted(cited, key=repr))
            values = tuple(getattr(entry, name) for name in fields)
            entries.append(
                (model.__name__, entry.history_type, entry.history_change_reason, values, links)
            )
    return sorted(entries, key=repr)


def imported(importer: type[CsvImporter], text: str, **options: Any) -> dict[str, Any]:
    """What an import of the text does to the database as it stands, which is then put back."""
    with transaction.atomic():
        before = len(history())
        report = importer(read_survmap_csv(text), **options).run()
        seen = {
            "counts": (report.created, report.updated, report.unchanged, dict(report.rejected)),
            "errors": report.errors,
            "changes": report.changes,
            "warnings": [str(warning) for warning in report.warnings],
            "records": records(),
            "history": history(),
            "new history": len(history()) - before,
        }
        transaction.set_rollback(True)
    return seen


def rewritten(text: str, edit: Any) -> str:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    rows = edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def load_some_records(atlas_rows: AtlasRows) -> None:
    call_command("load_starter_data", "--no-atlas", verbosity=0)
    AtlasImporter(
        atlas_rows(
            "AOS0001", "AOS0002", "AOS0003", "AOS0004", "AOS0883", "AOS3711", "AOS4489", "AOS0408"
        ),
        today=dt.date(2026, 11, 23),
    ).run()


def test_bulk_created_records_have_their_history_with_the_import_reason(
    atlas_rows: AtlasRows, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()
    count = Partnership.objects.public().count()
    empty_database()
    importer = Counted(read_survmap_csv(text))
    report = importer.run()
    assert report.created == count
    assert importer.bulk_rows > 0  # some rows went the bulk way (the first of a vendor does not)
    for model in (Agency, Source, Partnership):
        for record in model.objects.all():
            created = record.history.filter(history_type="+")  # type: ignore[attr-defined]
            assert [entry.history_change_reason for entry in created] == ["survmap CSV import"]
    for partnership in Partnership.objects.all():
        latest = partnership.history.latest("history_id")  # type: ignore[attr-defined]
        cited = set(partnership.sources.values_list("pk", flat=True))
        assert set(latest.sources.values_list("source_id", flat=True)) == cited
    for agency in Agency.objects.all():
        latest = agency.history.latest("history_id")  # type: ignore[attr-defined]
        served = set(agency.counties.values_list("fips", flat=True))
        assert set(latest.counties.values_list("county_id", flat=True)) == served


def test_bulk_import_into_an_empty_database_equals_the_per_row_import(
    atlas_rows: AtlasRows, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()
    empty_database()
    per_row = imported(PerRow, text)
    assert per_row["counts"][0] > 5
    for batch_size in (500, 3):
        assert imported(CsvImporter, text, batch_size=batch_size) == per_row


def test_a_mixed_file_gives_the_same_counts_messages_and_records_as_the_per_row_path(
    atlas_rows: AtlasRows, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()

    def edit(all_rows: list[dict[str, str]]) -> list[dict[str, str]]:
        # The edits go to rows an import wrote: the starter and research records are a
        # person's, which an import never overwrites (it notes a conflict instead).
        rows = [row for row in all_rows if row["atlas_id"]]
        new = dict(rows[0], agency="Nowhere Police Department", atlas_id="", partnership_id="")
        # The same new agency placed elsewhere by one of its four rows: the city the other
        # three give stands, and this one is noted (a file says once what an agency is).
        moved = dict(new, city="Elsewhere")
        rows[1]["status"] = "ended"  # an update of a partnership
        rows[1]["end_date"] = "2024-05"
        rows[2]["source_urls"] += "\nhttps://news.example.org/new-source"  # a new source cited
        rows[3]["start_date"], rows[3]["end_date"] = "2020", "2019"  # invalid: end before start
        rows[4]["county_fips"] = "99999"  # invalid: no such county
        rows[5]["state"] = "XX"  # refused when read
        return [
            *all_rows,
            new,
            dict(new),
            moved,
            dict(new, technology_slug="new-kind", technology="New kind"),
        ]

    mixed = rewritten(text, edit)
    # Some rows new again: their partnerships gone, one agency with them.
    gone = Partnership.objects.filter(atlas_id__in=["AOS0883", "AOS3711", "AOS0002"])
    agency_ids = set(gone.values_list("agency_id", flat=True))
    gone.delete()
    Agency.objects.filter(pk__in=agency_ids, partnerships__isnull=True).delete()

    per_row = imported(PerRow, mixed)
    created, updated, unchanged, rejected = per_row["counts"]
    assert rejected == {"invalid record": 2, "unknown state": 1}
    assert created >= 4 and updated >= 1 and unchanged >= 2, per_row["counts"]
    assert any("'Elsewhere'" in warning and "stands" in warning for warning in per_row["warnings"])
    messages = dict(per_row["errors"])
    assert any("end date is before the start date" in text for text in messages.values())
    assert any("Unknown county FIPS code(s): 99999" in text for text in messages.values())
    for batch_size in (500, 4, 1):
        assert imported(CsvImporter, mixed, batch_size=batch_size) == per_row


def test_a_reimport_is_all_unchanged_and_writes_nothing(
    atlas_rows: AtlasRows, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()
    count = Partnership.objects.public().count()
    empty_database()
    assert CsvImporter(read_survmap_csv(text)).run().created == count
    importer = Counted(read_survmap_csv(text))
    entries = len(history())
    report = importer.run()
    assert (report.created, report.updated, report.unchanged) == (0, 0, count)
    # Recognised without a write, rows naming several vendors too.
    assert Partnership.objects.filter(other_vendors__isnull=False).exists()
    assert importer.bulk_rows == count
    assert len(history()) == entries


def test_a_dry_run_reports_what_the_import_does_and_writes_nothing(
    atlas_rows: AtlasRows, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()
    empty_database()
    entries = len(history())
    dry = CsvImporter(read_survmap_csv(text), dry_run=True).run()
    assert not Partnership.objects.exists() and len(history()) == entries
    real = CsvImporter(read_survmap_csv(text)).run()
    assert (dry.created, dry.updated, dry.unchanged, dry.errors) == (
        real.created,
        real.updated,
        real.unchanged,
        real.errors,
    )
    assert dry.created > 5


def test_a_failed_bulk_write_is_redone_row_by_row(
    atlas_rows: AtlasRows, monkeypatch: pytest.MonkeyPatch, small_directory
) -> None:
    load_some_records(atlas_rows)
    text = export_csv()
    empty_database()
    per_row = imported(PerRow, text)
    insert = _inserts.insert
    failed: list[bool] = []

    def failing_once(model: Any, objs: Any) -> None:
        # The first bulk write (into the empty database) fails as a database error would,
        # half-way through: its agencies and sources written, not its partnerships.
        if model is Partnership and not failed:
            failed.append(True)
            raise IntegrityError("simulated failure of the bulk write")
        insert(model, objs)

    monkeypatch.setattr(_inserts, "insert", failing_once)
    assert imported(CsvImporter, text) == per_row
    assert failed
