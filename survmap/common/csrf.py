"""The page for a form posted without a valid CSRF token (most often: the cookie expired while
the person was typing). In the site's style, it keeps what was typed and, when the post came
from one of our own pages, offers to send it again with a fresh token.

It never re-arms a post from another site: a cross-site post fails Django's Origin or Referer
check, and only a post whose Origin (or, without one, Referer) is this site gets the button.
Passwords are never repeated, and the admin's forms get the text without the button.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

MAX_FIELDS = 60
MAX_VALUE = 10_000
NOT_REPEATED = ("csrfmiddlewaretoken",)


def _from_this_site(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    source = origin if origin not in (None, "null") else request.headers.get("Referer", "")
    parts = urlsplit(source or "")
    return bool(parts.netloc) and parts.netloc == request.get_host()


def _typed(request: HttpRequest) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for name, values in request.POST.lists():
        if name in NOT_REPEATED or "password" in name.lower():
            continue
        fields.extend((name, value[:MAX_VALUE]) for value in values if value.strip())
    return fields[:MAX_FIELDS]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a 403 that loses nothing typed."""
    fields = [(name, name.replace("_", " ").capitalize(), value) for name, value in _typed(request)]
    cross_site = reason.startswith(("Origin checking failed", "Referer checking failed"))
    resend = (
        bool(fields)
        and not cross_site
        and _from_this_site(request)
        and not request.path.startswith("/admin/")
    )
    response = render(
        request,
        "csrf_failure.html",
        {
            "fields": fields,
            "resend": resend,
            "action": request.get_full_path(),
        },
        status=403,
    )
    response["Cache-Control"] = "no-store"
    return response
