"""App config for the public change log."""

from django.apps import AppConfig


class ChangelogConfig(AppConfig):
    name = "survmap.changelog"
    verbose_name = "Change log"
