"""/api/v1/sharing/: who may search whose data (JSON, CSV, GeoJSON lines between the two
agencies' points), filtered by either end, state and technology. Credits The News & Observer
on every answer drawn from its data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from survmap.api.pagination import ID
from survmap.api.renderers import CSVRenderer, GeoJSONRenderer
from survmap.api.views import PublicViewSet, validated
from survmap.geo.boundaries import Level, centroids
from survmap.platereaders.filters import SharingFilterSet
from survmap.platereaders.models import Sharing
from survmap.platereaders.selectors import party, sharing_public, sharing_row
from survmap.records.models import Agency

SHARING_FILTER_NAMES = tuple(SharingFilterSet.base_filters)


class SharingSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="survmap's id of the link.")
    shared_by = serializers.SerializerMethodField(
        help_text="The agency (or organisation) whose data may be searched."
    )
    searched_by = serializers.SerializerMethodField(
        help_text="The agency (or organisation) that may search it."
    )
    technology: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text="Technology slug."
    )
    vendor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text="Vendor slug."
    )
    source_url = serializers.CharField(
        source="source.url", read_only=True, help_text="The sharing agency's portal."
    )
    source_publisher = serializers.CharField(
        source="source.publisher", read_only=True, help_text="Who published the source."
    )

    class Meta:
        model = Sharing
        fields = [
            "id",
            "shared_by",
            "searched_by",
            "technology",
            "vendor",
            "as_of",
            "source_url",
            "source_publisher",
            "attribution",
        ]

    def get_shared_by(self, link: Sharing) -> dict[str, Any]:
        return party(link.from_agency, link.from_organisation)

    def get_searched_by(self, link: Sharing) -> dict[str, Any]:
        return party(link.to_agency, link.to_organisation)


class SharingFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        return validated(SharingFilterSet, request, queryset, view).qs


def _point(agency: Agency | None, points: dict[str, tuple[float, float]]) -> list[float] | None:
    if agency is None:
        return None
    if agency.latitude is not None and agency.longitude is not None:
        return [agency.longitude, agency.latitude]
    for county in sorted(agency.counties.all(), key=lambda county: county.fips):
        if county.fips in points:
            return list(points[county.fips])
    return None


def sharing_feature(link: Sharing, points: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """A line from the sharing agency's point to the searching agency's (none where either
    end has no point, or is an organisation)."""
    start, end = _point(link.from_agency, points), _point(link.to_agency, points)
    geometry = {"type": "LineString", "coordinates": [start, end]} if start and end else None
    return {"type": "Feature", "id": link.pk, "geometry": geometry, "properties": sharing_row(link)}


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=["json", "csv", "geojson"],
            description="JSON (default), CSV, or GeoJSON lines between the two agencies.",
        )
    ]
)
class SharingViewSet(PublicViewSet):
    """Data sharing: which organisations may search an agency's plate reads, as each agency's
    Flock transparency portal listed them (The News & Observer's Private Eyes data, read 26
    April 2024). Filters: from_agency, to_agency, agency (either end), state, technology."""

    serializer_class = SharingSerializer
    extra_parameters = SHARING_FILTER_NAMES
    filter_backends = [SharingFilterBackend]
    filterset_class = SharingFilterSet
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]
    sort_keys = {"id": ID}

    def get_queryset(self) -> QuerySet[Sharing]:
        return sharing_public()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kind = request.accepted_renderer.format
        if kind not in {"csv", "geojson"}:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if kind == "geojson":
            queryset = queryset.prefetch_related("from_agency__counties", "to_agency__counties")
        page = self.paginate_queryset(queryset)
        assert page is not None
        if kind == "csv":
            return self.get_paginated_response([sharing_row(link) for link in page])
        paginated = self.get_paginated_response([])
        points = centroids(Level.COUNTY)
        paginated.data = {
            "type": "FeatureCollection",
            "license": paginated.data["license"],
            "attribution": paginated.data["attribution"],
            "count": paginated.data["count"],
            "next": paginated.data["next"],
            "features": [sharing_feature(link, points) for link in page],
        }
        return paginated
