"""Settings come from the environment, and production refuses to start without a secret."""

import os
import subprocess
import sys

from tests.conftest import REPO


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = run_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_with_debug_off_and_a_secret_key():
    result = run_check({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_it_starts_in_development_without_a_secret_key():
    result = run_check({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def read_database_setting(env: dict[str, str]) -> str:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**base, "DJANGO_SETTINGS_MODULE": "survmap.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_database_url_selects_postgresql():
    setting = read_database_setting({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/survmap"})
    assert setting == "django.db.backends.postgresql survmap"


def test_without_database_url_it_uses_a_sqlite_file_in_the_project_folder():
    setting = read_database_setting({})
    assert setting == f"django.db.backends.sqlite3 {REPO / 'survmap.sqlite3'}"
