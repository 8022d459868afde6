from django.apps import AppConfig


class PlateReadersConfig(AppConfig):
    name = "survmap.platereaders"
    label = "platereaders"
    verbose_name = "Plate readers: portals and data sharing"
