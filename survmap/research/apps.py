"""App config for research checks and tasks: where someone looked, and what they found."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ResearchConfig(AppConfig):
    name = "survmap.research"
    verbose_name = "Research"

    def ready(self) -> None:
        from survmap.records.permissions import ensure_moderators_group
        from survmap.research import signals

        signals.connect()
        # This app's permissions exist only after its own migrate step; give them to moderators.
        post_migrate.connect(ensure_moderators_group, sender=self)
