"""Our own CSV read back: export everything public, import it into an empty database, and get
the same records."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
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
from survmap.records.services import partnership_upsert, source_upsert
from tests.factories import AgencyFactory, TechnologyFactory, VendorFactory
from tests.imports.conftest import AtlasRows

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
                agency.attribution if p.atlas_id else "",
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
    atlas_rows: AtlasRows, export: Any
) -> None:
    call_command("load_starter_data", verbosity=0)
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


def test_import_csv_command_reads_a_file_and_refuses_an_atlas_export(tmp_path, capsys) -> None:
    call_command("load_starter_data", verbosity=0)
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


def test_a_bad_row_in_our_csv_is_reported_by_line() -> None:
    call_command("load_starter_data", verbosity=0)
    lines = export_csv().splitlines(keepends=True)
    rows = list(csv.DictReader(io.StringIO("".join(lines))))
    rows[0]["state"] = "XX"
    rows[1]["start_date"] = "2020-02-30"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    empty_database()
    report = CsvImporter(read_survmap_csv(out.getvalue())).run()
    assert report.rejected == {"unknown state": 1, "unreadable date": 1}
    assert [line for line, _ in report.errors] == [2, 3]
    assert report.created == len(rows) - 2


def test_a_binary_file_is_refused_as_our_csv() -> None:
    with pytest.raises(FileRefused, match="binary"):
        read_survmap_csv(b"\x00\x01\x02")
