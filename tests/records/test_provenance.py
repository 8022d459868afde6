"""Provenance writes field values as JSON: every type a model field may hold must survive."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pytest

from survmap.records import provenance
from tests.factories import TechnologyFactory


def test_a_money_value_an_id_and_a_duration_encode_as_djangos_json_writes_them() -> None:
    value = {
        "amount": provenance.jsonable(decimal.Decimal("12500.50")),
        "key": provenance.jsonable(uuid.UUID("12345678-1234-5678-1234-567812345678")),
        "term": provenance.jsonable(dt.timedelta(days=365)),
    }
    assert json.loads(json.dumps(value)) == {
        "amount": "12500.50",
        "key": "12345678-1234-5678-1234-567812345678",
        "term": "P365DT00H00M00S",
    }
    assert provenance.encode(decimal.Decimal("1.10")) == '"1.10"'


@pytest.mark.django_db
def test_records_dates_and_plain_values_encode_as_before() -> None:
    technology = TechnologyFactory()
    assert provenance.jsonable(technology) == technology.pk
    assert provenance.jsonable(dt.date(2020, 3, 5)) == "2020-03-05"
    moment = dt.datetime(2020, 3, 5, 12, 0, 0, 123456, tzinfo=dt.UTC)
    assert provenance.jsonable(moment) == "2020-03-05T12:00:00.123456+00:00"
    for plain in ("text", 3, 2.5, True, None, ["a"], {"b": 1}):
        assert provenance.jsonable(plain) == plain
