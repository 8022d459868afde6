"""The moderators' admin: how many things wait for a moderator, of every kind."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.urls import reverse

from survmap.submissions.models import Submission, SubmissionStatus

register = template.Library()


@register.simple_tag
def pending_submissions() -> int:
    return Submission.objects.filter(status=SubmissionStatus.PENDING).count()


@register.simple_tag
def waiting_work() -> list[dict[str, object]]:
    """Each queue with what waits in it and the filtered list that shows it: tips and
    corrections, research checks, import conflicts, import lines not yet handled. Read through
    the app registry, so that this tag needs no import of the apps it counts."""
    queues: list[tuple[str, dict[str, Any], str, str, str]] = [
        (
            "submissions.Submission",
            {"status": SubmissionStatus.PENDING},
            "status=pending",
            "tip or correction",
            "tips and corrections",
        ),
        (
            "research.ResearchCheck",
            {"status": SubmissionStatus.PENDING},
            "status=pending",
            "research check",
            "research checks",
        ),
        (
            "records.Conflict",
            {"status": "open"},
            "status__exact=open",
            "import conflict",
            "import conflicts",
        ),
        (
            "imports.ImportNote",
            {"handled": False},
            "handled__exact=0",
            "import line not handled",
            "import lines not handled",
        ),
    ]
    found = []
    for label, waiting, query, one, many in queues:
        model = apps.get_model(label)
        count = model._default_manager.filter(**waiting).count()
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + f"?{query}"
        found.append({"count": count, "name": one if count == 1 else many, "url": url})
    return found
