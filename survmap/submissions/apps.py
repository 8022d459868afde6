"""App config for contributor submissions and their moderation."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SubmissionsConfig(AppConfig):
    name = "survmap.submissions"
    verbose_name = "Submissions"

    def ready(self) -> None:
        from survmap.records.permissions import ensure_moderators_group
        from survmap.submissions import checks  # noqa: F401  (registers the start-up checks)

        # This app's permissions exist only after its own migrate step; give them to moderators.
        post_migrate.connect(ensure_moderators_group, sender=self)
