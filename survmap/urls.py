"""survmap's URL map: the public site, then the moderators' admin."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "survmap moderation"
admin.site.site_title = "survmap moderation"
admin.site.index_title = "Records, sources and their history"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("survmap.api.urls")),
    path("downloads/", include("survmap.api.download_urls")),
    path("", include("survmap.web.urls")),
    path("", include("survmap.submissions.urls")),
    path("", include("survmap.research.urls")),
    path("", include("survmap.changelog.urls")),
]
