from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "survmap.imports"
    verbose_name = "Imports"
