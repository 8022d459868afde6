"""Read-only serializers of the public record. Field descriptions come from the models'
help_text, so the OpenAPI schema is the data dictionary."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from survmap.common.dates import PartialDate
from survmap.records.columns import API_FIELDS, ApiValue
from survmap.records.freshness import partnership_status_age
from survmap.records.models import (
    Agency,
    Partnership,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
from survmap.records.rows import PartnershipRow


def help_of(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "help_text", ""))


@extend_schema_field(OpenApiTypes.STR)
class PartialDateField(serializers.Field):
    """A date to its known precision: '2020', '2020-03' or '2020-03-05'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: PartialDate | None) -> str | None:
        return value.isoformat() if value else None


class PublicSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True, help_text="survmap's stable id of the record: never changed or reused."
    )


class TechnologySerializer(PublicSerializer):
    class Meta:
        model = Technology
        fields = ["id", "name", "slug", "category", "description"]


class VendorSerializer(PublicSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "slug", "website", "parent"]


class SourceSerializer(PublicSerializer):
    published = PartialDateField(
        help_text="Publication date to its known precision: '2020', '2020-03' or '2020-03-05'."
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "title",
            "publisher",
            "published",
            "published_date",
            "published_precision",
            "archive_url",
            "accessed_date",
            "attribution",
        ]


# An agency as every row that names one shows it; the agency list adds its credit and links.
AGENCY_SUMMARY_FIELDS = [
    "id",
    "name",
    "kind",
    "state",
    "counties",
    "city",
    "latitude",
    "longitude",
    "ori",
]


class AgencySerializer(PublicSerializer):
    counties: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="fips", help_text=help_of(Agency, "counties")
    )
    page_url = serializers.URLField(
        source="get_absolute_url",
        read_only=True,
        help_text="The agency's page on survmap, with its partnerships and sources.",
    )

    partnerships_url = serializers.SerializerMethodField(
        help_text="The API's list of this agency's public partnerships."
    )

    class Meta:
        model = Agency
        fields = [
            *AGENCY_SUMMARY_FIELDS,
            "attribution",
            "page_url",
            "partnerships_url",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_partnerships_url(self, agency: Agency) -> str:
        path = reverse("api:partnership-list") + f"?agency={agency.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AgencySummarySerializer(PublicSerializer):
    counties: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="fips", help_text=help_of(Agency, "counties")
    )

    class Meta:
        model = Agency
        fields = AGENCY_SUMMARY_FIELDS


class PartnershipSerializer(PublicSerializer):
    agency = AgencySummarySerializer(read_only=True, help_text=help_of(Partnership, "agency"))
    technology = TechnologySerializer(read_only=True, help_text=help_of(Partnership, "technology"))
    vendor = VendorSerializer(read_only=True, help_text=help_of(Partnership, "vendor"))
    other_vendors = VendorSerializer(
        many=True, read_only=True, help_text=help_of(Partnership, "other_vendors")
    )
    sources = SourceSerializer(many=True, read_only=True, help_text=help_of(Partnership, "sources"))
    status_as_of = PartialDateField(
        help_text="When a source last confirmed the status, to its known precision."
    )
    start = PartialDateField(help_text="Start to its known precision: '2020', '2020-03' or a day.")
    end = PartialDateField(help_text="End to its known precision: '2021', '2021-06' or a day.")
    status_label = serializers.SerializerMethodField(
        help_text=(
            "The status as survmap shows it: what the sources said and as of when, e.g. "
            "'Reported active, as of October 2020'."
        )
    )
    confirmed_age_years = serializers.SerializerMethodField(
        help_text=(
            "Whole years since a source last confirmed the status (null: no dated source). A "
            "standing status (active, pilot, approved...) this old or older than "
            "SURVMAP_STATUS_STALE_YEARS is shown as not confirmed."
        )
    )

    class Meta:
        model = Partnership
        # The column table's API keys, in its order.
        fields = [key for key, _kind in API_FIELDS]

    def get_status_label(self, instance: Partnership) -> str:
        return partnership_status_age(instance).label

    def get_confirmed_age_years(self, instance: Partnership) -> int | None:
        return partnership_status_age(instance).years


def _datetime(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it (UTC, 'Z')."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _decimal(value: decimal.Decimal | None) -> str | None:
    return None if value is None else str(value)


def _partial(value: PartialDate | None) -> str | None:
    return value.isoformat() if value else None


_WRITE: dict[ApiValue, Callable[[Any], Any] | None] = {
    ApiValue.PLAIN: None,
    ApiValue.DATE: _date,
    ApiValue.PARTIAL: _partial,
    ApiValue.DATETIME: _datetime,
    ApiValue.DECIMAL: _decimal,
}
# Each API key with how to read the partnership's attribute of that name and write it (None:
# as it is), worked out once; the serializer's own keys (the id, related records) read nothing.
_API_WRITERS: tuple[tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any] | None], ...] = (
    tuple(
        (key, None, None) if kind == ApiValue.OWN else (key, attrgetter(key), _WRITE[kind])
        for key, kind in API_FIELDS
    )
)


@extend_schema_serializer(component_name="Partnership")
class FastPartnershipSerializer(PartnershipSerializer):
    """The same output as PartnershipSerializer (tests compare them), written out by hand: the
    generic field machinery costs more than the database for a page of 50 nested rows."""

    def to_representation(self, instance: Partnership | PartnershipRow) -> dict[str, Any]:
        agency = instance.agency
        technology = instance.technology
        vendor = instance.vendor
        age = partnership_status_age(instance)
        own = {
            "id": instance.pk,
            "agency": {
                "id": agency.pk,
                "name": agency.name,
                "kind": agency.kind,
                "state": agency.state_id,
                "counties": [county.fips for county in agency.counties.all()],
                "city": agency.city,
                "latitude": agency.latitude,
                "longitude": agency.longitude,
                "ori": agency.ori,
            },
            "technology": {
                "id": technology.pk,
                "name": technology.name,
                "slug": technology.slug,
                "category": technology.category,
                "description": technology.description,
            },
            "vendor": None
            if vendor is None
            else {
                "id": vendor.pk,
                "name": vendor.name,
                "slug": vendor.slug,
                "website": vendor.website,
                "parent": vendor.parent_id,
            },
            "other_vendors": [
                {
                    "id": other.pk,
                    "name": other.name,
                    "slug": other.slug,
                    "website": other.website,
                    "parent": other.parent_id,
                }
                for other in instance.other_vendors.all()
            ],
            "status_label": age.label,
            "confirmed_age_years": age.years,
            "sources": [
                {
                    "id": source.pk,
                    "url": source.url,
                    "title": source.title,
                    "publisher": source.publisher,
                    "published": _partial(source.published),
                    "published_date": _date(source.published_date),
                    "published_precision": source.published_precision,
                    "archive_url": source.archive_url,
                    "accessed_date": _date(source.accessed_date),
                    "attribution": source.attribution,
                }
                for source in instance.sources.all()
            ],
        }
        # The plain fields from the column table, in its order (the related ones above).
        return {
            key: own[key]
            if read is None
            else (read(instance) if write is None else write(read(instance)))
            for key, read, write in _API_WRITERS
        }


class PolicyEventSerializer(PublicSerializer):
    when = PartialDateField(help_text="The date to its known precision.")
    vendor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text=help_of(PolicyEvent, "vendor")
    )
    technology: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text=help_of(PolicyEvent, "technology")
    )
    partnerships = serializers.SerializerMethodField(
        help_text="Ids of the public partnerships this decision changed."
    )
    sources = SourceSerializer(many=True, read_only=True, help_text=help_of(PolicyEvent, "sources"))

    class Meta:
        model = PolicyEvent
        fields = [
            "id",
            "title",
            "kind",
            "when",
            "date",
            "date_precision",
            "actor",
            "vendor",
            "technology",
            "state",
            "county",
            "summary",
            "partnerships",
            "sources",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_partnerships(self, event: PolicyEvent) -> list[int]:
        # Prefetched with only the public partnerships (see the view).
        return [partnership.pk for partnership in event.partnerships.all()]


class RegionCountSerializer(serializers.Serializer):
    fips = serializers.CharField(help_text="Census FIPS code of the state (2) or county (5).")
    name = serializers.CharField(help_text="Name of the state or county.")
    state = serializers.CharField(help_text="USPS code of the state the region lies in.")
    agencies = serializers.IntegerField(
        help_text="Number of agencies there with at least one matching public partnership."
    )
