"""The API app: connects the data-version signals on start."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "survmap.api"
    label = "api"
    verbose_name = "Public data API"

    def ready(self) -> None:
        from survmap.api import versioning

        versioning.connect_signals()
