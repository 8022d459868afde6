"""The public form: it works without JavaScript, keeps what was typed, refuses bad sources, and
stores a tip without publishing anything."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from survmap.records.models import Agency, Partnership, Source
from survmap.submissions.models import Submission, SubmissionKind, SubmissionStatus
from tests.factories import AgencyFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_the_form_renders_without_javascript_with_a_csrf_token_and_a_hidden_honeypot(client):
    html = client.get(reverse("submissions:submit")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="agency_name"' in html
    assert 'name="source_1_url"' in html
    assert '<div hidden aria-hidden="true">' in html and 'name="website"' in html


def test_a_valid_tip_is_stored_pending_and_ends_on_a_private_link(client, tip):
    response = client.post(reverse("submissions:submit"), tip, follow=True)
    assert response.status_code == 200
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.PENDING
    assert submission.kind == SubmissionKind.NEW_PARTNERSHIP
    assert submission.agency_name == "Gotham Police Department"
    assert submission.start.display() == "March 2020"
    assert submission.vendor_name == "Clearview AI"
    assert submission.contributor_email == "carol@example.org"
    assert [s.url for s in submission.sources.all()] == [tip["source_1_url"]]
    assert reverse("submissions:status", args=[submission.token]) in response.content.decode()
    # Nothing public was written.
    assert not Agency.objects.exists()
    assert not Partnership.objects.exists()
    assert not Source.objects.exists()


def test_csrf_is_enforced_on_the_form(tip):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("submissions:submit"), tip, follow=True).status_code == 403
    assert not Submission.objects.exists()


def _error_for(html: str, field: str) -> bool:
    return f'id="id_{field}_error"' in html


def test_errors_sit_next_to_their_fields_and_everything_typed_is_kept(client, tip):
    tip.update(
        agency_name="",
        start_text="the thirty-second of Smarch",
        source_1_url="",
        source_1_title="A title without an address",
    )
    response = client.post(reverse("submissions:submit"), tip, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert _error_for(html, "agency_name")
    assert _error_for(html, "start_text")
    assert _error_for(html, "source_1_url")
    # Each error list sits inside its field's block.
    block = html[html.index('id="field-start_text"') :]
    assert block.index('id="id_start_text_error"') < block.index('id="field-end_text"')
    assert 'value="the thirty-second of Smarch"' in html
    assert 'value="A title without an address"' in html
    assert "The council approved a contract." in html
    assert 'value="carol@example.org"' in html
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/a.pdf",
        "file:///etc/passwd",
    ],
)
def test_a_source_that_is_not_http_is_refused_with_a_field_error(client, tip, url):
    tip["source_1_url"] = url
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert _error_for(html, "source_1_url")
    assert "http:// or https://" in html
    assert not Submission.objects.exists()


def test_at_least_one_source_is_required(client, tip):
    tip["source_1_url"] = ""
    tip["source_1_title"] = ""
    tip["source_1_date"] = ""
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert "Give at least one source" in html
    assert not Submission.objects.exists()


def test_every_field_has_a_size_limit(client, tip):
    tip["agency_name"] = "x" * 201
    tip["description"] = "y" * 2001
    tip["source_1_url"] = "https://example.org/" + "z" * 2000
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    for field in ("agency_name", "description", "source_1_url"):
        assert _error_for(html, field)
    assert not Submission.objects.exists()


def test_other_technology_needs_a_name(client, tip):
    tip["technology"] = "other"
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert _error_for(html, "technology_other")
    tip["technology_other"] = "Acoustic drones"
    client.post(reverse("submissions:submit"), tip, follow=True)
    submission = Submission.objects.get()
    assert submission.technology is None
    assert submission.technology_other == "Acoustic drones"


def test_an_end_before_the_start_is_refused(client, tip):
    tip.update(start_text="2021", end_text="2019")
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert _error_for(html, "end_text")


def test_without_javascript_similar_agencies_are_offered_to_pick_from(client, tip):
    known = PartnershipFactory(
        agency=AgencyFactory(name="Gotham City Police", state_id="NY", city="Gotham")
    ).agency
    response = client.post(reverse("submissions:submit"), tip, follow=True)
    html = response.content.decode()
    assert _error_for(html, "agency_name")
    assert f'name="agency" value="{known.pk}"' in html
    assert not Submission.objects.exists()

    # Picking the match links the tip to the existing agency.
    client.post(reverse("submissions:submit"), {**tip, "agency": str(known.pk)}, follow=True)
    assert Submission.objects.get().agency == known


def test_without_javascript_a_new_agency_can_be_confirmed(client, tip):
    PartnershipFactory(agency=AgencyFactory(name="Gotham Police Dept", state_id="NY"))
    client.post(reverse("submissions:submit"), {**tip, "agency_is_new": "on"}, follow=True)
    submission = Submission.objects.get()
    assert submission.agency is None
    assert submission.agency_name == "Gotham Police Department"


def test_the_agency_lookup_lists_only_public_agencies_as_json(client):
    public = PartnershipFactory(agency=AgencyFactory(name="Warren Police Department")).agency
    PartnershipFactory(sources=[], agency=AgencyFactory(name="Warren Hidden Police"))
    response = client.get(reverse("submissions:agency_lookup"), {"q": "Warren"})
    assert response["Content-Type"] == "application/json"
    assert [a["id"] for a in response.json()["agencies"]] == [public.pk]


def test_the_form_serves_its_lookup_script_from_our_own_static_files(client):
    html = client.get(reverse("submissions:submit")).content.decode()
    assert "/static/submissions/agency_lookup.js" in html
    head = html.split("<body>")[0].replace("http://www.w3.org", "")
    # Our own address (the page's og:url) is the only one the head may name.
    assert "http://" not in head.replace("http://testserver/", "")


def test_a_tampered_agency_id_is_refused_next_to_the_agency(client, tip):
    hidden = PartnershipFactory(sources=[]).agency
    html = client.post(
        reverse("submissions:submit"), {**tip, "agency": str(hidden.pk)}
    ).content.decode()
    assert 'id="id_agency_error"' in html
    assert not Submission.objects.exists()


def test_the_exact_name_of_a_listed_agency_picks_it(client, tip):
    known = PartnershipFactory(
        agency=AgencyFactory(name="Sterling Heights Police Department", state_id="MI")
    ).agency
    PartnershipFactory(agency=AgencyFactory(name="Sterling Heights Fire Department", state_id="MI"))
    typed = {**tip, "agency_name": "Sterling Heights Police Department", "agency_state": "MI"}
    response = client.post(reverse("submissions:submit"), typed)
    assert response.status_code == 302
    assert Submission.objects.get().agency == known


def test_a_tip_ends_on_a_thank_you_page_that_a_reload_does_not_send_again(client, tip):
    response = client.post(reverse("submissions:submit"), tip)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:thanks", args=[submission.token])
    for _reload in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200 and "Thank you" in page.content.decode()
    assert Submission.objects.count() == 1
    assert client.get(reverse("submissions:thanks", args=["no-such-token"])).status_code == 404
