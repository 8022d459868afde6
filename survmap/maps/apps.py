"""Making maps from the records: the map's numbers, the standalone file, share images."""

from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "survmap.maps"
    verbose_name = "Maps"
