"""Django's JSON serializer, keeping datetimes to the microsecond.

Django's encoder cuts datetimes to milliseconds, so a restored history would no longer be the
history that was backed up (and two changes in one millisecond would tie). Here datetimes and
times are written as full ISO 8601 strings, which Django's own JSON deserializer reads back
exactly, so a backup restores with plain `loaddata`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import models

FORMAT = "survmap-json"
Deserializer = JSONDeserializer


class Serializer(JSONSerializer):
    def _value_from_field(self, obj: models.Model, field: Any) -> Any:
        value = super()._value_from_field(obj, field)  # type: ignore[misc]
        if isinstance(value, dt.datetime | dt.time):
            return value.isoformat()
        return value
