from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "survmap.geo"
    verbose_name = "Geography"
