from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "survmap.web"
    verbose_name = "Public site"

    def ready(self) -> None:
        from survmap.web.cache import connect_signals

        # Map counts and search entries are cached per data version; any write drops them.
        connect_signals()
