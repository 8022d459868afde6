"""Backup and restore time and size for the whole database (runs last, on whatever the earlier
cases left; generates partnerships if there are none)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.generate import generate_partnerships
from bench.run import Context
from survmap.common.backup import backup_restore, backup_write
from survmap.records.models import Partnership


def run(context: Context) -> None:
    rows = Partnership.objects.count() or generate_partnerships(context.sizes[0])
    with tempfile.TemporaryDirectory(prefix="survmap-bench-backup-") as tmp:
        path = Path(tmp) / "backup.json.gz"
        with context.timer("backup.write_ms", rows=rows):
            backup_write(path)
        context.emit("backup.file_kib", path.stat().st_size / 1024, "KiB", rows)
        with context.timer("backup.restore_ms", rows=rows):
            backup_restore(path, force=True)
    assert Partnership.objects.count() == rows
