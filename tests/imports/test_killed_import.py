"""An import killed with SIGKILL half-way leaves only whole rows, and a second run finishes it.

The import runs as a real `manage.py import_atlas` process against its own SQLite file, and is
killed from outside once some of its batches have committed: no Python code of the importer gets
a chance to clean up, as when a machine loses power or the OOM killer strikes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

ATLAS_ROWS_IMPORTED = 5782  # the 2020 export's 5,784 rows less the 2 it refuses


def manage(db: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "survmap.settings",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


HALF_WRITTEN = {
    "partnership without a source": """
        SELECT COUNT(*) FROM records_partnership p WHERE NOT EXISTS (
          SELECT 1 FROM records_partnership_sources l WHERE l.partnership_id = p.id)""",
    "partnership without its history": """
        SELECT COUNT(*) FROM records_partnership p WHERE NOT EXISTS (
          SELECT 1 FROM records_historicalpartnership h WHERE h.id = p.id)""",
    "agency without its history": """
        SELECT COUNT(*) FROM records_agency a WHERE NOT EXISTS (
          SELECT 1 FROM records_historicalagency h WHERE h.id = a.id)""",
    "agency without a partnership": """
        SELECT COUNT(*) FROM records_agency a WHERE NOT EXISTS (
          SELECT 1 FROM records_partnership p WHERE p.agency_id = a.id)""",
    "source cited by nothing": """
        SELECT COUNT(*) FROM records_source s WHERE NOT EXISTS (
          SELECT 1 FROM records_partnership_sources l WHERE l.source_id = s.id)""",
}


@pytest.mark.atlas
def test_an_import_killed_half_way_leaves_only_whole_rows(atlas_csv: Path, tmp_path: Path):
    db = tmp_path / "killed.sqlite3"
    migrate = manage(db, "migrate", "--noinput")
    assert migrate.wait(timeout=300) == 0, migrate.stderr.read() if migrate.stderr else ""

    importer = manage(db, "import_atlas", str(atlas_csv), "--quiet")
    deadline = time.monotonic() + 300
    committed = 0
    while time.monotonic() < deadline and importer.poll() is None:
        committed = count(db, "SELECT COUNT(*) FROM records_partnership")
        if committed >= 500:
            break
        time.sleep(0.05)
    assert importer.poll() is None, "the import finished before it could be killed"
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=30)

    survived = count(db, "SELECT COUNT(*) FROM records_partnership")
    assert 0 < survived < ATLAS_ROWS_IMPORTED
    for problem, sql in HALF_WRITTEN.items():
        assert count(db, sql) == 0, problem
    # The run is kept for moderators only once it finishes: none from the killed one.
    assert count(db, "SELECT COUNT(*) FROM imports_importrun") == 0

    again = manage(db, "import_atlas", str(atlas_csv), "--quiet")
    _out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert count(db, "SELECT COUNT(*) FROM records_partnership") == ATLAS_ROWS_IMPORTED
    assert (
        count(db, "SELECT COUNT(DISTINCT atlas_id) FROM records_partnership") == ATLAS_ROWS_IMPORTED
    )
    for problem, sql in HALF_WRITTEN.items():
        assert count(db, sql) == 0, problem
    assert count(db, "SELECT COUNT(*) FROM imports_importrun") == 1
    refused = "SELECT COUNT(*) FROM imports_importnote WHERE kind = 'refused'"
    assert count(db, refused) == 2
