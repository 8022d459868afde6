from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_census_loaded(**kwargs: Any) -> None:
    from survmap.geo.census import load_into
    from survmap.geo.models import County, State

    load_into(State, County)


class GeoConfig(AppConfig):
    name = "survmap.geo"
    verbose_name = "Geography"

    def ready(self) -> None:
        # The census rows are reference data, not records: a flush (as transactional tests do
        # after each test) must not leave the site without states and counties.
        post_migrate.connect(ensure_census_loaded, sender=self)
