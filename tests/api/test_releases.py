"""Dated releases: a checksummed snapshot of the public data, listed and served on /downloads/
without letting anyone reach other files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from survmap.api import releases
from survmap.records import csv_format
from survmap.records.models import ATLAS_ATTRIBUTION
from tests.api.conftest import Record


def _release(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("release", output=tmp_path, stdout=out)
    (folder,) = [child for child in tmp_path.iterdir() if not child.name.startswith(".")]
    assert folder.name in out.getvalue()
    return folder


def test_release_writes_a_dated_checksummed_snapshot(tmp_path: Path, record: Record) -> None:
    folder = _release(tmp_path)
    assert folder.name == dt.datetime.now(dt.UTC).date().isoformat()
    sums = (folder / releases.CHECKSUMS).read_text().splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split("  ")
        listed[name] = digest
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert set(listed) == {
        releases.CSV_NAME,
        releases.GEOJSON_NAME,
        releases.CHECKS_CSV_NAME,
        releases.CHECKS_GEOJSON_NAME,
        releases.SHARING_CSV_NAME,
        releases.DICTIONARY_NAME,
        releases.LICENSE_NAME,
    }
    text = (folder / releases.CSV_NAME).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["partnership_id"] for row in rows} == {
        str(record.doorbell.pk),
        str(record.face_ended.pk),
    }
    assert "Hiddenville" not in text
    collection = json.loads((folder / releases.GEOJSON_NAME).read_text())
    assert len(collection["features"]) == 2
    dictionary = (folder / releases.DICTIONARY_NAME).read_text()
    for column in csv_format.COLUMNS:
        assert f"| {column} |" in dictionary
    assert "The law-enforcement agency." in dictionary  # model help_text
    licence = (folder / releases.LICENSE_NAME).read_text()
    assert ATLAS_ATTRIBUTION in licence and "CC BY 4.0" in licence


def test_a_second_release_the_same_day_gets_its_own_folder(tmp_path: Path, db: None) -> None:
    first = releases.build_release(tmp_path, today=dt.date(2026, 1, 2))
    second = releases.build_release(tmp_path, today=dt.date(2026, 1, 2))
    assert (first.name, second.name) == ("2026-01-02", "2026-01-02.2")
    assert [r.name for r in releases.list_releases(tmp_path)] == ["2026-01-02.2", "2026-01-02"]
    assert not [child for child in tmp_path.iterdir() if child.name.startswith(".")]


def test_downloads_page_lists_releases_and_serves_their_files(
    tmp_path: Path, client: Client, record: Record
) -> None:
    release = releases.build_release(tmp_path, today=dt.date(2026, 3, 4))
    with override_settings(SURVMAP_RELEASES_DIR=tmp_path):
        page = client.get(reverse("downloads:list"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "2026-03-04" in html
        url = reverse("downloads:file", args=[release.name, releases.CSV_NAME])
        assert url in html
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        digest = next(f.sha256 for f in release.files if f.name == releases.CSV_NAME)
        assert hashlib.sha256(body).hexdigest() == digest


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("2026-03-04", "unlisted.txt"),
        ("2026-03-04", "..%2F..%2Fsecret.txt"),
        ("..", "secret.txt"),
        ("2026-03-04%2F..", "secret.txt"),
        ("2026-03-05", releases.CSV_NAME),
    ],
)
def test_downloads_serve_only_files_listed_in_a_release(
    tmp_path: Path, client: Client, db: None, name: str, filename: str
) -> None:
    releases_root = tmp_path / "releases"
    release = releases.build_release(releases_root, today=dt.date(2026, 3, 4))
    (release.path / "unlisted.txt").write_text("not part of the release")
    (tmp_path / "secret.txt").write_text("secret")
    with override_settings(SURVMAP_RELEASES_DIR=releases_root):
        response = client.get(f"/downloads/{name}/{filename}")
    assert response.status_code == 404


def test_a_fresh_install_offers_the_live_data_with_a_citation_line(
    client: Client, record: Record
) -> None:
    html = client.get(reverse("downloads:list")).content.decode()
    assert "No dated release has been published yet" in html
    citation = html.split('<p class="citation">', 1)[1].split("</p>", 1)[0]
    assert "http://testserver" + reverse("api:export-partnerships-csv") in citation
    assert "data version <code>" in citation and "retrieved" in citation


def test_release_if_none_publishes_a_first_release_only(tmp_path: Path, record: Record) -> None:
    call_command("release", output=tmp_path, if_none=True, stdout=io.StringIO())
    call_command("release", output=tmp_path, if_none=True, stdout=io.StringIO())
    assert len(releases.list_releases(tmp_path)) == 1
    call_command("release", output=tmp_path, stdout=io.StringIO())
    assert len(releases.list_releases(tmp_path)) == 2
