"""Shared fixtures: the personas (anonymous, alice the contributor, bob the moderator), and the
real data that some tests read from beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from survmap.records.permissions import MODERATORS_GROUP

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ATLAS_CSV = SHARED / "data" / "atlas" / "Atlas_of_Surveillance-20201007.csv"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip with a reason on a developer machine; in CI a missing prerequisite is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


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


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
