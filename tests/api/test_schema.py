"""The OpenAPI schema documents every field and parameter, and the docs page is ours alone."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


def _schema(client: Client) -> dict[str, Any]:
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _undescribed(schema: dict[str, Any], where: str) -> list[str]:
    missing = []
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("description"):
            missing.append(f"{where}.{name}")
        missing += _undescribed(prop, f"{where}.{name}")
        if isinstance(prop.get("items"), dict):
            missing += _undescribed(prop["items"], f"{where}.{name}[]")
    return missing


def test_schema_lists_every_endpoint(client: Client, db: None) -> None:
    schema = _schema(client)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for name in (
        "api:partnership-list",
        "api:agency-list",
        "api:technology-list",
        "api:vendor-list",
        "api:source-list",
        "api:policyevent-list",
        "api:regions",
        "api:export-partnerships-csv",
        "api:export-partnerships-geojson",
    ):
        assert reverse(name) in paths
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert all("post" not in item for item in schema["paths"].values())
    assert len(operations) >= 15


def test_every_field_in_the_schema_is_described(client: Client, db: None) -> None:
    schema = _schema(client)
    missing = []
    for name, component in schema["components"]["schemas"].items():
        if "enum" in component:
            continue
        missing += _undescribed(component, name)
    assert missing == []


def test_every_query_parameter_is_described(client: Client, db: None) -> None:
    schema = _schema(client)
    missing = [
        f"{path} {method} {param['name']}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for param in operation.get("parameters", [])
        if not param.get("description")
    ]
    assert missing == []
    list_parameters = {
        param["name"]
        for param in schema["paths"][reverse("api:partnership-list")]["get"]["parameters"]
    }
    assert {"technology", "vendor", "status", "state", "county", "agency_kind", "as_of", "q"} <= (
        list_parameters
    )
    assert {"start_after", "end_before", "ordering", "cursor", "format"} <= list_parameters


def test_docs_page_loads_nothing_from_third_party_hosts(client: Client, db: None) -> None:
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert references
    # The way back to the site: links to our own pages, not resources the page loads.
    site_links = {reverse("web:home"), reverse("api:root") + "?format=html"}
    assert site_links <= set(references)
    for reference in references:
        assert reference.startswith("/"), reference
        assert not reference.startswith("//"), reference
        if reference in site_links:
            continue
        if not reference.startswith("/static/"):
            # The page's own script, served from the docs address (no inline code).
            script = client.get(reference.replace("&amp;", "&"))
            assert script.status_code == 200, reference
            assert script["Content-Type"].startswith("application/javascript")
            continue
        path = reference.removeprefix("/static/")
        assert finders.find(path), f"{reference} is not one of our static files"
    hosts = re.findall(r"https?://([^/\"'\s)]+)", page)
    assert hosts == [], hosts


def test_docs_page_has_no_inline_script_or_style_for_the_csp_to_block(
    client: Client, db: None
) -> None:
    page = client.get(reverse("api:docs")).content.decode()
    assert "<style" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
