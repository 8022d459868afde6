"""A backup restored into an empty database holds exactly what the original held."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from bench.generate import generate_partnerships
from survmap.common.backup import backed_up_models
from survmap.records.models import Partnership
from tests.conftest import REPO
from tests.factories import PartnershipFactory, SourceFactory
from tests.records.by_hand import partnership_upsert


def manage(database_url: str, *args: str) -> str:
    """Run manage.py in its own process against another database, as an operator would."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a second, freshly migrated database: a SQLite file, or a new PostgreSQL
    database beside the test database."""
    default = connections["default"].settings_dict
    dropped = None
    if connections["default"].vendor == "postgresql":
        import psycopg

        name = f"survmap_restore_{uuid.uuid4().hex[:8]}"
        host, port = default["HOST"] or "127.0.0.1", default["PORT"] or 5432
        admin_url = f"postgresql://{default['USER']}@{host}:{port}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{default['USER']}@{host}:{port}/{name}"
        dropped = (admin_url, name)
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    try:
        manage(url, "migrate", "--noinput", "-v0")
        yield url
    finally:
        if dropped:
            import psycopg

            admin_url, name = dropped
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SNAPSHOT_SCRIPT = (
    "import django, json; django.setup(); "
    "from tests.common.test_backup import snapshot; "
    "print(json.dumps(snapshot('default'), default=str))"
)


def snapshot_of(database_url: str) -> dict[str, list]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "survmap.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def snapshot(using: str) -> dict[str, list[tuple]]:
    """Every backed-up table's rows, ordered by primary key. Content types and permissions
    appear as natural keys, since each database numbers its own; many-to-many link rows are
    compared without their own ids, which nothing refers to."""
    natural = {
        "content_type_id": {
            ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.using(using).all()
        },
        "permission_id": {
            p.pk: (p.content_type.app_label, p.codename)
            for p in Permission.objects.using(using).select_related("content_type")
        },
    }
    tables = {}
    for model in backed_up_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        if model._meta.auto_created:
            fields = [name for name in fields if name != "id"]
        rows = [
            tuple(
                natural[name].get(value) if name in natural else value
                for name, value in zip(fields, row, strict=True)
            )
            for row in model._base_manager.using(using).order_by("pk").values_list(*fields)
        ]
        tables[model._meta.db_table] = sorted(rows, key=repr) if model._meta.auto_created else rows
    return tables


def build_a_used_database(alice: User, bob: User) -> None:
    kept = PartnershipFactory(summary="First report.")
    partnership_upsert(
        agency=kept.agency,
        technology=kept.technology,
        vendor=kept.vendor,
        sources=[*kept.sources.all(), SourceFactory()],
        summary="Corrected after a second report.",
        instance=kept,
        reason="second source",
    )
    PartnershipFactory(summary="Entered by mistake.").delete()
    reviewers = Group.objects.create(name="reviewers")
    reviewers.permissions.add(Permission.objects.get(codename="view_partnership"))
    alice.groups.add(reviewers)
    LogEntry.objects.log_actions(
        user_id=bob.pk,
        queryset=Partnership.objects.filter(pk=kept.pk),
        action_flag=CHANGE,
        change_message="Checked the sources.",
    )


@pytest.mark.django_db(transaction=True)
def test_a_restored_database_is_the_same_as_the_one_backed_up(alice, bob, empty_database, tmp_path):
    build_a_used_database(alice, bob)
    before = snapshot("default")
    assert before["records_historicalpartnership"], "the history is part of the backup"
    assert Partnership.history.filter(history_type="-").exists(), "a deletion is in the history"
    assert before["auth_user"] and before["auth_group_permissions"] and before["django_admin_log"]

    path = tmp_path / "survmap-backup.json.gz"
    call_command("backup", str(path), verbosity=0)
    assert json.loads(gzip.decompress(path.read_bytes()))  # a plain, compressed JSON dump

    manage(empty_database, "restore", str(path))

    before = json.loads(json.dumps(before, default=str))  # the same JSON types as the other side
    after = snapshot_of(empty_database)
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after restore"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_records_and_leaves_it_untouched(
    alice, bob, tmp_path
):
    build_a_used_database(alice, bob)
    path = tmp_path / "survmap-backup.json.gz"
    call_command("backup", str(path), verbosity=0)
    PartnershipFactory(summary="Added after the backup.")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)
    assert Partnership.objects.filter(summary="Added after the backup.").exists()

    call_command("restore", str(path), "--force", verbosity=0)
    assert not Partnership.objects.filter(summary="Added after the backup.").exists()
    assert Partnership.objects.filter(summary="Corrected after a second report.").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_that_would_leave_the_records_empty(alice, tmp_path):
    users_only = tmp_path / "users-only.json.gz"
    call_command("backup", str(users_only), verbosity=0)
    PartnershipFactory(summary="The record.")
    with pytest.raises(CommandError, match="holds no partnerships") as refused:
        call_command("restore", str(users_only), "--force", verbosity=0)
    assert "--allow-empty" in str(refused.value)
    assert Partnership.objects.filter(summary="The record.").exists()

    out = io.StringIO()
    call_command("restore", str(users_only), "--force", "--allow-empty", stdout=out)
    said = out.getvalue()
    # What goes is said before it goes, and before the summary of what was restored.
    assert "Removing from the database: " in said
    assert "records.Partnership 1" in said.split("Loading from")[0]
    assert said.index("Removing from the database") < said.index("Restored:")
    assert not Partnership.objects.exists()
    assert User.objects.filter(username="alice").exists()


def test_backup_names_must_say_what_they_are(tmp_path):
    with pytest.raises(CommandError, match=r"\.json\.gz"):
        call_command("backup", str(tmp_path / "backup.txt"), verbosity=0)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.json.gz"), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_restore_killed_half_way_leaves_nothing_half_written(empty_database, tmp_path):
    """The import pattern (one transaction around the whole load), shown with a real command in
    its own process: SIGKILL after some objects are written, then nothing of them is there."""
    generate_partnerships(600)
    path = tmp_path / "survmap-backup.json.gz"
    call_command("backup", str(path), verbosity=0)

    untouched = snapshot_of(empty_database)
    env = {**os.environ, "DATABASE_URL": empty_database}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "restore", str(path), "-v", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    seen = b""
    try:
        # loaddata writes "\rProcessed N object(s)." as it goes: kill it well inside the load.
        while not re.search(rb"Processed [2-9]\d\d object", seen):
            chunk = process.stdout.read1(4096)
            if not chunk:
                break
            seen += chunk
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the restore ended before it could be killed"

    after = snapshot_of(empty_database)
    assert not after["records_partnership"]
    changed = sorted(table for table in after if after[table] != untouched[table])
    assert changed == [], f"half-written tables: {changed}"

    manage(empty_database, "restore", str(path))  # and the database is usable afterwards
    assert len(snapshot_of(empty_database)["records_partnership"]) == Partnership.objects.count()


def _write_gzip(path: Path, payload: bytes) -> Path:
    with gzip.open(path, "wb") as handle:
        handle.write(payload)
    return path


def _restore_error(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(path), *args, verbosity=0)
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def _bad_backups(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = tmp_path / "good.json.gz"
    call_command("backup", str(good), verbosity=0)
    complete = good.read_bytes()
    objects = json.loads(gzip.decompress(complete))
    unknown_field = [dict(objects[0], fields={**objects[0]["fields"], "shoe_size": 44})]
    (tmp_path / "truncated.json.gz").write_bytes(complete[: len(complete) // 2])
    (tmp_path / "plain.json.gz").write_bytes(b"[]")
    return {
        "empty list": (_write_gzip(tmp_path / "empty.json.gz", b"[]"), "no users and no records"),
        "truncated gzip": (tmp_path / "truncated.json.gz", "not a complete gzip file"),
        "not gzip": (tmp_path / "plain.json.gz", "not a complete gzip file"),
        "invalid JSON": (
            _write_gzip(tmp_path / "bad.json.gz", b'[{"model": '),
            "does not hold JSON",
        ),
        "not a list": (
            _write_gzip(tmp_path / "dict.json.gz", b'{"model": 1}'),
            "no list of objects",
        ),
        "unknown model": (
            _write_gzip(
                tmp_path / "model.json.gz",
                json.dumps([{"model": "shop.order", "pk": 1, "fields": {}}]).encode(),
            ),
            "unknown model 'shop.order'",
        ),
        "unknown field": (
            _write_gzip(tmp_path / "field.json.gz", json.dumps(unknown_field).encode()),
            "unknown field(s) shoe_size",
        ),
        "bad value": (
            _write_gzip(
                tmp_path / "value.json.gz",
                json.dumps(
                    [{"model": "records.partnership", "pk": 1, "fields": {"agency": "nope"}}]
                ).encode(),
            ),
            "could not be loaded",
        ),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "kind",
    [
        "empty list",
        "truncated gzip",
        "not gzip",
        "invalid JSON",
        "not a list",
        "unknown model",
        "unknown field",
        "bad value",
    ],
)
def test_a_bad_backup_file_is_refused_in_one_line_and_replaces_nothing(alice, tmp_path, kind):
    PartnershipFactory(summary="Still here.")
    files = _bad_backups(tmp_path)
    before = snapshot("default")
    path, expected = files[kind]
    assert expected in _restore_error(path, "--force")
    assert snapshot("default") == before
    assert User.objects.filter(username="alice").exists()


LIVE_SITE = """
import sys, django
django.setup()
from survmap.records.models import Partnership
print(Partnership.objects.count(), flush=True)
sys.stdin.readline()  # the restore has run
print(Partnership.objects.count(), flush=True)
# A large write on the connection it kept open all along: where a restore that truncated or
# replaced the database's files under it would end this process (SIGBUS on SQLite's -shm).
Partnership.objects.update(summary="Read again after the restore.")
print(Partnership.objects.filter(summary="Read again after the restore.").count(), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_a_restore_on_a_running_site_leaves_its_processes_alive_and_current(
    empty_database, tmp_path
):
    generate_partnerships(300)
    first = tmp_path / "first.json.gz"
    call_command("backup", str(first), verbosity=0)
    manage(empty_database, "restore", str(first))
    generate_partnerships(200, prefix="Later")
    second = tmp_path / "second.json.gz"
    call_command("backup", str(second), verbosity=0)

    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "DJANGO_SETTINGS_MODULE": "survmap.settings",
    }
    site = subprocess.Popen(
        [sys.executable, "-c", LIVE_SITE],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert site.stdin is not None and site.stdout is not None
    try:
        assert site.stdout.readline().strip() == "300"
        manage(empty_database, "restore", str(second), "--force", "-v0")
        site.stdin.write("go\n")
        site.stdin.flush()
        out, err = site.communicate(timeout=120)
    finally:
        if site.poll() is None:
            site.kill()
    assert site.returncode == 0, err
    assert out.split() == ["500", "500"]
