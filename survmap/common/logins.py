"""A lockout per account, beside django-axes' lockout per account and client.

django-axes locks a username from one client (its address bucket: `common.client_ip`) after
AXES_FAILURE_LIMIT failures. Someone who changes address between guesses never meets it. This
backend counts every failed login of the username, from wherever, over the same cool-off, and
refuses the account (the right password included) past SURVMAP_LOGIN_ACCOUNT_FAILURE_LIMIT.

A person never meets it: it is twice the per-client limit and more, and it never applies from an
address bucket that has logged into that account before (django-axes keeps successful logins), so
a guesser cannot lock a moderator out of their usual connection. Failures are counted for any
username, existing or not, so the refusal says nothing about which accounts exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from survmap.common.client_ip import client_bucket

# How far back a successful login makes a client's address bucket known for its account.
KNOWN_CLIENT_DAYS = 90


def account_failures(username: str, *, now: dt.datetime | None = None) -> int:
    """Failed logins of `username` from every client within the cool-off."""
    now = now or timezone.now()
    since = now - (get_cool_off() or dt.timedelta(hours=1))
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def known_client(username: str, bucket: str, *, now: dt.datetime | None = None) -> bool:
    """Whether this address bucket logged into the account lately."""
    now = now or timezone.now()
    return AccessLog.objects.filter(
        username=username,
        ip_address=bucket,
        attempt_time__gte=now - dt.timedelta(days=KNOWN_CLIENT_DAYS),
    ).exists()


def account_locked(username: str, bucket: str) -> bool:
    limit = int(settings.SURVMAP_LOGIN_ACCOUNT_FAILURE_LIMIT)
    if limit <= 0 or account_failures(username) < limit:
        return False
    return not known_client(username, bucket)


class AccountLockBackend:
    """Refuses a login (before any password is checked) to an account with too many failures
    from everywhere, unless the client is one the account uses. Put after django-axes' backend
    and before the backends that check passwords.

    Only `authenticate`, like django-axes' backend: a backend with `get_user` (BaseBackend's
    returns None) would be the one `force_login` and the session pick to load the user."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None or not username:
            return None
        if account_locked(username, client_bucket(request)):
            # django-axes' middleware answers with its lockout page (429), as for its own lockout.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = {"username": username}  # type: ignore[attr-defined]
            raise PermissionDenied("Too many failed logins for this account.")
        return None
