from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecordsConfig(AppConfig):
    name = "survmap.records"
    verbose_name = "Records"

    def ready(self) -> None:
        from survmap.common import data_version
        from survmap.records.models import (
            Agency,
            Partnership,
            PolicyEvent,
            Source,
            Technology,
            Vendor,
        )
        from survmap.records.permissions import ensure_moderators_group

        # The public data's version is a fingerprint of these records' history.
        data_version.track(Agency, Partnership, PolicyEvent, Source, Technology, Vendor)

        # After migrate, once Django has created this app's permissions.
        post_migrate.connect(ensure_moderators_group, sender=self)
