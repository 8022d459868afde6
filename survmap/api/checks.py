"""The research checks in the public API: /api/v1/checks/ (JSON, CSV, GeoJSON), the whole-set
exports, and /api/v1/coverage/ (the share of agencies checked per technology). Only public
(approved) checks; never who reported them privately, their tokens or addresses."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from survmap.api import licensing
from survmap.api.check_exports import check_credits, check_feature, geojson_chunks
from survmap.api.pagination import ID, SortKey
from survmap.api.renderers import CSVRenderer, GeoJSONRenderer
from survmap.api.serializers import PartialDateField, help_of
from survmap.api.throttling import ExportThrottle
from survmap.api.views import PublicAPIMixin, PublicViewSet, validated
from survmap.common import data_version
from survmap.geo.boundaries import Level, centroids
from survmap.records.models import DIRECTORY_ATTRIBUTION, Agency
from survmap.research import columns as check_columns
from survmap.research.filters import CoverageFilterSet, ResearchCheckFilterSet
from survmap.research.models import CheckSource, RecordsRequest, ResearchCheck
from survmap.research.selectors import (
    check_list_public,
    coverage,
    coverage_by_region,
    known_agencies,
)


class CheckSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckSource
        fields = ["kind", "url", "title", "notes"]


class RecordsRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordsRequest
        fields = [
            "reference",
            "url",
            "filed_date",
            "answer",
            "answered_date",
            "answer_summary",
        ]


class CheckAgencySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="survmap's stable id of the agency.")
    counties: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="fips", help_text=help_of(Agency, "counties")
    )

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "state", "city", "counties", "ori"]


class ResearchCheckSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True, help_text="survmap's stable id of the check: never changed or reused."
    )
    agency = CheckAgencySerializer(read_only=True, help_text=help_of(ResearchCheck, "agency"))
    technology: serializers.SlugRelatedField = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text=help_of(ResearchCheck, "technology")
    )
    checked_on = PartialDateField(
        help_text="When the search was made, to its known precision: '2024', '2024-03', "
        "'2024-03-05'."
    )
    stale = serializers.BooleanField(
        source="is_stale",
        read_only=True,
        help_text="Older than the stale period (SURVMAP_RESEARCH_STALE_MONTHS, 18 months).",
    )
    credit = serializers.CharField(
        read_only=True, help_text="The researcher's credited name, or 'Anonymous'."
    )
    approved_at = serializers.DateTimeField(
        source="reviewed_at", read_only=True, help_text="When a moderator published it."
    )
    sources = CheckSourceSerializer(many=True, read_only=True, help_text="Addresses consulted.")
    records_requests = RecordsRequestSerializer(
        many=True, read_only=True, help_text="Public-records requests made for the check."
    )

    class Meta:
        model = ResearchCheck
        fields = [
            "id",
            "agency",
            "technology",
            "outcome",
            "partnership",
            "checked_on",
            "checked_date",
            "checked_precision",
            "stale",
            "summary",
            "credit",
            "approved_at",
            "sources",
            "records_requests",
        ]


# The query parameters the check routes take besides `format` and the pagination's: the
# research FilterSet's (unknown ones are a 400, as on every route).
CHECK_FILTER_NAMES = tuple(ResearchCheckFilterSet.base_filters)


def _filtered(
    request: Request, queryset: QuerySet[ResearchCheck], view: APIView
) -> QuerySet[ResearchCheck]:
    return validated(ResearchCheckFilterSet, request, queryset, view).qs


class ResearchCheckFilterBackend(DjangoFilterBackend):
    """The research FilterSet, with its errors as a 400 that names each bad parameter (the
    unknown ones are refused before, by PublicAPIMixin.initial)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        return _filtered(request, queryset, view)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=["json", "csv", "geojson"],
            description="JSON (default), CSV (the export's columns), or GeoJSON points at the "
            "agency (or its first county's representative point).",
        )
    ]
)
class ResearchCheckViewSet(PublicViewSet):
    """Research checks: an agency searched for a technology, and what was found, including
    nothing ("none_found"). Only checks a moderator approved. Filters: the partnership filters
    that apply to a search (technology, state, county, agency_kind, q, as_of) plus outcome,
    checked_after, checked_before and stale."""

    serializer_class = ResearchCheckSerializer
    extra_parameters = CHECK_FILTER_NAMES
    filter_backends = [ResearchCheckFilterBackend]
    filterset_class = ResearchCheckFilterSet
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]
    sort_keys = {
        "id": ID,
        "checked": SortKey(("checked_date",), (dt.date,)),
        "agency": SortKey(("agency__name", "agency_id"), (str, int)),
        "state": SortKey(("agency__state_id", "agency_id"), (str, int)),
    }

    def get_queryset(self) -> QuerySet[ResearchCheck]:
        return check_list_public()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kind = request.accepted_renderer.format
        if kind not in {"csv", "geojson"}:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        if kind == "csv":
            return self.get_paginated_response([check_columns.check_row(c) for c in page])
        paginated = self.get_paginated_response([])
        points = centroids(Level.COUNTY)
        paginated.data = {
            "type": "FeatureCollection",
            "license": paginated.data["license"],
            "attribution": paginated.data["attribution"],
            "count": paginated.data["count"],
            "next": paginated.data["next"],
            "features": [check_feature(research_check, points) for research_check in page],
        }
        return paginated


class CheckExportView(PublicAPIMixin):
    """Every public check matching the filters, streamed."""

    pagination_class = None
    extra_parameters = CHECK_FILTER_NAMES
    # The whole-set exports' allowance, as the partnership exports have.
    throttle_classes = [ExportThrottle]
    # For the schema: the filters the export takes.
    filter_backends = [ResearchCheckFilterBackend]
    filterset_class = ResearchCheckFilterSet
    queryset = ResearchCheck.objects.none()
    export_format = "csv"

    def get(self, request: Request) -> HttpResponseBase:
        checks = _filtered(request, check_list_public(), self).order_by("pk")
        credits = check_credits(checks)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        if self.export_format == "csv":
            response = StreamingHttpResponse(
                (
                    line.encode()
                    for line in check_columns.csv_lines(checks.iterator(chunk_size=500))
                ),
                content_type="text/csv; charset=utf-8",
            )
        else:
            response = StreamingHttpResponse(
                (piece.encode() for piece in geojson_chunks(checks, credits)),
                content_type="application/geo+json",
            )
        filename = f"survmap-checks-{stamp}.{self.export_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        licensing.credit_response(response, credits)
        return response


@extend_schema(
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file")},
)
class CheckCSVExportView(CheckExportView):
    """Every public research check matching the filters as CSV (UTF-8 with BOM; cells
    neutralised against spreadsheet formulas)."""

    renderer_classes = [CSVRenderer]
    export_format = "csv"


@extend_schema(
    responses={
        (200, "application/geo+json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"
        )
    },
)
class CheckGeoJSONExportView(CheckExportView):
    """Every public research check matching the filters as a GeoJSON FeatureCollection."""

    renderer_classes = [GeoJSONRenderer]
    export_format = "geojson"


COVERAGE_CACHE_SECONDS = 24 * 60 * 60


class CoverageSerializer(serializers.Serializer):
    technology = serializers.CharField(help_text="Technology slug.")
    name = serializers.CharField(help_text="Technology name.")
    agencies = serializers.IntegerField(help_text="Public agencies in the selection.")
    recorded = serializers.IntegerField(help_text="Of them, with a public partnership.")
    checked = serializers.IntegerField(help_text="Of them, with a public research check.")
    found = serializers.IntegerField(help_text="Checked, newest check 'found'.")
    none_found = serializers.IntegerField(help_text="Checked, newest check 'none found'.")
    inconclusive = serializers.IntegerField(help_text="Checked, newest check 'inconclusive'.")
    stale = serializers.IntegerField(help_text="Checked, newest check stale.")
    not_researched = serializers.IntegerField(help_text="Neither recorded nor checked.")
    share_checked = serializers.FloatField(help_text="checked / agencies (0 to 1).")
    share_known = serializers.FloatField(help_text="(recorded or checked) / agencies (0 to 1).")


class RegionCoverageSerializer(serializers.Serializer):
    fips = serializers.CharField(help_text="Census FIPS code of the state (2) or county (5).")
    name = serializers.CharField(help_text="Name of the state or county.")
    state = serializers.CharField(help_text="USPS code of the state the region lies in.")
    agencies = serializers.IntegerField(
        help_text="Agencies there: the directory of US agencies and any with a public record "
        "(an agency serving several counties counts in each)."
    )
    recorded = serializers.IntegerField(
        help_text="Of them, with a public partnership (with the technologies asked for)."
    )
    checked = serializers.IntegerField(
        help_text="Of them, without one but with a public research check (of those technologies)."
    )
    none_found = serializers.IntegerField(
        help_text="Of the checked, with a check that looked and found none."
    )
    not_researched = serializers.IntegerField(help_text="Neither recorded nor checked.")
    directory = serializers.IntegerField(
        help_text="Of the agencies, those of the directory (with an ORI; credit the FBI "
        "Crime Data Explorer)."
    )


class CoverageView(PublicAPIMixin):
    """How much has been researched: for each technology, among the agencies of the selection
    (state, county, agency_kind; the directory of US agencies included), how many use it, how
    many were checked and with what outcome, and the share checked. `technology` limits the
    technologies listed. With `level` (state or county), a row per region instead: its
    agencies, how many have a recorded partnership, were checked without one, or are not
    researched."""

    pagination_class = None
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    extra_parameters = tuple(CoverageFilterSet.base_filters)
    # The filters, validated (and described in the schema) as on every route.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CoverageFilterSet
    queryset = Agency.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="Answer as JSON (the default) or CSV.",
            ),
        ],
        responses=PolymorphicProxySerializer(
            component_name="CoverageRow",
            serializers=[CoverageSerializer, RegionCoverageSerializer],
            resource_type_field_name=None,
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        filterset = validated(CoverageFilterSet, request, Agency.objects.all(), self)
        agencies, technologies = filterset.qs, filterset.technologies()
        level = filterset.chosen_level()
        # Counted once per data version and query: the national figures read every agency.
        params = sorted((name, sorted(values)) for name, values in request.query_params.lists())
        digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
        key = f"survmap:api:coverage:{data_version.current().token}:{digest}"
        answer = cache.get(key)
        if answer is None:
            if level is None:
                rows = [row.as_json() for row in coverage(agencies, technologies=technologies)]
                # The agencies counted include the directory's when it is loaded.
                directory = known_agencies(agencies).exclude(ori="").exists()
            else:
                regions = [
                    row
                    for row in coverage_by_region(
                        level, agencies, technologies=technologies
                    ).values()
                    if filterset.keeps_region(row.fips, row.state)
                ]
                rows = [row.as_json() for row in regions]
                directory = any(row.directory for row in regions)
            credits = sorted(
                {licensing.SURVMAP_CREDIT} | ({DIRECTORY_ATTRIBUTION} if directory else set())
            )
            answer = {"credits": credits, "rows": rows}
            cache.set(key, answer, COVERAGE_CACHE_SECONDS)
        return Response(
            {
                "license": licensing.license_info(answer["credits"]),
                "attribution": answer["credits"],
                "results": answer["rows"],
            }
        )
