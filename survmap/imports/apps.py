from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ImportsConfig(AppConfig):
    name = "survmap.imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from survmap.imports import signals
        from survmap.records.permissions import ensure_moderators_group

        signals.connect()
        # This app's permissions (viewing import runs, marking their lines handled) exist only
        # after its own migrate step; give them to moderators.
        post_migrate.connect(ensure_moderators_group, sender=self)
