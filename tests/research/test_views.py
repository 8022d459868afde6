"""The volunteer's flow without an account, the private links, the rate limit, the pages that
list checks, and the map's coverage data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survmap.research.models import CheckOutcome, CheckStatus, ResearchCheck, TaskStatus
from survmap.research.services import check_approve, check_reject
from survmap.submissions.models import Submission
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check, make_task

pytestmark = pytest.mark.django_db


def _report(**overrides: Any) -> dict[str, str]:
    return {
        "outcome": CheckOutcome.NONE_FOUND,
        "checked_on": "2026-06",
        "summary": "Searched agendas 2023-2026 for drone, UAS, DJI.",
        "council_agenda_url": "https://city.example.gov/agendas?q=drone",
        "council_agenda_notes": "No drone purchase",
        "procurement_url": "",
        "request_reference": "",
        "request_answer": "awaiting",
        "credit_name": "Dana Researcher",
        "website": "",
        **overrides,
    }


def _claim(client: Client, task, **extra: str) -> str:
    response = client.post(reverse("research:claim", args=[task.pk]), **extra)
    assert response.status_code == 302
    task.refresh_from_db()
    assert response["Location"] == reverse("research:claimed", args=[task.claim_token])
    return response["Location"]


def test_the_task_list_shows_open_tasks_most_useful_first(client):
    low = make_task(priority=5)
    high = make_task(priority=50)
    html = client.get(reverse("research:tasks")).content.decode()
    assert html.index(f'id="task-{high.pk}"') < html.index(f'id="task-{low.pk}"')


def test_the_task_list_refuses_an_unknown_parameter(client):
    make_task()
    response = client.get(reverse("research:tasks"), {"stat": "MI"})
    assert response.status_code == 400
    assert "stat" in response.content.decode()
    assert client.get(reverse("research:tasks"), {"state": "MI", "page": "2"}).status_code == 200


def test_the_map_coverage_refuses_an_unknown_parameter_but_takes_the_maps_query(client):
    url = reverse("research:map_coverage")
    response = client.get(url, {"level": "state", "technolgy": "drones"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"technolgy"}
    # What the map sends its counts (every filter, level, focus) is taken.
    assert client.get(url, {"level": "state", "status": "active", "focus": ""}).status_code == 200


def test_a_volunteer_claims_reports_and_follows_a_check_without_an_account(client):
    task = make_task()
    claim_url = _claim(client, task)
    page = client.get(claim_url)
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex"
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    html = page.content.decode()
    for item in (
        "Council agendas",
        "Procurement portal",
        "press releases",
        "social media",
        "customer lists",
        "Public-records request",
    ):
        assert item in html
    # Someone else cannot take it meanwhile.
    other = Client().post(reverse("research:claim", args=[task.pk]), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 409
    response = client.post(claim_url, _report())
    assert response.status_code == 200
    research_check = ResearchCheck.objects.get()
    assert research_check.status == CheckStatus.PENDING
    assert research_check.sources.get().notes == "No drone purchase"
    assert research_check.credit_name == "Dana Researcher"
    status_url = reverse("research:status", args=[research_check.token])
    assert status_url in response.content.decode()
    assert "Pending review" in client.get(status_url).content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED
    # The claim link is spent.
    assert client.get(claim_url).status_code == 404


def test_a_found_report_is_also_a_tip(client):
    task = make_task()
    claim_url = _claim(client, task)
    client.post(
        claim_url,
        _report(outcome=CheckOutcome.FOUND, vendor_name="SkyCo", contributor_email="d@example.org"),
    )
    tip = Submission.objects.get()
    assert tip.agency == task.agency and tip.vendor_name == "SkyCo"
    assert tip.contributor_email == "d@example.org"
    assert ResearchCheck.objects.get().tip == tip


def test_a_report_without_anywhere_looked_is_refused_and_keeps_what_was_typed(client):
    claim_url = _claim(client, make_task())
    response = client.post(claim_url, _report(council_agenda_url="", council_agenda_notes=""))
    html = response.content.decode()
    assert "Say where you looked" in html
    assert "Searched agendas 2023-2026" in html
    assert not ResearchCheck.objects.exists()


def test_the_report_form_is_rate_limited_like_the_tip_form(client, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    first = _claim(client, make_task())
    assert client.post(first, _report()).status_code == 200
    # Claims are counted apart (the claim limit is the test below's).
    second = _claim(client, make_task(), REMOTE_ADDR="192.0.2.50")
    response = client.post(second, _report())
    assert response.status_code == 429
    assert ResearchCheck.objects.count() == 1


def test_a_report_with_errors_gives_its_place_back(client, settings):
    # The place is taken before the form is checked (atomically) and given back when nothing
    # is stored: a volunteer who mistypes is not locked out by their own mistakes.
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    claim_url = _claim(client, make_task())
    for _attempt in range(3):
        response = client.post(claim_url, _report(checked_on="not a date"))
        assert response.status_code == 200
    assert not ResearchCheck.objects.exists()
    assert client.post(claim_url, _report()).status_code == 200
    assert ResearchCheck.objects.count() == 1


def test_a_claim_refused_gives_its_place_back(client, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    task = make_task()
    _claim(client, task, REMOTE_ADDR="192.0.2.60")
    # Already claimed by someone else: a 409, and the place is not used up.
    assert client.post(reverse("research:claim", args=[task.pk])).status_code == 409
    _claim(client, make_task())


def test_claims_are_rate_limited_too(client, settings):
    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    _claim(client, make_task())
    assert client.post(reverse("research:claim", args=[make_task().pk])).status_code == 429


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client):
    claim_url = _claim(client, make_task())
    response = client.post(claim_url, _report(website="http://spam.example"))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not ResearchCheck.objects.exists()


def test_giving_a_task_back_asks_first_and_keeps_the_typed_report(client):
    task = make_task()
    claim_url = _claim(client, task)
    token = claim_url.rstrip("/").rsplit("/", 1)[-1]
    typed = _report(summary="Half-way through the 2024 agendas.", give_back="1")
    asked = client.post(reverse("research:release", args=[token]), typed)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Give this task back?" in html and "Half-way through the 2024 agendas." in html
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED  # nothing given back by asking
    # "No": the report comes back as it was typed, neither sent nor marked as wrong.
    kept = dict(typed, edit="1")
    back = client.post(claim_url, kept)
    assert back.status_code == 200
    html = back.content.decode()
    assert "Half-way through the 2024 agendas." in html
    assert 'value="https://city.example.gov/agendas?q=drone"' in html
    assert "errornote" not in html
    assert not ResearchCheck.objects.exists()


def test_a_task_given_back_says_so_at_its_private_link(client):
    task = make_task()
    claim_url = _claim(client, task)
    token = claim_url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(reverse("research:release", args=[token]), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == claim_url
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    page = client.get(claim_url)
    assert page.status_code == 410
    assert "You gave this task back" in page.content.decode()
    assert "open again" in page.content.decode()
    assert client.get(reverse("research:claimed", args=["not-a-claim"])).status_code == 404


def test_a_volunteer_with_an_account_follows_their_tasks(alice_client, client, alice):
    task = make_task()
    _claim(alice_client, task)
    task.refresh_from_db()
    assert task.claimed_by == alice
    html = alice_client.get(reverse("research:mine")).content.decode()
    assert reverse("research:claimed", args=[task.claim_token]) in html
    alice_client.post(reverse("research:claimed", args=[task.claim_token]), _report())
    assert ResearchCheck.objects.get().volunteer == alice
    # Without an account the page asks to sign in.
    response = client.get(reverse("research:mine"))
    assert response.status_code == 302 and reverse("research:login") in response["Location"]


def test_agency_and_region_pages_list_public_checks_only(client, bob):
    agency = AgencyFactory(name="Warren Police Department", counties=["26099"])
    PartnershipFactory(agency=agency)
    drones = TechnologyFactory(name="Drones", slug="drones")
    public = check_approve(
        research_check=make_check(agency=agency, technology=drones, summary="PUBLIC-SUMMARY"),
        moderator=bob,
    )
    make_check(agency=agency, technology=drones, summary="PENDING-SECRET")
    check_reject(
        research_check=make_check(agency=agency, technology=drones, summary="REJECTED-SECRET"),
        moderator=bob,
        reason="No",
    )
    for url in (
        reverse("web:agency", args=[agency.pk]),
        reverse("web:region", args=["26"]),
        reverse("web:region", args=["26099"]),
    ):
        html = client.get(url).content.decode()
        assert f'id="check-{public.pk}"' in html, url
        assert "PUBLIC-SUMMARY" in html
        assert "SECRET" not in html, url
        assert "Looked, none found" in html
    region = client.get(reverse("web:region", args=["26"])).content.decode()
    assert "How much has been researched" in region
    assert "1 of 1 (100%)" in region


def test_an_agency_with_only_a_public_check_has_a_page(client, bob):
    agency = AgencyFactory()
    research_check = make_check(agency=agency)
    assert client.get(reverse("web:agency", args=[agency.pk])).status_code == 404
    check_approve(research_check=research_check, moderator=bob)
    assert client.get(reverse("web:agency", args=[agency.pk])).status_code == 200


def test_a_stale_check_says_so(client, bob):
    from survmap.common.dates import PartialDate

    agency = AgencyFactory()
    check_approve(
        research_check=make_check(agency=agency, checked_on=PartialDate(2020)), moderator=bob
    )
    html = client.get(reverse("web:agency", args=[agency.pk])).content.decode()
    assert "Stale: more than 18 months old" in html


def test_the_map_coverage_counts_public_none_found_checks_per_region(client, bob):
    drones = TechnologyFactory(slug="drones")
    plates = TechnologyFactory(slug="plates")
    macomb = AgencyFactory(counties=["26099"])
    check_approve(research_check=make_check(agency=macomb, technology=drones), moderator=bob)
    make_check(agency=AgencyFactory(counties=["26163"]), technology=drones)  # pending
    url = reverse("research:map_coverage")
    payload = client.get(url, {"level": "county"}).json()
    assert payload["none_found"] == {"26099": 1}
    # The map's own counts carry the same, for its first paint and every filter change.
    counts = client.get(reverse("web:map_counts"), {"level": "county"}).json()
    assert counts["none_found"] == {"26099": 1}
    assert client.get(url, {"level": "state"}).json()["none_found"] == {"26": 1}
    # For the current filters: another technology, another answer.
    assert client.get(url, {"level": "county", "technology": "plates"}).json()["none_found"] == {}
    assert plates.pk
    # Filters that do not describe a search (vendor, status) are not applied.
    assert client.get(url, {"level": "county", "status": "active"}).json()["none_found"] == {
        "26099": 1
    }
    assert client.get(url, {"level": "nope"}).status_code == 400


def test_the_map_config_names_the_coverage_data(client):
    html = client.get(reverse("web:home")).content.decode()
    assert reverse("research:map_coverage") in html


def test_the_status_page_shows_the_rejection_reason(client, bob):
    research_check = make_check()
    check_reject(research_check=research_check, moderator=bob, reason="The link is dead")
    html = client.get(reverse("research:status", args=[research_check.token])).content.decode()
    assert "Rejected" in html and "The link is dead" in html
    assert dt.date.today().year > 2000


def test_the_task_list_narrows_to_a_state_and_a_technology(client):
    from survmap.geo.models import State

    drones = TechnologyFactory(name="Drones", slug="drones")
    here = make_task(technology=drones)
    elsewhere = make_task(agency=AgencyFactory(state=State.objects.get(code="NY")))
    html = client.get(reverse("research:tasks"), {"state": "MI"}).content.decode()
    assert f'id="task-{here.pk}"' in html and f'id="task-{elsewhere.pk}"' not in html
    html = client.get(reverse("research:tasks"), {"technology": "drones"}).content.decode()
    assert f'id="task-{here.pk}"' in html and f'id="task-{elsewhere.pk}"' not in html
    # A value that matches nothing is an empty list, not an error.
    assert client.get(reverse("research:tasks"), {"state": "<x>"}).status_code == 200


def test_a_volunteer_can_open_an_account_to_follow_their_tasks(client, settings):
    from django.contrib.auth.models import User

    response = client.post(
        reverse("research:signup"),
        {
            "username": "dana",
            "password1": "a-long-pass-phrase-7",
            "password2": "a-long-pass-phrase-7",
        },
    )
    assert response.status_code == 200
    assert "your account is made" in response.content.decode()
    user = User.objects.get(username="dana")
    assert not user.is_staff
    signed_in = client.post(
        reverse("research:login"), {"username": "dana", "password": "a-long-pass-phrase-7"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("research:mine")).status_code == 200


def _signup(client, username: str, **extra: str):
    return client.post(
        reverse("research:signup"),
        {
            "username": username,
            "password1": "a-long-pass-phrase-7",
            "password2": "a-long-pass-phrase-7",
        },
        **extra,
    )


def test_signup_answers_the_same_for_a_taken_name_and_a_free_one(client, bob):
    from django.contrib.auth.models import User

    taken = _signup(client, "BOB", REMOTE_ADDR="192.0.2.61")
    free = _signup(client, "dora", REMOTE_ADDR="192.0.2.62")
    assert taken.status_code == free.status_code == 200
    assert taken.content.decode().replace("BOB", "NAME") == free.content.decode().replace(
        "dora", "NAME"
    )
    assert "already exists" not in taken.content.decode()
    assert User.objects.filter(username__iexact="bob").count() == 1
    assert User.objects.filter(username="dora").exists()
    # Bob's password was not touched by the attempt.
    bob.refresh_from_db()
    assert bob.check_password("bob-password-1")


def test_a_refused_signup_keeps_its_place_in_the_rate_limit(client, settings):
    settings.SURVMAP_SUBMIT_RATE = "3/hour"
    mismatched = {"username": "x", "password1": "a-long-pass-phrase-7", "password2": "other"}
    for _ in range(3):
        assert client.post(reverse("research:signup"), mismatched).status_code == 200
    assert _signup(client, "eve").status_code == 429


def test_signups_are_rate_limited_and_robots_get_nothing(client, settings):
    from django.contrib.auth.models import User

    settings.SURVMAP_SUBMIT_RATE = "1/hour"
    robot = {
        "username": "bot",
        "password1": "a-long-pass-phrase-7",
        "password2": "a-long-pass-phrase-7",
        "website": "http://spam.example",
    }
    client.post(reverse("research:signup"), robot)
    assert not User.objects.exists()
    response = client.post(reverse("research:signup"), {**robot, "website": ""})
    assert response.status_code == 429
