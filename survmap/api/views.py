"""The public API: read-only lists and details of what is public, the region counts, and the
whole-set CSV and GeoJSON downloads. Every answer is cacheable, conditional and credited."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from survmap.api import exports, licensing, releases, versioning
from survmap.api.errors import BadParameter
from survmap.api.pagination import CURSOR_PARAM, ID, KeysetPagination, SortKey
from survmap.api.renderers import ContentNegotiation, CSVRenderer, GeoJSONRenderer
from survmap.api.serializers import (
    AgencySerializer,
    FastPartnershipSerializer,
    PolicyEventSerializer,
    RegionCountSerializer,
    SourceSerializer,
    TechnologySerializer,
    VendorSerializer,
)
from survmap.api.throttling import ExportThrottle
from survmap.geo.boundaries import Level, centroids, feature_collection
from survmap.geo.models import County, State
from survmap.maps.regions import region_counts
from survmap.records import rows
from survmap.records.csv_format import partnership_row
from survmap.records.filters import (
    FILTER_NAMES,
    AgencyFilterSet,
    AnyFilterSet,
    InvalidQuery,
    PartnershipFilterSet,
    unknown_parameters,
    validated_filterset,
)
from survmap.records.models import Agency, Partnership, PolicyEvent, Source, Technology, Vendor
from survmap.records.selectors import partnership_list_public
from survmap.records.sorting import PARTNERSHIP_SORT_KEYS

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="Answer as JSON (the default) or CSV (the rows of this page).",
)


def validated(
    filterset_class: type[AnyFilterSet],
    request: Request | HttpRequest,
    queryset: QuerySet,
    view: APIView,
) -> AnyFilterSet:
    """The one validate-or-refuse step (records.filters.validated_filterset) for an API view:
    the FilterSet bound to the query, or a 400 naming each bad parameter."""
    also = view.query_parameters() if isinstance(view, PublicAPIMixin) else set()
    try:
        return validated_filterset(filterset_class, request.GET, queryset, also=also)
    except InvalidQuery as problem:
        raise ValidationError(problem.errors) from None


def _filtered(
    request: Request | HttpRequest, queryset: QuerySet[Partnership], view: APIView
) -> QuerySet[Partnership]:
    """`queryset` narrowed by the query's filters (the one FilterSet), or a 400."""
    return validated(PartnershipFilterSet, request, queryset, view).qs


def _public_partnerships_filtered(
    request: Request | HttpRequest, view: APIView
) -> QuerySet[Partnership]:
    """Public partnerships matching the query's filters, or a 400 naming the bad parameters."""
    return _filtered(request, Partnership.objects.public(), view)


class PublicAPIMixin(APIView):
    """Read-only, anonymous, cached for a few minutes, conditional (ETag, Last-Modified)."""

    pagination_class: type[BasePagination] | None = KeysetPagination
    content_negotiation_class: type[BaseContentNegotiation] = ContentNegotiation
    renderer_classes: Sequence[type[renderers.BaseRenderer]] = [
        renderers.JSONRenderer,
        CSVRenderer,
    ]

    # Query parameters the view takes besides `format` and, where they apply, the pagination's
    # and the partnership filters'; any other is a 400 naming it.
    extra_parameters: tuple[str, ...] = ()
    takes_filters = False

    def query_parameters(self) -> set[str]:
        allowed = {"format", *self.extra_parameters}
        if getattr(self, "action", None) == "retrieve":
            return allowed
        if self.pagination_class is not None:
            allowed |= {CURSOR_PARAM, KeysetPagination.page_size_query_param, "ordering"}
        if self.takes_filters:
            allowed |= FILTER_NAMES
        return allowed

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        unknown = unknown_parameters(request.query_params, self.query_parameters())
        if unknown:
            raise ValidationError(unknown)

    @method_decorator(versioning.conditional)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # The ETag depends on the Accept header (JSON, CSV or GeoJSON): so must shared caches.
        patch_vary_headers(response, ["Accept"])
        if response.status_code < 400:
            patch_cache_control(response, public=True, max_age=settings.SURVMAP_API_MAX_AGE)
            data = getattr(response, "data", None)
            credits = data.get("attribution") if isinstance(data, dict) else None
            if not response.has_header("Link"):
                response["Link"] = licensing.link_header(credits or [licensing.SURVMAP_CREDIT])
        return response


class PublicViewSet(PublicAPIMixin, viewsets.ReadOnlyModelViewSet):
    """A list and a detail per record; the detail's Link header names the licence of what it
    shows, the credits of its agency and sources included (as list pages and exports do)."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        credits = sorted({licensing.SURVMAP_CREDIT} | licensing.row_credits(instance))
        response["Link"] = licensing.link_header(credits)
        return response


class PartnershipFilterBackend(DjangoFilterBackend):
    """The one FilterSet, with its errors as a 400 that names each bad parameter."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        return _filtered(request, queryset, view)


@extend_schema(parameters=[FORMAT_PARAMETER])
class PartnershipViewSet(PublicViewSet):
    """Partnerships between an agency and a surveillance technology (and its vendor), each with
    the sources that show it."""

    serializer_class = FastPartnershipSerializer
    takes_filters = True
    filter_backends = [PartnershipFilterBackend]
    filterset_class = PartnershipFilterSet
    sort_keys = PARTNERSHIP_SORT_KEYS

    def get_queryset(self) -> QuerySet[Partnership]:
        return partnership_list_public()

    def rows_by_id(self, ids: list[int]) -> dict[int, rows.PartnershipRow]:
        """A list page's partnerships as light rows (see records.rows): the same output as
        model instances at a fraction of the cost."""
        return rows.partnerships_by_id(ids)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        # CSV rows in survmap's own CSV format, the same columns as the full export.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response([partnership_row(row) for row in page])


class _AgencyListFilters(PartnershipFilterSet):
    """For the schema only: the agency list's parameters, the partnership filters and the
    agency's own (AgencyFilterSet filters the list)."""

    ori = AgencyFilterSet.base_filters["ori"]
    has_partnerships = AgencyFilterSet.base_filters["has_partnerships"]
    # The schema generator reads a method filter's value type from its method.
    filter_ori = AgencyFilterSet.filter_ori
    filter_has_partnerships = AgencyFilterSet.filter_has_partnerships


class AgencyFilterBackend(DjangoFilterBackend):
    """The listed agencies by place, kind, ORI and their public partnerships (AgencyFilterSet:
    the map's question, "which agencies use Ring in Michigan?", with the map's parameters)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        return validated(AgencyFilterSet, request, queryset, view).qs

    def get_filterset_class(self, view: APIView, queryset: QuerySet | None = None) -> Any:
        return _AgencyListFilters


@extend_schema(
    parameters=[
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=["json", "csv", "geojson"],
            description=(
                "JSON (default), CSV, or GeoJSON points: at the agency where its coordinates "
                "are known, else at its first county's representative point "
                "(property location_source says which)."
            ),
        )
    ]
)
class AgencyViewSet(PublicViewSet):
    """Agencies survmap lists: those with a public partnership and those of the directory of
    US agencies (the FBI Crime Data Explorer's list, each with its ORI), most with nothing
    recorded. `ori` finds one by its ORI; `has_partnerships` keeps those with (true) or without
    (false) a public partnership. Partnership filters (technology, vendor, status, dates, q)
    select the agencies that have a matching partnership; place and kind filters apply to the
    agency. `ordering` takes id, agency (name) or state."""

    serializer_class = AgencySerializer
    takes_filters = True
    extra_parameters = ("ori", "has_partnerships")
    filter_backends = [AgencyFilterBackend]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]
    sort_keys = {
        "id": ID,
        "agency": SortKey(("name",), (str,)),
        "state": SortKey(("state_id",), (str,)),
    }

    def get_queryset(self) -> QuerySet[Agency]:
        return Agency.objects.listed().select_related("state").prefetch_related("counties")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.accepted_renderer.format != "geojson":
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        paginated = self.get_paginated_response(self.get_serializer(page, many=True).data)
        county_points = centroids(Level.COUNTY)
        features = []
        for agency, properties in zip(page, paginated.data["results"], strict=True):
            geometry, location_source = exports.agency_point(agency, county_points)
            features.append(
                {
                    "type": "Feature",
                    "id": agency.pk,
                    "geometry": geometry,
                    "properties": {**properties, "location_source": location_source},
                }
            )
        paginated.data = {
            "type": "FeatureCollection",
            "license": paginated.data["license"],
            "attribution": paginated.data["attribution"],
            "count": paginated.data["count"],
            "next": paginated.data["next"],
            "features": features,
        }
        return paginated


@extend_schema(parameters=[FORMAT_PARAMETER])
class TechnologyViewSet(PublicViewSet):
    """Technologies that appear in at least one public partnership or policy event."""

    serializer_class = TechnologySerializer
    sort_keys = {"id": ID, "name": SortKey(("name",), (str,))}

    def get_queryset(self) -> QuerySet[Technology]:
        return Technology.objects.public()


@extend_schema(parameters=[FORMAT_PARAMETER])
class VendorViewSet(PublicViewSet):
    """Vendors that appear in at least one public partnership or policy event."""

    serializer_class = VendorSerializer
    sort_keys = {"id": ID, "name": SortKey(("name",), (str,))}

    def get_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.public()


@extend_schema(parameters=[FORMAT_PARAMETER])
class SourceViewSet(PublicViewSet):
    """Documents cited by a public partnership or policy event."""

    serializer_class = SourceSerializer
    sort_keys = {
        "id": ID,
        "published": SortKey(("published_date",), (dt.date,), nulls=(dt.date.min,)),
    }

    def get_queryset(self) -> QuerySet[Source]:
        return Source.objects.public()


@extend_schema(parameters=[FORMAT_PARAMETER])
class PolicyEventViewSet(PublicViewSet):
    """Decisions that changed many partnerships at once: moratoriums, bans, cancellations."""

    serializer_class = PolicyEventSerializer
    sort_keys = {"id": ID, "date": SortKey(("date",), (dt.date,))}

    def get_queryset(self) -> QuerySet[PolicyEvent]:
        return (
            PolicyEvent.objects.public()
            .select_related("vendor", "technology")
            .prefetch_related(
                Prefetch("partnerships", queryset=Partnership.objects.public().order_by("pk")),
                Prefetch("sources", queryset=Source.objects.order_by("published_date", "pk")),
            )
        )


LEVEL_PARAMETER = OpenApiParameter(
    "level",
    OpenApiTypes.STR,
    enum=[Level.STATE.value, Level.COUNTY.value],
    description="Count per state (default) or per county.",
)


class RegionCountsView(PublicAPIMixin):
    """How many agencies in each state or county have a public partnership matching the
    filters. As GeoJSON, every region is a simplified WGS84 polygon with its count."""

    pagination_class = None
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]
    takes_filters = True
    extra_parameters = ("level",)
    filter_backends = [PartnershipFilterBackend]
    filterset_class = PartnershipFilterSet
    queryset = Partnership.objects.none()

    @extend_schema(
        parameters=[
            LEVEL_PARAMETER,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv", "geojson"],
                description="JSON (default), CSV, or GeoJSON polygons with counts.",
            ),
        ],
        responses=RegionCountSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        raw_level = request.query_params.get("level", Level.STATE.value)
        if raw_level not in {Level.STATE.value, Level.COUNTY.value}:
            raise BadParameter("level", "Choose 'state' or 'county'.")
        level = Level(raw_level)
        partnerships = _public_partnerships_filtered(request, self)
        counts = region_counts(partnerships, level)
        credits = licensing.attributions(partnerships)
        head = {
            "level": level.value,
            "license": licensing.license_info(credits),
            "attribution": credits,
        }
        if request.accepted_renderer.format == "geojson":
            collection = copy.deepcopy(feature_collection(level))
            for feature in collection["features"]:
                feature["properties"]["agencies"] = counts.get(feature["properties"]["fips"], 0)
            return Response({**head, **collection})
        if level == Level.STATE:
            names = {s.fips: (s.name, s.code) for s in State.objects.filter(fips__in=counts)}
        else:
            names = {
                c.fips: (c.full_name, c.state_id) for c in County.objects.filter(fips__in=counts)
            }
        results = [
            {"fips": fips, "name": names[fips][0], "state": names[fips][1], "agencies": n}
            for fips, n in sorted(counts.items())
            if fips in names
        ]
        return Response({**head, "results": results})


class ExportView(PublicAPIMixin):
    """The whole filtered set of public partnerships, streamed (constant memory)."""

    pagination_class = None
    takes_filters = True
    throttle_classes = [ExportThrottle]
    filter_backends = [PartnershipFilterBackend]
    filterset_class = PartnershipFilterSet
    queryset = Partnership.objects.none()
    export_format = "csv"

    def _partnerships(self, request: Request) -> QuerySet[Partnership]:
        return _filtered(request, partnership_list_public(), self).order_by("pk")

    def release_file(self, request: Request | HttpRequest) -> tuple[str, Path] | None:
        """For an unfiltered export, the latest release's file of this format (its name and
        path), when there is a release: the same rows, written once instead of per request."""
        if set(request.GET) - {"format"}:
            return None
        name = releases.CSV_NAME if self.export_format == "csv" else releases.GEOJSON_NAME
        for release in releases.list_releases():
            path = releases.release_file(release.name, name)
            if path is not None:
                return release.name, path
        return None

    def get(self, request: Request) -> HttpResponseBase:
        released = self.release_file(request)
        if released is not None:
            return self._from_release(*released)
        partnerships = self._partnerships(request)
        credits = licensing.attributions(partnerships)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        if self.export_format == "csv":
            response = StreamingHttpResponse(
                (line.encode("utf-8") for line in exports.csv_lines(partnerships)),
                content_type="text/csv; charset=utf-8",
            )
        else:
            response = StreamingHttpResponse(
                (piece.encode("utf-8") for piece in exports.geojson_chunks(partnerships, credits)),
                content_type="application/geo+json",
            )
        filename = f"survmap-partnerships-{stamp}.{self.export_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        licensing.credit_response(response, credits)
        return response

    def _from_release(self, name: str, path: Path) -> HttpResponseBase:
        content_type = (
            "text/csv; charset=utf-8" if self.export_format == "csv" else "application/geo+json"
        )
        response = FileResponse(
            path.open("rb"),
            content_type=content_type,
            as_attachment=True,
            filename=f"survmap-partnerships-{name}.{self.export_format}",
        )
        # Which snapshot this is; filter (or use the list API) for rows changed since.
        response["X-Survmap-Release"] = name
        licensing.credit_response(response, licensing.attributions(Partnership.objects.public()))
        return response


@extend_schema(
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file")},
)
class PartnershipCSVExportView(ExportView):
    """Every public partnership matching the filters as survmap's CSV (UTF-8 with BOM; cells
    neutralised against spreadsheet formulas; licence in the Link header and the attribution
    column)."""

    renderer_classes = [CSVRenderer]
    export_format = "csv"


@extend_schema(
    responses={
        (200, "application/geo+json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"
        )
    },
)
class PartnershipGeoJSONExportView(ExportView):
    """Every public partnership matching the filters as a GeoJSON FeatureCollection (RFC 7946):
    a point at the agency, or at its county's representative point (location_source)."""

    renderer_classes = [GeoJSONRenderer]
    export_format = "geojson"
