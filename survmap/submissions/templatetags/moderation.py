"""The moderators' admin: how many submissions wait for a decision."""

from __future__ import annotations

from django import template

from survmap.submissions.models import Submission, SubmissionStatus

register = template.Library()


@register.simple_tag
def pending_submissions() -> int:
    return Submission.objects.filter(status=SubmissionStatus.PENDING).count()
