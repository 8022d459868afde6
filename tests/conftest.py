"""Shared fixtures: the personas (anonymous, alice the contributor, bob the moderator), and the
real data that some tests read from beside the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client

from survmap.common.cache import limit_counters
from survmap.imports.shipped import SHIPPED_ATLAS
from survmap.records.permissions import MODERATORS_GROUP

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# The copy shipped in the repository (xz); the shared plain copy where it is missing.
ATLAS_CSV = (
    SHIPPED_ATLAS
    if SHIPPED_ATLAS.exists()
    else SHARED / "data" / "atlas" / "Atlas_of_Surveillance-20201007.csv"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip with a reason on a developer machine; in CI a missing prerequisite is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Every test starts with empty caches (the data version, counts, pages, throttles): the
    default cache is this process's local memory, never a shared Redis database. The search
    box's index too: rolled-back tests can leave two data sets with one data version."""
    from survmap.web.search import forget_index

    cache.clear()
    forget_index()
    limit_counters.local.clear()
    yield
    cache.clear()
    limit_counters.local.clear()


# The shipped agency directory's rows for the starter and research agencies (and a few the
# directory's tests name): 68 real rows of fixtures/directory/, in their file order.
DIRECTORY_SAMPLE = REPO / "tests" / "data" / "directory-sample.csv"


@pytest.fixture
def small_directory(monkeypatch: pytest.MonkeyPatch) -> Path:
    """`load_starter_data` with the directory's rows for the starter and research agencies
    instead of all 18,702: for tests that load the starter records for what they hold, in a
    second rather than half a minute. The fresh-install tests (tests/records/test_fixtures.py)
    and tests/imports/test_directory.py read the whole list."""
    from survmap.imports.management.commands import load_starter_data

    monkeypatch.setattr(load_starter_data, "SHIPPED_DIRECTORY", DIRECTORY_SAMPLE)
    return DIRECTORY_SAMPLE


@pytest.fixture
def atlas_csv() -> Path:
    require_or_skip(ATLAS_CSV.exists(), f"the Atlas export is not at {ATLAS_CSV}")
    return ATLAS_CSV


@pytest.fixture
def alice(db) -> User:
    """A contributor: a registered user with no staff rights."""
    return User.objects.create_user("alice", "alice@example.org", "alice-password-1")


@pytest.fixture
def bob(db) -> User:
    """A moderator: staff, in the moderators group, not a superuser."""
    user = User.objects.create_user("bob", "bob@example.org", "bob-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture(autouse=True)
def _no_releases_but_the_tests_own(settings, tmp_path_factory) -> None:
    """Unfiltered exports are answered from the latest release: a developer's own `releases/`
    folder must not stand in for what a test's records export."""
    settings.SURVMAP_RELEASES_DIR = tmp_path_factory.mktemp("releases")


# Browser tests: Debian's Chromium driven by Playwright, never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def chromium(live_server: object) -> Iterator[Any]:
    """A headless Chromium, started after the live server (and any data a test's earlier
    fixtures made) and stopped before them: Playwright's sync API runs an event loop, inside
    which Django refuses database calls."""
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def axe_violations(page: Any, *, rules: list[str] | None = None) -> list[str]:
    """Run axe-core (the npm package in package.json, never served) on the page as loaded and
    return one line per violation: rule, impact, and the first offending elements.

    The script goes in through the DevTools protocol (page.evaluate), which the page's own
    Content-Security-Policy does not govern, so the page is checked as a reader gets it."""
    require_or_skip(AXE_JS.exists(), f"axe-core is not installed at {AXE_JS} (run `npm ci`)")
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    result = page.evaluate("(options) => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]
