"""Every API error as JSON with a `message` a person can read and, for bad input, the parameter
that was wrong."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class BadParameter(exceptions.ValidationError):
    """A query parameter that cannot be understood: a 400 naming it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__({name: [message]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    if request is not None:
        # An error is JSON whatever format was asked for: a CSV of an error helps nobody.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    data = response.data
    if isinstance(exc, exceptions.ValidationError) and isinstance(data, dict):
        names = ", ".join(sorted(data))
        message = f"Invalid query parameter: {names}." if names else "Invalid request."
        response.data = {"message": message, "errors": data}
    elif isinstance(exc, exceptions.Throttled):
        seconds: float | None = getattr(exc, "wait", None)
        wait = f" Try again in {int(seconds)} seconds." if seconds is not None else ""
        response.data = {
            "message": "Too many requests from your address; please slow down." + wait,
            "retry_after": int(seconds) if seconds is not None else None,
        }
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"message": str(data["detail"])}
    else:
        response.data = {"message": "Request failed.", "errors": data}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response["Cache-Control"] = "no-store"
    return response
