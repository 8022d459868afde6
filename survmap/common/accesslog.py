"""gunicorn's access log without the contributors' private status tokens.

A status page's address is its only key (/submissions/<token>/): whoever reads the access log
could read every contributor's status and the moderator's reasons. The token is replaced by
'[redacted]' in every atom of the log line.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_STATUS_PATH = re.compile(r"(/submissions/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _STATUS_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        # Every atom a format could name: the request line, the path, the referer, headers
        # and environ variables that repeat them.
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
