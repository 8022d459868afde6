"""The common app: shared building blocks, the page cache's invalidation, backup and restore."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "survmap.common"
    label = "common"
    verbose_name = "survmap common"

    def ready(self) -> None:
        from survmap.common import data_version

        # Every cache of public data keys on this version; any record change bumps it.
        data_version.connect_signals()
