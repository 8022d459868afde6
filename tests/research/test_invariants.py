"""Over any sequence of moderation steps, the public checks are exactly the approved ones, and
the data version moves exactly when the set of public checks (or one of them) changes."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survmap.common import data_version
from survmap.research.models import CheckStatus, ResearchCheck
from survmap.research.services import ResearchError, check_approve, check_reject, check_undo
from tests.factories import AgencyFactory, TechnologyFactory
from tests.research.conftest import make_check

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.tuples(st.sampled_from(["submit", "approve", "reject", "undo"]), st.integers(0, 3)),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_public_checks_are_the_approved_ones_and_move_the_version(
    steps, bob, django_capture_on_commit_callbacks
):
    ResearchCheck.objects.all().delete()
    agency, technology = AgencyFactory(), TechnologyFactory()
    checks: list[ResearchCheck] = []
    for action, index in steps:
        before_public = set(ResearchCheck.objects.public().values_list("pk", flat=True))
        before = data_version.current().token
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            try:
                if action == "submit" or not checks:
                    checks.append(make_check(agency=agency, technology=technology))
                else:
                    target = checks[index % len(checks)]
                    if action == "approve":
                        check_approve(research_check=target, moderator=bob)
                    elif action == "reject":
                        check_reject(research_check=target, moderator=bob, reason="No")
                    else:
                        check_undo(research_check=target, moderator=bob)
            except ResearchError:
                pass  # a step the check's status does not allow changes nothing
        public = set(ResearchCheck.objects.public().values_list("pk", flat=True))
        approved = set(
            ResearchCheck.objects.filter(status=CheckStatus.APPROVED).values_list("pk", flat=True)
        )
        assert public == approved
        moved = data_version.current().token != before
        assert moved == (public != before_public)
