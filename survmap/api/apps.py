"""The public data API."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "survmap.api"
    label = "api"
    verbose_name = "Public data API"
