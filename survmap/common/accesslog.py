"""gunicorn's logs without private links (contributors' status pages, volunteers' claims and
checks: see survmap.common.redaction).

Every atom of an access log line (the request line, the path, the referer, headers and environ
variables that repeat them) goes through `redact`, and so does every line of gunicorn's error
log.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from survmap.common.redaction import REDACTED, RedactingFilter, redact

__all__ = ["REDACTED", "RedactingLogger", "redact"]


class RedactingLogger(Logger):
    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
