"""No private link reaches a log: a scripted visit of every private page (opened, posted without a
CSRF cookie, refused, not found) leaves no token in Django's log lines nor in gunicorn's access
log, and every route that takes a token is covered."""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from gunicorn.config import Config

from survmap.common.accesslog import RedactingLogger
from survmap.common.redaction import REDACTED, RedactingFilter, redact
from survmap.research.models import CheckOutcome, ResearchCheck, ResearchTask, TaskStatus
from tests.research.conftest import make_task
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_log() -> Iterator[io.StringIO]:
    """What the handlers of settings.LOGGING write, captured: the real configuration, filters
    included, with its streams pointed at a buffer for the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING's console handler carries no RedactingFilter"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


class AccessLog:
    """gunicorn's access logger as production configures it, with every atom that can hold a
    path in its format, writing to a file."""

    def __init__(self, path: Path) -> None:
        config = Config()
        config.set("accesslog", str(path))
        config.set(
            "access_log_format", '"%(r)s" %(s)s %(U)s %(q)s "%(f)s" "%({referer}i)s" %(M)sms'
        )
        self.logger = RedactingLogger(config)
        self.path = path

    def record(self, response: HttpResponse) -> None:
        environ: dict[str, Any] = dict(response.wsgi_request.environ)
        query = environ.get("QUERY_STRING", "")
        environ["RAW_URI"] = environ["PATH_INFO"] + (f"?{query}" if query else "")
        environ.setdefault("SERVER_PROTOCOL", "HTTP/1.1")
        headers = [("REFERER", environ["HTTP_REFERER"])] if "HTTP_REFERER" in environ else []
        self.logger.access(
            SimpleNamespace(status=f"{response.status_code} X", sent=1, headers=[]),
            SimpleNamespace(headers=headers),
            environ,
            dt.timedelta(milliseconds=5),
        )

    def text(self) -> str:
        for handler in self.logger.access_log.handlers:
            handler.flush()
        return self.path.read_text()


def _report() -> dict[str, str]:
    return {
        "outcome": CheckOutcome.NONE_FOUND,
        "checked_on": "2026-06",
        "summary": "Searched the agendas.",
        "council_agenda_url": "https://city.example.gov/agendas?q=drone",
        "request_answer": "awaiting",
        "credit_name": "",
        "website": "",
    }


def test_a_scripted_visit_leaves_no_token_in_any_log(django_log, tmp_path):
    access = AccessLog(tmp_path / "access.log")
    client = Client()
    strict = Client(enforce_csrf_checks=True)
    task = make_task()
    claim = client.post(reverse("research:claim", args=[task.pk]))
    access.record(claim)
    claim_url = claim["Location"]
    report = client.post(claim_url, _report())
    assert report.status_code == 200
    access.record(report)
    research_check = ResearchCheck.objects.get()
    submission = make_submission()
    tokens = {
        "status": submission.token,
        "claim": claim_url.rstrip("/").rsplit("/", 1)[-1],
        "check": research_check.token,
        "unknown": "NoSuchTokenQ2hlY2tpbmdUaGVMb2dzRm9yVGhpcw",
    }
    private = [
        reverse("submissions:status", args=[tokens["status"]]),
        claim_url,
        reverse("research:release", args=[tokens["claim"]]),
        reverse("research:status", args=[tokens["check"]]),
        reverse("submissions:status", args=[tokens["unknown"]]),
        reverse("research:status", args=[tokens["unknown"]]),
    ]
    statuses = set()
    for path in private:
        for response in (
            client.get(path, {"ref": path}, HTTP_REFERER=f"https://example.org{path}"),
            # "Forbidden (CSRF cookie not set.): <path>"
            strict.post(path, {}),
            # "Not Found: <path>"
            client.get(path + "missing/"),
        ):
            statuses.add(response.status_code)
            access.record(response)
    # "Conflict: <path>": a report racing a change of the task (here: a second claim whose
    # task left the claimed state while its page was open).
    second = make_task()
    second_url = client.post(reverse("research:claim", args=[second.pk]))["Location"]
    tokens["second claim"] = second_url.rstrip("/").rsplit("/", 1)[-1]
    ResearchTask.objects.filter(pk=second.pk).update(status=TaskStatus.OPEN)
    again = client.post(second_url, _report())
    assert again.status_code == 409
    access.record(again)
    assert {200, 403, 404, 409} <= statuses | {again.status_code}
    logged = django_log.getvalue()
    accessed = access.text()
    for line in ("Forbidden (CSRF cookie not set.)", "Not Found:", "Conflict:"):
        assert line in logged
    assert f"/submissions/{REDACTED}/" in logged
    assert f"/research/claims/{REDACTED}/" in accessed
    for name, token in tokens.items():
        assert token not in logged, name
        assert token not in accessed, name


def test_a_traceback_and_an_encoded_link_lose_their_token():
    token = "c2VjcmV0LXRva2VuLWluLWEtdHJhY2ViYWNr"
    assert token not in redact(f"GET /login/?next=%2Fresearch%2Fchecks%2F{token}%2F HTTP/1.1")
    assert redact("/admin/submissions/submission/3/change/") == (
        "/admin/submissions/submission/3/change/"
    )
    try:
        raise ValueError(f"broken at /submissions/{token}/")
    except ValueError:
        record = logging.getLogger("test").makeRecord(
            "test", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info=sys.exc_info()
        )
    RedactingFilter().filter(record)
    assert token not in logging.Formatter().format(record)


def _token_routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _token_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and "token" in str(pattern.pattern):
            yield prefix + str(pattern.pattern)


def test_every_route_that_takes_a_token_is_redacted():
    token = "dGhpcy1pcy1hLXRva2VuLWluLWEtcm91dGU"
    routes = list(_token_routes(get_resolver().url_patterns))
    assert len(routes) >= 4
    for route in routes:
        path = "/" + route.replace("<str:token>", token).replace("<token>", token)
        assert token not in redact(path), route
