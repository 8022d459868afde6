"""Moderation and change-log speed at scale: the queue page (with its duplicate checks), a
decision page, one approval, the change log's first page and its Atom feed."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.generate import generate_partnerships
from bench.run import Context
from survmap.records.models import Agency, Partnership, Source
from survmap.submissions.models import Submission, SubmissionSource

QUEUE = 50


def _with_history(model: type[Agency] | type[Partnership] | type[Source]) -> None:
    """bulk_create writes no history; give every row its 'added' entry, as real writes do."""
    history = model.history.model  # type: ignore[union-attr]
    missing = list(model.objects.exclude(pk__in=history.objects.values("id")))
    model.history.bulk_history_create(missing, batch_size=2_000)  # type: ignore[union-attr]


def _get(client: Client, context: Context, name: str, url: str, rows: int) -> None:
    with context.timer(name, rows=rows):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def run(context: Context) -> None:
    moderator = User.objects.filter(username="bench-moderator").first() or (
        User.objects.create_superuser(
            "bench-moderator",
            password="bench-password-1",  # noqa: S106 - a throwaway benchmark database
        )
    )
    client = Client()
    client.force_login(moderator)
    for size in context.sizes:
        missing = size - Partnership.objects.count()
        if missing > 0:
            generate_partnerships(missing, prefix=f"Bench{size}")
        for model in (Agency, Source, Partnership):
            _with_history(model)
        rows = Partnership.objects.count()
        # A queue of tips naming agencies in the busiest state, so the similar-name check works.
        state = (
            Agency.objects.values("state_id")
            .order_by()
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        agencies = list(Agency.objects.filter(state_id=state["state_id"])[:QUEUE])
        technology = Partnership.objects.first().technology  # type: ignore[union-attr]
        Submission.objects.all().delete()
        for agency in agencies:
            submission = Submission.objects.create(
                agency_name=agency.name.replace("Department", "Dept."),
                agency_state_id=agency.state_id,
                technology=technology,
            )
            SubmissionSource.objects.create(
                submission=submission, url=f"https://tips.example.org/{submission.pk}"
            )
        pending = Submission.objects.order_by("pk").first()
        assert pending is not None
        _get(
            client,
            context,
            "moderation.queue.page_ms",
            reverse("admin:submissions_submission_changelist"),
            rows,
        )
        decide = reverse("admin:submissions_submission_decide", args=[pending.pk])
        _get(client, context, "moderation.decide.page_ms", decide, rows)
        with context.timer("moderation.approve_ms", rows=rows):
            response = client.post(decide, {"action": "approve", "reason": "bench"})
        assert response.status_code == 302
        _get(client, context, "changelog.first_page_ms", reverse("changelog:changes"), rows)
        _get(client, context, "changelog.feed_ms", reverse("changelog:feed"), rows)
