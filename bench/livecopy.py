"""A copy of a SQLite database that this process has open, made through SQLite itself.

Never copy a live SQLite file with `open()` (shutil.copyfile, `cp` in the same process): on
POSIX, closing any descriptor of a file drops every lock the process holds on it, SQLite's
included. With its lock on the `-shm` file gone, the next process to open the database believes
it is alone, truncates the `-shm` (and, closing as the last connection, deletes it with the
`-wal`), while this process still has that file memory-mapped: its next large write touches the
mapping past the file's new end and dies with SIGBUS. That is what ended the quick benchmark in
`z_backup`'s restore after `f_served` had copied the database for Datasette.

`VACUUM INTO` reads through the same SQLite library and its own file handles (which keep the
locks: SQLite defers closing a file while the process holds locks on it), and writes a
consistent copy, the WAL's committed pages included."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_database(connection: sqlite3.Connection, destination: Path) -> None:
    """Write a consistent copy of the SQLite database `connection` is open on to `destination`
    (which must not exist). From Django: `connection.ensure_connection()`, then pass
    `connection.connection`."""
    if destination.exists():
        raise FileExistsError(destination)
    connection.execute("VACUUM INTO ?", [str(destination)])
