"""/downloads/: the dated releases and their files."""

from django.urls import path

from survmap.api import downloads

app_name = "downloads"

urlpatterns = [
    path("", downloads.release_list, name="list"),
    path("<str:name>/<str:filename>", downloads.release_download, name="file"),
]
