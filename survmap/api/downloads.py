"""The downloads page: every dated release with its files, sizes and checksums."""

import datetime as dt

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from survmap.api import releases
from survmap.common import data_version


def release_list(request: HttpRequest) -> HttpResponse:
    version = data_version.current()
    return render(
        request,
        "api/downloads.html",
        {
            "releases": releases.list_releases(),
            "api_docs_url": reverse("api:docs"),
            "csv_url": reverse("api:export-partnerships-csv"),
            "geojson_url": reverse("api:export-partnerships-geojson"),
            # The live export is citable too (a fresh install has no release yet): by its
            # address, the data version it was drawn from and the day it was retrieved.
            "live_csv_url": request.build_absolute_uri(reverse("api:export-partnerships-csv")),
            "version": version.token,
            "version_date": version.last_modified,
            "today": dt.datetime.now(dt.UTC).date(),
            "licence": settings.SURVMAP_DATA_LICENSE,
        },
    )


def release_download(request: HttpRequest, name: str, filename: str) -> FileResponse:
    path = releases.release_file(name, filename)
    if path is None:
        raise Http404("No such release file.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{name}-{filename}")
    response["Cache-Control"] = "public, max-age=86400"
    return response
