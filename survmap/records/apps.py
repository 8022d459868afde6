from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordsConfig(AppConfig):
    name = "survmap.records"
    verbose_name = "Records"

    def ready(self) -> None:
        from survmap.records.permissions import ensure_moderators_group

        # After migrate, once Django has created this app's permissions.
        post_migrate.connect(ensure_moderators_group, sender=self)
