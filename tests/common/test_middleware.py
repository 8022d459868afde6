"""With the database briefly gone, readers get a clean 503 page, and the site recovers when the
database returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.common.tcp_proxy import TcpProxy
from tests.factories import PartnershipFactory


@contextmanager
def database_behind_a_switch() -> Iterator[tuple[callable, callable]]:
    """Yield (cut, restore) that make the real database unreachable and reachable again.

    PostgreSQL: the connection goes through a TCP proxy on 127.0.0.1 that is stopped and
    restarted. SQLite (the suite's in-memory database cannot be closed without losing it): the
    live connection is set aside and the database path points at a folder that does not exist,
    so the driver itself fails to open it, then the connection is put back."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        original = (settings["HOST"], settings["PORT"])
        proxy = TcpProxy(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)).start()
        connection.close()
        settings["HOST"], settings["PORT"] = "127.0.0.1", str(proxy.port)
        try:
            yield proxy.stop, proxy.start
        finally:
            connection.close()
            proxy.stop()
            settings["HOST"], settings["PORT"] = original
    else:
        original_name = settings["NAME"]
        saved: list = []

        def cut() -> None:
            saved.append(connection.connection)
            connection.connection = None
            settings["NAME"] = "/nonexistent-survmap-outage/db.sqlite3"

        def restore() -> None:
            settings["NAME"] = original_name
            connection.connection = saved.pop()

        try:
            yield cut, restore
        finally:
            if saved:
                restore()


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_gives_a_503_page_and_the_site_recovers_when_it_returns():
    partnership = PartnershipFactory()
    client = Client(raise_request_exception=False)
    home = reverse("web:table")
    with database_behind_a_switch() as (cut, restore):
        assert client.get(home).status_code == 200

        cut()
        response = client.get(home)
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        body = response.content.decode()
        assert "briefly unavailable" in body
        assert "Traceback" not in body and "OperationalError" not in body

        restore()
        response = client.get(home)
        assert response.status_code == 200
        assert partnership.agency.name in response.content.decode()


def test_other_errors_are_not_disguised_as_an_outage(rf):
    from survmap.common.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type]
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None
