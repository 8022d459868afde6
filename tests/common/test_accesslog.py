"""gunicorn's access log never holds a contributor's private status token."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from gunicorn.config import Config

from survmap.common.accesslog import REDACTED, RedactingLogger
from tests.conftest import REPO

TOKEN = "Zm9vYmFyYmF6cXV4LXNlY3JldC10b2tlbi1leGFtcGxlMTI"


def _line(environ: dict[str, str]) -> dict[str, object]:
    config = Config()
    logger = RedactingLogger(config)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("REFERER", environ.get("HTTP_REFERER", "-"))])
    return logger.atoms(response, request, environ, dt.timedelta(milliseconds=12))


def test_the_request_line_path_and_referer_lose_the_token():
    path = f"/submissions/{TOKEN}/"
    atoms = _line(
        {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path + "?x=1",
            "PATH_INFO": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_REFERER": f"https://survmap.example.org{path}",
        }
    )
    assert TOKEN not in repr(atoms)
    assert atoms["r"] == f"GET /submissions/{REDACTED}/?x=1 HTTP/1.1"
    assert atoms["U"] == f"/submissions/{REDACTED}/"
    assert atoms["f"] == f"https://survmap.example.org/submissions/{REDACTED}/"


def test_other_paths_are_logged_as_they_are():
    atoms = _line(
        {
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/agencies/12/",
            "PATH_INFO": "/agencies/12/",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
    )
    assert atoms["r"] == "GET /agencies/12/ HTTP/1.1"


def test_the_production_server_uses_the_redacting_logger():
    config = Config()
    namespace: dict[str, object] = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    config.set("logger_class", namespace["logger_class"])
    assert config.logger_class is RedactingLogger
