"""Dated, checksummed snapshots of the whole public dataset, so that a study can cite a fixed
version: written by `manage.py release`, listed and served on /downloads/."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from survmap.api import check_exports, exports, licensing
from survmap.api import sharing_exports as sharing_release
from survmap.records import csv_format
from survmap.records.columns import COLUMNS_BY_NAME
from survmap.records.models import Agency, Partnership, PolicyEvent, Source, Technology, Vendor
from survmap.records.selectors import partnership_list_public

CHECKSUMS = "SHA256SUMS"
CSV_NAME = "survmap-partnerships.csv"
GEOJSON_NAME = "survmap-partnerships.geojson"
CHECKS_CSV_NAME = "survmap-checks.csv"
CHECKS_GEOJSON_NAME = "survmap-checks.geojson"
SHARING_CSV_NAME = "survmap-sharing.csv"
DICTIONARY_NAME = "DATA-DICTIONARY.md"
LICENSE_NAME = "LICENSE.txt"
RELEASE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d{1,3})?$")
_CHECKSUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9][A-Za-z0-9._-]*)$")


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Release:
    name: str
    path: Path
    files: tuple[ReleaseFile, ...]


def releases_dir() -> Path:
    return Path(settings.SURVMAP_RELEASES_DIR)


def _write(path: Path, pieces: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        for piece in pieces:
            handle.write(piece)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_dictionary() -> str:
    lines = [
        "# survmap data dictionary",
        "",
        f"## {CSV_NAME}",
        "",
        "One row per public partnership. UTF-8 with a byte-order mark. Cells that a spreadsheet "
        "would run as a formula start with an apostrophe (OWASP's advice on CSV injection).",
        "",
        "| column | label | meaning |",
        "| --- | --- | --- |",
    ]
    for name in csv_format.COLUMNS:
        column = COLUMNS_BY_NAME[name]
        since = f" In the exports since {column.since}." if column.since else ""
        lines.append(f"| {name} | {column.label} | {column.help}{since} |")
    lines += [
        "",
        f"## {GEOJSON_NAME}",
        "",
        "A GeoJSON FeatureCollection (RFC 7946, WGS84 longitude/latitude): one Point feature per "
        "partnership with the CSV columns as properties, at the agency's coordinates, or at the "
        "representative point of its first county when those are unknown. The property "
        "`location_source` says which ('agency' or 'county_centroid'); null geometry if neither.",
    ]
    lines += check_exports.dictionary(CHECKS_CSV_NAME, CHECKS_GEOJSON_NAME)
    lines += sharing_release.dictionary(SHARING_CSV_NAME)
    for model in (Agency, Partnership, Source, Technology, Vendor, PolicyEvent):
        lines += ["", f"## Model: {model._meta.verbose_name}", "", "| field | meaning |"]
        lines.append("| --- | --- |")
        for field in model._meta.get_fields():
            help_text = getattr(field, "help_text", "")
            if help_text:
                lines.append(f"| {field.name} | {help_text} |")
    return "\n".join(lines) + "\n"


def _next_name(root: Path, today: dt.date) -> str:
    name = today.isoformat()
    number = 1
    while (root / name).exists():
        number += 1
        name = f"{today.isoformat()}.{number}"
    return name


def build_release(output: Path | None = None, *, today: dt.date | None = None) -> Release:
    """Write a new release folder. It appears complete or not at all: files are written into a
    temporary folder beside it and moved in place at the end."""
    root = output or releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    name = _next_name(root, today or dt.datetime.now(dt.UTC).date())
    partnerships = partnership_list_public().order_by("pk")
    credits = licensing.attributions(Partnership.objects.public())
    with tempfile.TemporaryDirectory(dir=root, prefix=".partial-") as tmp:
        work = Path(tmp)
        _write(work / CSV_NAME, exports.csv_lines(partnerships))
        _write(work / GEOJSON_NAME, exports.geojson_chunks(partnerships, credits))
        check_exports.write(work / CHECKS_CSV_NAME, work / CHECKS_GEOJSON_NAME, _write)
        sharing_release.write(work / SHARING_CSV_NAME, _write)
        _write(work / DICTIONARY_NAME, [data_dictionary()])
        _write(
            work / LICENSE_NAME,
            [
                f"survmap release {name}\n\n",
                licensing.license_text(credits),
                "\n\nThe attribution column of each row says whose work it is.\n",
            ],
        )
        sums = [
            f"{_sha256(work / file)}  {file}" for file in sorted(p.name for p in work.iterdir())
        ]
        (work / CHECKSUMS).write_text("\n".join(sums) + "\n", encoding="utf-8")
        final = root / name
        shutil.move(str(work), str(final))
        # TemporaryDirectory's cleanup expects its folder; give it an empty one.
        work.mkdir()
    return load_release(root, name)  # type: ignore[return-value]


def load_release(root: Path, name: str) -> Release | None:
    """A release as its checksum file lists it; None for anything that is not one."""
    if not RELEASE_NAME.match(name):
        return None
    folder = root / name
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return None
    files = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        match = _CHECKSUM_LINE.match(line)
        if match and (folder / match.group(2)).is_file():
            size = (folder / match.group(2)).stat().st_size
            files.append(ReleaseFile(name=match.group(2), sha256=match.group(1), size=size))
    files.append(ReleaseFile(name=CHECKSUMS, sha256=_sha256(sums), size=sums.stat().st_size))
    return Release(name=name, path=folder, files=tuple(files))


def list_releases(root: Path | None = None) -> list[Release]:
    root = root or releases_dir()
    if not root.is_dir():
        return []
    found = [load_release(root, child.name) for child in root.iterdir() if child.is_dir()]
    return sorted(
        (release for release in found if release is not None),
        key=lambda release: (release.name.split(".")[0], int(release.name.partition(".")[2] or 1)),
        reverse=True,
    )


def release_file(name: str, filename: str, root: Path | None = None) -> Path | None:
    """The path of a file that the release's checksum file lists, else None: nothing else in
    the folder (or outside it) can be downloaded."""
    release = load_release(root or releases_dir(), name)
    if release is None:
        return None
    for file in release.files:
        if file.name == filename:
            return release.path / file.name
    return None
