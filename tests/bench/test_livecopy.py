"""Copying a database this process has open must not cost the process its SQLite locks.

Each case runs in its own process, since what goes wrong is that process dying of SIGBUS: it
writes a WAL large enough to map several regions of the `-shm` file, checkpoints, copies the
database, lets another process open and close it, then writes a large transaction again."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest

from bench.livecopy import copy_database
from tests.conftest import REPO

SCRIPT = """
import shutil, sqlite3, subprocess, sys
from pathlib import Path
from bench.livecopy import copy_database

folder = Path(sys.argv[2])
db = folder / "live.sqlite3"
live = sqlite3.connect(db, isolation_level=None)
live.execute("PRAGMA journal_mode=WAL")
live.execute("CREATE TABLE t (x)")

def fill():
    live.execute("BEGIN")
    live.execute("DELETE FROM t")
    for _ in range(9000):  # one page each: three 32 KB regions of the -shm
        live.execute("INSERT INTO t VALUES (randomblob(3000))")
    live.execute("COMMIT")

fill()
live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
if sys.argv[1] == "copy_database":
    copy_database(live, folder / "copy.sqlite3")
else:
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{db}{suffix}", folder / f"copy.sqlite3{suffix}")
other = f"import sqlite3; sqlite3.connect({str(db)!r}).execute('SELECT count(*) FROM t').fetchone()"
subprocess.run([sys.executable, "-c", other], check=True)
fill()
print(sqlite3.connect(folder / "copy.sqlite3").execute("SELECT count(*) FROM t").fetchone()[0])
"""


def copy_in_a_process(how: str, folder: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, how, folder],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_copy_through_sqlite_keeps_the_copying_process_alive_and_is_complete(tmp_path):
    done = copy_in_a_process("copy_database", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "9000"  # the copy holds the committed rows


def test_a_copy_with_open_and_close_is_what_killed_the_benchmark(tmp_path):
    """The hazard the helper avoids, shown: copying the files with open() drops this process's
    lock on the -shm, the other process truncates it, and the next large write is a SIGBUS."""
    done = copy_in_a_process("shutil", str(tmp_path))
    assert done.returncode == -signal.SIGBUS, (done.returncode, done.stderr)


def test_the_copy_refuses_to_overwrite(tmp_path):
    (tmp_path / "there.sqlite3").write_bytes(b"")
    with pytest.raises(FileExistsError):
        copy_database(sqlite3.connect(":memory:"), tmp_path / "there.sqlite3")
