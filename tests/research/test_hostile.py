"""Hostile values in every field of a report: refused where invalid (with the form kept, not a
500), cleaned where they are merely dirty, and shown as inert text everywhere once public."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from survmap.common.dates import PartialDate
from survmap.research.forms import CHECKLIST
from survmap.research.models import CheckSource, RecordsRequest, ResearchCheck
from survmap.research.services import (
    ConsultedSource,
    RequestInput,
    check_approve,
    check_submit,
)
from survmap.submissions.models import Submission
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory
from tests.research.conftest import make_task

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HUGE = "x" * 10_240
CONTROL = "a\x00b\x07c\x1b[31md\x7f"
TEXT_FIELDS = [
    "checked_on",
    "summary",
    "vendor_name",
    "request_reference",
    "request_url",
    "request_filed",
    "request_answered",
    "request_summary",
    "credit_name",
    "contributor_email",
    *[f"{kind}_{part}" for kind, _hint in CHECKLIST for part in ("url", "notes")],
]
URL_FIELDS = ["request_url", *[f"{kind}_url" for kind, _hint in CHECKLIST]]


def _valid() -> dict[str, str]:
    return {
        "outcome": "none_found",
        "checked_on": "2026-06",
        "summary": "Searched.",
        "council_agenda_url": "https://city.example.gov/agendas",
        "request_answer": "awaiting",
        "website": "",
    }


@pytest.fixture
def claim_url(client: Client) -> str:
    task = make_task()
    response = client.post(reverse("research:claim", args=[task.pk]))
    return response["Location"]


@pytest.mark.parametrize("field", [*TEXT_FIELDS, "outcome", "request_answer", "vendor"])
def test_a_10_kb_value_in_any_field_is_refused_with_the_form_kept(client, claim_url, field):
    data = _valid()
    data["request_reference"] = "R-1"
    data[field] = HUGE
    response = client.post(claim_url, data)
    assert response.status_code == 200
    assert "Please correct the fields marked below" in response.content.decode()
    assert not ResearchCheck.objects.exists()


@pytest.mark.parametrize("field", URL_FIELDS)
@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "https://a.example/\r\nSet-Cookie: x=1"],
)
def test_no_address_but_http_is_ever_stored(client, claim_url, field, address):
    data = _valid()
    data["request_reference"] = "R-1"
    data[field] = address
    response = client.post(claim_url, data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ResearchCheck.objects.exists()


@pytest.mark.parametrize("field", [f for f in TEXT_FIELDS if f not in URL_FIELDS])
def test_control_characters_in_any_field_never_reach_the_database(client, claim_url, field):
    data = _valid()
    data["request_reference"] = "R-1"
    if field in {"checked_on", "request_filed", "request_answered", "contributor_email"}:
        data[field] = "2026-06\x07" if field == "checked_on" else CONTROL
    else:
        data[field] = CONTROL
    response = client.post(claim_url, data)
    # Either refused (a date or an email with a bell in it, a NUL) or cleaned: never a 500.
    assert response.status_code == 200
    stored = [
        value
        for model in (ResearchCheck, CheckSource, RecordsRequest, Submission)
        for row in model.objects.values()
        for value in row.values()
        if isinstance(value, str)
    ]
    assert not any(ch in value for value in stored for ch in "\x00\x07\x1b\x7f")


def test_services_clean_control_characters_and_line_breaks_at_the_model_layer():
    research_check = check_submit(
        agency=AgencyFactory(),
        technology=TechnologyFactory(),
        outcome="none_found",
        checked_on=PartialDate(2026, 6),
        summary="line one\r\nline two\x1b[0m\u202e",
        credit_name="Dana\r\nSet-Cookie: x\x00",
        sources=[ConsultedSource(url="https://a.example/", notes="ok\x07\nnext")],
        records_requests=[RequestInput(reference="R\x00-1\r\n", answer_summary="fine\x1b")],
    )
    research_check.refresh_from_db()
    assert research_check.summary == "line one\nline two[0m"
    assert research_check.credit_name == "Dana Set-Cookie: x"
    assert research_check.sources.get().notes == "ok next"
    assert research_check.records_requests.get().reference == "R-1"


def test_services_refuse_hostile_addresses_and_oversized_text_whole():
    agency, technology = AgencyFactory(), TechnologyFactory()
    for bad in (
        {"sources": [ConsultedSource(url="javascript:alert(1)")]},
        {"sources": [ConsultedSource(url="https://a.example/\x00")]},
        {"sources": [ConsultedSource(url="https://a.example/", notes=HUGE)]},
        {"summary": HUGE, "sources": [ConsultedSource(url="https://a.example/")]},
        {"credit_name": HUGE, "sources": [ConsultedSource(url="https://a.example/")]},
        {"records_requests": [RequestInput(reference="R", url="javascript:alert(1)")]},
    ):
        with pytest.raises(ValidationError):
            check_submit(
                agency=agency,
                technology=technology,
                outcome="none_found",
                checked_on=PartialDate(2026),
                **bad,  # type: ignore[arg-type]
            )
    assert not ResearchCheck.objects.exists()
    assert not CheckSource.objects.exists()


def test_a_published_hostile_check_is_inert_on_pages_api_and_csv(client, bob):
    agency = AgencyFactory(counties=["26099"])
    PartnershipFactory(agency=agency)
    research_check = check_submit(
        agency=agency,
        technology=TechnologyFactory(),
        outcome="none_found",
        checked_on=PartialDate(2026, 6),
        summary=f"{SCRIPT} summary",
        credit_name='=HYPERLINK("http://evil.example")',
        sources=[ConsultedSource(url="https://a.example/?q=<script>", notes=SCRIPT)],
        records_requests=[RequestInput(reference=SCRIPT, answer_summary=SCRIPT)],
    )
    check_approve(research_check=research_check, moderator=bob)
    for url in (
        reverse("web:agency", args=[agency.pk]),
        reverse("web:region", args=["26099"]),
        reverse("admin:research_researchcheck_decide", args=[research_check.pk]),
    ):
        viewer = Client()
        if "admin" in url:
            viewer.force_login(bob)
        html = viewer.get(url).content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    response = client.get(reverse("api:export-checks-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["credit"].startswith("'=")
    listing = client.get(reverse("api:check-list"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in listing
