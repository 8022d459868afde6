"""URL checks for sources: only http and https links are ever stored or shown."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# A source link is something a reader will click: javascript:, data:, file: and ftp: are refused.
http_url_validator = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address that starts with http:// or https://.",
)


def is_http_url(value: str) -> bool:
    try:
        http_url_validator(value)
    except ValidationError:
        return False
    return True
