"""The common app: shared building blocks, the page cache's invalidation, backup and restore."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "survmap.common"
    label = "common"
    verbose_name = "survmap common"

    def ready(self) -> None:
        from survmap.common import page_cache

        page_cache.connect_signals()
