"""The moderators' research queue: pending first, decide with a reason, link a found check to
its partnership, generate tasks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survmap.research.models import CheckOutcome, CheckStatus, ResearchCheck, ResearchTask
from tests.factories import PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_check

pytestmark = pytest.mark.django_db


def test_the_queue_opens_on_pending_checks(bob_client, bob):
    from survmap.research.services import check_approve

    pending = make_check(summary="Pending one")
    approved = check_approve(research_check=make_check(), moderator=bob)
    html = bob_client.get(reverse("admin:research_researchcheck_changelist")).content.decode()
    assert reverse("admin:research_researchcheck_decide", args=[pending.pk]) in html
    assert reverse("admin:research_researchcheck_decide", args=[approved.pk]) not in html


def test_a_moderator_rejects_with_a_reason_and_approves(bob_client):
    research_check = make_check()
    url = reverse("admin:research_researchcheck_decide", args=[research_check.pk])
    page = bob_client.get(url).content.decode()
    assert "council.example.gov/agendas" in page
    bob_client.post(url, {"action": "reject", "reason": ""}, follow=True)
    research_check.refresh_from_db()
    assert research_check.status == CheckStatus.PENDING
    bob_client.post(url, {"action": "approve", "reason": "Sources check out"})
    research_check.refresh_from_db()
    assert research_check.status == CheckStatus.APPROVED
    assert research_check.decision_reason == "Sources check out"
    bob_client.post(url, {"action": "undo", "reason": "Oops"})
    research_check.refresh_from_db()
    assert research_check.status == CheckStatus.PENDING


def test_a_found_check_is_approved_with_the_partnership_chosen(bob_client):
    partnership = PartnershipFactory()
    research_check = make_check(
        agency=partnership.agency, technology=partnership.technology, outcome=CheckOutcome.FOUND
    )
    url = reverse("admin:research_researchcheck_decide", args=[research_check.pk])
    response = bob_client.post(url, {"action": "approve", "reason": ""}, follow=True)
    assert "Choose the partnership" in response.content.decode()
    bob_client.post(url, {"action": "approve", "reason": "", "partnership": partnership.pk})
    assert ResearchCheck.objects.public().get().partnership == partnership


def test_a_moderator_generates_tasks_from_the_admin(bob_client):
    PartnershipFactory()
    PartnershipFactory(technology=TechnologyFactory())
    url = reverse("admin:research_researchtask_generate")
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(url, {"limit": "10"}, follow=True)
    assert "Opened 2 new research tasks." in response.content.decode()
    assert ResearchTask.objects.count() == 2


def test_a_contributor_without_staff_rights_cannot_reach_the_queue(alice_client):
    response = alice_client.get(reverse("admin:research_researchcheck_changelist"))
    assert response.status_code == 302


def test_the_change_form_links_to_the_decision_page(bob_client):
    research_check = make_check()
    html = bob_client.get(
        reverse("admin:research_researchcheck_change", args=[research_check.pk])
    ).content.decode()
    assert reverse("admin:research_researchcheck_decide", args=[research_check.pk]) in html
