from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "survmap.web"
    verbose_name = "Public site"
