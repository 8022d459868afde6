"""/api/v1/: a landing page, the router's read-only resources, region counts, whole-set
exports, schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from survmap.api import checks, landing, views
from survmap.api import sharing as sharing_api

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("technologies", views.TechnologyViewSet, basename="technology")
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register("sources", views.SourceViewSet, basename="source")
router.register("policy-events", views.PolicyEventViewSet, basename="policyevent")
router.register("checks", checks.ResearchCheckViewSet, basename="check")
router.register("sharing", sharing_api.SharingViewSet, basename="sharing")

urlpatterns = [
    path("regions/", views.RegionCountsView.as_view(), name="regions"),
    path(
        "export/partnerships.csv",
        views.PartnershipCSVExportView.as_view(),
        name="export-partnerships-csv",
    ),
    path(
        "export/partnerships.geojson",
        views.PartnershipGeoJSONExportView.as_view(),
        name="export-partnerships-geojson",
    ),
    path("coverage/", checks.CoverageView.as_view(), name="coverage"),
    path("export/checks.csv", checks.CheckCSVExportView.as_view(), name="export-checks-csv"),
    path(
        "export/checks.geojson",
        checks.CheckGeoJSONExportView.as_view(),
        name="export-checks-geojson",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a file-like address: no inline code under our CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            template_name="api/swagger_ui.html",
            # GET only: OPTIONS would render DRF's metadata through the HTML template (a 500).
            http_method_names=["get", "head"],
        ),
        name="docs",
    ),
    path("", landing.api_root, name="root"),
    path("", include(router.urls)),
]
