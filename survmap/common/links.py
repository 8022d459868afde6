"""URL checks for sources: only http and https links are ever stored or shown.

"Valid" means what a browser opens, which is looser than the RFCs Django's URLValidator follows:
browsers open host names with underscores (`granicus_production_attachments.s3.amazonaws.com`,
an S3 bucket real sources link to), so they are accepted here.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.regex_helper import _lazy_re_compile

from survmap.common.memo import memo


@deconstructible
class BrowserURLValidator(URLValidator):
    """URLValidator with underscores allowed in host name labels, as browsers allow them."""

    ul = "\u00a1-\uffff"
    hostname_re = r"[a-z" + ul + r"0-9_](?:[a-z" + ul + r"0-9_-]{0,61}[a-z" + ul + r"0-9_])?"
    domain_re = r"(?:\.(?!-)[a-z" + ul + r"0-9_-]{1,63}(?<!-))*"
    host_re = "(" + hostname_re + domain_re + URLValidator.tld_re + "|localhost)"
    regex = _lazy_re_compile(
        r"^(?:[a-z0-9.+-]*)://"
        r"(?:[^\s:@/]+(?::[^\s:@/]*)?@)?"
        r"(?:" + URLValidator.ipv4_re + "|" + URLValidator.ipv6_re + "|" + host_re + ")"
        r"(?::[0-9]{1,5})?"
        r"(?:[/?#][^\s]*)?"
        r"\Z",
        re.IGNORECASE,
    )


# A source link is something a reader will click: javascript:, data:, file: and ftp: are refused.
http_url_validator = BrowserURLValidator(
    schemes=["http", "https"],
    message="Enter a web address that starts with http:// or https://.",
)


def is_http_url(value: str) -> bool:
    return _is_http_url(value)


@memo(maxsize=16_384)
def _is_http_url(value: str) -> bool:
    # Cached: a file cites the same addresses again and again (the 2020 Atlas: 23,527 links,
    # 5,742 distinct).
    try:
        http_url_validator(value)
    except ValidationError:
        return False
    return True


class HttpURLFormField(forms.URLField):
    """A form's URL field that checks with `http_url_validator` alone (the admin edits sources
    whose hosts have underscores)."""

    default_validators = [http_url_validator]


class HttpURLField(models.URLField):
    """A URL column checked by `http_url_validator` alone, not also by Django's stricter default
    URLValidator (which would refuse hosts with underscores)."""

    default_validators = [http_url_validator]

    def deconstruct(self) -> Any:
        # The column is a plain URLField: migrations need not know about the validator.
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**{"form_class": HttpURLFormField, **kwargs})
