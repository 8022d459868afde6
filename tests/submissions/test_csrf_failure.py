"""A form posted after its CSRF cookie expired gets a page in the site's style that keeps what
was typed, and from our own page can be sent again; a cross-site post is never re-armed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from survmap.submissions.models import Submission

pytestmark = pytest.mark.django_db


def test_an_expired_token_keeps_what_was_typed_and_sends_it_again(tip):
    client = Client(enforce_csrf_checks=True)
    tip = {**tip, "description": "Line one.\nLine <two> & three."}
    # No cookie any more (it expired), the page was ours.
    response = client.post(
        reverse("submissions:submit"), tip, HTTP_ORIGIN="http://testserver", follow=True
    )
    assert response.status_code == 403
    assert "csrf_failure.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Your form was not sent" in html and "<h1>" in html
    assert "survmap.css" in html  # the site's own style, not Django's technical page
    assert "Line &lt;two&gt; &amp; three." in html
    assert "Gotham Police Department" in html
    assert "Send it again" in html
    assert response["Cache-Control"] == "no-store"
    assert not Submission.objects.exists()
    # The page set a fresh cookie; its form carries the typed values and a matching token.
    token = response.context["csrf_token"]
    again = dict(tip, csrfmiddlewaretoken=str(token))
    sent = client.post(
        reverse("submissions:submit"), again, HTTP_ORIGIN="http://testserver", follow=True
    )
    assert sent.status_code == 200
    assert "Thank you" in sent.content.decode()
    assert Submission.objects.get().description == "Line one.\nLine <two> & three."


def test_a_cross_site_post_gets_the_text_but_no_button(tip):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("submissions:submit"), tip, HTTP_ORIGIN="https://evil.example", follow=True
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Send it again" not in html
    assert "Gotham Police Department" in html
    assert 'type="hidden" name="agency_name"' not in html


def test_passwords_are_never_repeated(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "bob", "password": "bob-password-1"},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "bob-password-1" not in html
    assert "Send it again" not in html
