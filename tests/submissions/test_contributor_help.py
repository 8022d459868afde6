"""Contributors are helped before sending: likely duplicates as they type, dates in common
forms (the forms shown up front, an ambiguous day and month questioned), errors tied to their
fields, a copy button for the status link, and a status page that says what happens next."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from survmap.submissions.models import Submission, SubmissionStatus
from tests.factories import AgencyFactory, PartnershipFactory, TechnologyFactory, VendorFactory
from tests.submissions.conftest import make_submission

pytestmark = pytest.mark.django_db


def test_the_duplicate_lookup_lists_the_published_partnerships_of_the_agency(client):
    agency = AgencyFactory(name="Gotham Police Department", state_id="NY")
    face = TechnologyFactory(name="Face recognition", slug="face-recognition")
    drones = TechnologyFactory(name="Drones", slug="drones")
    PartnershipFactory(agency=agency, technology=drones)
    same = PartnershipFactory(agency=agency, technology=face, vendor=VendorFactory(name="NEC"))
    PartnershipFactory(agency=agency, technology=TechnologyFactory(), sources=[])  # unpublished
    response = client.get(
        reverse("submissions:duplicate_lookup"),
        {"agency_name": "GOTHAM police department", "state": "ny", "technology": str(face.pk)},
    )
    rows = response.json()["partnerships"]
    assert [row["technology"] for row in rows] == ["Face recognition", "Drones"]
    assert rows[0]["same_technology"] and not rows[1]["same_technology"]
    assert rows[0]["vendor"] == "NEC"
    correction = reverse("submissions:correction") + f"?partnership={same.pk}"
    assert rows[0]["correction_url"] == correction


def test_the_duplicate_lookup_takes_a_picked_agency_and_says_nothing_without_one(client):
    partnership = PartnershipFactory()
    url = reverse("submissions:duplicate_lookup")
    picked = client.get(url, {"agency": str(partnership.agency_id)}).json()["partnerships"]
    assert [row["id"] for row in picked] == [partnership.pk]
    assert client.get(url, {"agency_name": "Nowhere", "state": ""}).json() == {"partnerships": []}
    assert client.get(url, {"agency": "99999999999999999999"}).json() == {"partnerships": []}


def test_the_form_loads_its_duplicate_script_and_names_the_accepted_dates_up_front(client):
    page = client.get(reverse("submissions:submit")).content.decode()
    assert "/static/submissions/duplicates.js" in page
    assert 'data-url="' + reverse("submissions:duplicate_lookup") + '"' in page
    assert 'id="id_start_text_helptext"' in page
    assert "Sept 8 2020" in page and "2020-09-08" in page
    assert 'aria-describedby="id_start_text_helptext"' in page


def test_dates_in_common_forms_are_accepted(client, tip):
    tip.update(start_text="Sept 8, 2020", end_text="09/2021", source_1_date="8 September 2020")
    response = client.post(reverse("submissions:submit"), tip, follow=True)
    assert response.status_code == 200
    submission = Submission.objects.get()
    assert (submission.start_date.isoformat(), submission.start_precision) == ("2020-09-08", "day")
    assert (submission.end_date.isoformat(), submission.end_precision) == ("2021-09-30", "month")
    assert submission.sources.get().published.isoformat() == "2020-09-08"


def test_an_ambiguous_day_and_month_is_questioned_next_to_its_field(client, tip):
    tip.update(start_text="09/08/2020")
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert not Submission.objects.exists()
    field = re.search(r"<input[^>]*name=\"start_text\"[^>]*>", html).group(0)
    # The input names the error's real id, so screen readers read it with the field.
    assert 'aria-describedby="id_start_text_helptext id_start_text_error"' in field
    assert 'aria-invalid="true"' in field
    error = re.search(r'<ul class="errorlist" id="id_start_text_error">(.*?)</ul>', html, re.S)
    assert "8 September 2020 or 9 August 2020" in error.group(1)
    assert 'value="09/08/2020"' in field  # what was typed is kept


def test_every_field_error_has_the_id_its_input_points_to(client, tip):
    tip.update(source_1_url="ftp://example.org/x", start_text="yesterday", agency_name="")
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    pointed = set(re.findall(r'aria-describedby="[^"]*?(id_\w+_error)"', html))
    assert {"id_source_1_url_error", "id_start_text_error", "id_agency_name_error"} <= pointed
    for error_id in pointed:
        assert f'id="{error_id}"' in html, error_id


def test_the_confirmation_offers_to_copy_the_status_link_and_says_what_happens_next(client, tip):
    html = client.post(reverse("submissions:submit"), tip, follow=True).content.decode()
    assert '<button type="button" id="copy-status-link" hidden>Copy the link</button>' in html
    assert "/static/submissions/copy_link.js" in html
    assert "What happens next" in html
    assert Submission.objects.get().token in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (SubmissionStatus.PENDING, "A moderator reads your sources"),
        (SubmissionStatus.REJECTED, "send a new tip"),
    ],
)
def test_the_status_page_says_what_happens_next(client, status, words):
    submission = make_submission(status=status, decision_reason="No source shows it.")
    html = client.get(reverse("submissions:status", args=[submission.token])).content.decode()
    assert "What happens next" in html
    assert words in html


def test_an_approved_status_page_links_to_the_published_record(client, bob):
    from survmap.submissions.services import submission_approve

    submission = submission_approve(submission=make_submission(), moderator=bob)
    html = client.get(reverse("submissions:status", args=[submission.token])).content.decode()
    assert f'href="{submission.result_partnership.get_absolute_url()}"' in html
    assert "It is on the public record now" in html
