"""What a robot that filled the honeypot is shown: a confirmation like a real one, and a status
link that answers like a real one, while nothing is stored in the database.

A decoy token has a real token's shape (32 bytes, URL-safe base64) but is half random and half
a keyed hash of that half, so the status page recognises it without storing it; a real token
(32 random bytes) passes that test with a chance of 2^-128. The headline the robot typed is kept
in the cache for a day, so its status page can repeat it, as a real one does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from survmap.submissions.models import SubmissionKind, SubmissionStatus

_HALF = 16
_KEEP_SECONDS = 24 * 60 * 60


def _mac(random_part: bytes) -> bytes:
    key = hashlib.sha256(b"survmap-decoy:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, random_part, hashlib.sha256).digest()[:_HALF]


def _key(token: str) -> str:
    return "survmap:decoy:" + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class DecoySubmission:
    """The attributes the status page reads from a Submission, for a decoy."""

    kind: str
    headline: str
    created_at: dt.datetime = field(default_factory=timezone.now)
    status: str = SubmissionStatus.PENDING
    reviewed_at: None = None
    decision_reason: str = ""
    result_agency: None = None

    def get_kind_display(self) -> str:
        return str(SubmissionKind(self.kind).label)

    def get_status_display(self) -> str:
        return str(SubmissionStatus(self.status).label)


def decoy_token(*, kind: str, headline: str) -> str:
    random_part = secrets.token_bytes(_HALF)
    token = base64.urlsafe_b64encode(random_part + _mac(random_part)).decode().rstrip("=")
    cache.set(_key(token), (kind, headline[:300], timezone.now()), _KEEP_SECONDS)
    return token


def decoy_submission(token: str) -> DecoySubmission | None:
    """The decoy behind `token`, or None when it is no decoy."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * _HALF or not hmac.compare_digest(raw[_HALF:], _mac(raw[:_HALF])):
        return None
    kept = cache.get(_key(token))
    if kept is None:
        return DecoySubmission(kind=SubmissionKind.NEW_PARTNERSHIP, headline="your report")
    kind, headline, created_at = kept
    return DecoySubmission(kind=kind, headline=headline, created_at=created_at)
