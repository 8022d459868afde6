from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlateReadersConfig(AppConfig):
    name = "survmap.platereaders"
    label = "platereaders"
    verbose_name = "Plate readers: portals and data sharing"

    def ready(self) -> None:
        from survmap.records.permissions import ensure_moderators_group

        # This app's permissions exist only after its own migrate step; give them to moderators.
        post_migrate.connect(ensure_moderators_group, sender=self)
