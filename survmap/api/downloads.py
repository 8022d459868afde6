"""The downloads page: every dated release with its files, sizes and checksums."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from survmap.api import releases


def release_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api/downloads.html",
        {
            "releases": releases.list_releases(),
            "api_docs_url": reverse("api:docs"),
            "csv_url": reverse("api:export-partnerships-csv"),
            "geojson_url": reverse("api:export-partnerships-geojson"),
        },
    )


def release_download(request: HttpRequest, name: str, filename: str) -> FileResponse:
    path = releases.release_file(name, filename)
    if path is None:
        raise Http404("No such release file.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{name}-{filename}")
    response["Cache-Control"] = "public, max-age=86400"
    return response
