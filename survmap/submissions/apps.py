"""App config for contributor submissions and their moderation."""

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "survmap.submissions"
    verbose_name = "Submissions"
