"""Private links out of every log line: the one place that knows which addresses hold a secret.

A contributor's status page (/submissions/<token>/), a volunteer's claim
(/research/claims/<token>/) and a research check's status (/research/checks/<token>/) have
their token as their only key: whoever reads a log that holds one can read the status, the
moderator's reasons, or report in the volunteer's name. Any text that may hold a path (an access
log line, Django's "Not Found: /path", "Forbidden (CSRF cookie not set.): /path", a referer)
goes through `redact`, which replaces the token with '[redacted]', also when the path is
percent-encoded (a `?next=` parameter).

`PRIVATE_LINK_PREFIXES` lists the routes whose next path segment is a token; a test walks the
URL configuration and fails when a route with a token parameter is not covered, so a new private
route is added here. The access log (`common/accesslog.py`) and the logging filter
(`RedactingFilter`, on every handler of `settings.LOGGING`) both call `redact`.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Paths (without their leading and trailing slashes) whose next segment is a private token.
PRIVATE_LINK_PREFIXES = (
    "submissions",
    "research/claims",
    "research/checks",
)

_SLASH = r"(?:/|%2F)"


def _pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(
        _SLASH.join(re.escape(part) for part in prefix.split("/")) for prefix in prefixes
    )
    # Not inside the admin (/admin/submissions/submission/3/change/ holds no token). The token
    # runs to the next character a token cannot hold; an encoded path may lose a little more.
    return re.compile(
        rf"(?<!admin)(?P<prefix>{_SLASH}(?:{alternatives}){_SLASH})[^/?#&;,\s\"'<>\\]+",
        re.IGNORECASE,
    )


_PRIVATE_LINK = _pattern(PRIVATE_LINK_PREFIXES)


def redact(text: str) -> str:
    """`text` with the token of every private link in it replaced by '[redacted]'."""
    return _PRIVATE_LINK.sub(rf"\g<prefix>{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Redacts private links in a record's message (its arguments included) and traceback.

    Put on handlers rather than loggers: a logger's filter sees only records logged to that very
    logger, not those its children (django.security.csrf under django) pass up to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
