"""The public side of submissions: the form, the correction form, the confirmation, the private
status page, and the agency look-up behind the form's pick-as-you-type."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from survmap.common.client_ip import client_bucket
from survmap.common.text import clean_text_value
from survmap.geo.models import State
from survmap.moderation import ratelimit
from survmap.records.filters import record_id
from survmap.records.freshness import partnership_status_age
from survmap.records.models import Agency, Partnership, Technology
from survmap.records.selectors import partnership_list_public
from survmap.submissions.decoys import DecoySubmission, decoy_submission, decoy_token
from survmap.submissions.forms import CorrectionForm, PartnershipSubmissionForm
from survmap.submissions.models import Submission, SubmissionKind
from survmap.submissions.selectors import agencies_listed, agency_matches, public_duplicates
from survmap.submissions.services import submission_create


def _sender(request: HttpRequest) -> str:
    return ratelimit.ip_hash(client_bucket(request))


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return render(request, "submissions/rate_limited.html", status=429)


def _confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """After a post, a redirect to the thank-you page (post, redirect, get): reloading that
    page shows it again instead of sending the tip twice."""
    return redirect("submissions:thanks", token=token)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page with the private status link, for a submission or a decoy."""
    if not Submission.objects.filter(token=token).exists() and decoy_submission(token) is None:
        raise Http404("No submission has this address.")
    response = render(request, "submissions/confirmation.html", {"token": token})
    response["X-Robots-Tag"] = "noindex"
    return response


def _decoy_headline(
    form: PartnershipSubmissionForm | CorrectionForm, target: Agency | Partnership | None
) -> tuple[str, str]:
    """The kind and headline a real submission of what the robot posted would show."""
    if target is not None:
        return SubmissionKind.CORRECTION, f"correction to {target}"
    data = form.data

    def typed(name: str, size: int) -> str:
        return clean_text_value(str(data.get(name, ""))[:size], multiline=False).strip()

    technology = typed("technology", 20)
    technology_id = record_id(technology)
    known = None if technology_id is None else Technology.objects.filter(pk=technology_id).first()
    technology_name = known.name if known else typed("technology_other", 100)
    agency = typed("agency_name", 200)
    return (
        SubmissionKind.NEW_PARTNERSHIP,
        f"{agency or 'unnamed agency'}: {technology_name or 'unnamed technology'}",
    )


def _receive(
    request: HttpRequest,
    form: PartnershipSubmissionForm | CorrectionForm,
    **build: Any,
) -> HttpResponse | None:
    """The posting path both forms share: the rate limit, the honeypot, then the submission
    saved before anything else. None means the form has errors to show next to its fields."""
    sender = _sender(request)
    # A place is taken before anything else, atomically: posts sent at once cannot all pass a
    # check made before any of them is counted.
    if not ratelimit.reserve(sender):
        return _rate_limited(request)
    if form.is_spam:
        # Looks the same to the robot, down to a status link that answers; nothing is stored.
        kind, headline = _decoy_headline(form, build.get("target"))
        return _confirmation(request, decoy_token(kind=kind, headline=headline))
    try:
        if not form.is_valid():
            ratelimit.release(sender)
            return None
        submission = submission_create(
            submission=form.build(ip_hash=sender, **build), sources=form.sources
        )
    except BaseException:
        ratelimit.release(sender)
        raise
    return _confirmation(request, submission.token)


def submit(request: HttpRequest) -> HttpResponse:
    """Report a partnership. Saved first, reviewed later; nothing here is public."""
    if request.method == "POST":
        form = PartnershipSubmissionForm(request.POST)
        if (response := _receive(request, form)) is not None:
            return response
    else:
        form = PartnershipSubmissionForm(initial=_initial(request))
    return render(
        request,
        "submissions/submit.html",
        {"form": form, "place": request.GET.get("place", "")[:200]},
    )


def _initial(request: HttpRequest) -> dict[str, Any]:
    """A tip link from a page fills in what the page knows: the state, the agency, the
    technology, and the place the reader was looking at."""
    initial: dict[str, Any] = {}
    state = request.GET.get("agency_state", "")[:2].upper()
    if state and State.objects.filter(code=state).exists():
        initial["agency_state"] = state
    agency_id = record_id(request.GET.get("agency", ""))
    if agency_id is not None:
        agency = agencies_listed().filter(pk=agency_id).first()
        if agency is not None:
            initial.update(agency=agency.pk, agency_name=agency.name, agency_state=agency.state_id)
    technology = request.GET.get("technology", "")[:100]
    if technology:
        found = Technology.objects.filter(slug=technology).first()
        if found is not None:
            initial["technology"] = str(found.pk)
    place = request.GET.get("place", "")[:200]
    if place:
        initial["description"] = f"About {place}: "
    return initial


def submit_correction(request: HttpRequest) -> HttpResponse:
    """Suggest a correction to a published agency or partnership."""
    target: Agency | Partnership
    if (partnership_id := record_id(request.GET.get("partnership", ""))) is not None:
        target = get_object_or_404(partnership_list_public(), pk=partnership_id)
    elif (agency_id := record_id(request.GET.get("agency", ""))) is not None:
        # A correction is about what survmap published: a directory agency with no
        # partnership has nothing to correct (a tip adds one).
        target = get_object_or_404(Agency.objects.public(), pk=agency_id)
    else:
        raise Http404("Say which record the correction is about.")
    form = CorrectionForm(request.POST or None)
    if (
        request.method == "POST"
        and (response := _receive(request, form, target=target)) is not None
    ):
        return response
    return render(request, "submissions/correction.html", {"form": form, "target": target})


# Private to whoever holds the link, and it changes when a moderator decides: never cached.
@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The contributor's private page: status and the moderator's reason, nothing else."""
    submission: Submission | DecoySubmission | None = (
        Submission.objects.select_related("agency", "technology", "target_agency")
        .filter(token=token)
        .first()
    )
    if submission is None:
        submission = decoy_submission(token)
    if submission is None:
        raise Http404("No submission has this address.")
    context: dict[str, Any] = {"submission": submission, "details": [], "history": []}
    if isinstance(submission, Submission):
        context["details"] = _what_was_sent(submission)
        context["sources"] = list(submission.sources.all())
        # What was decided and when, never by whom: an undo is said, not silently "pending".
        context["history"] = list(submission.decisions.only("action", "decided_at"))
    response = render(request, "submissions/status.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def _what_was_sent(submission: Submission) -> list[tuple[str, str]]:
    """The tip as its sender typed it, field by field (not the private contact details)."""
    if submission.kind == SubmissionKind.CORRECTION:
        target = submission.target_partnership or submission.target_agency
        lines = [("About", str(target or "")), ("What is wrong", submission.what_is_wrong)]
    else:
        agency = submission.agency.name if submission.agency else submission.agency_name
        place = ", ".join(
            part for part in (submission.agency_city, submission.agency_state_id or "") if part
        )
        technology = submission.technology.name if submission.technology else ""
        vendor = submission.vendor.name if submission.vendor else submission.vendor_name
        lines = [
            ("Agency", f"{agency} ({place})" if place else agency),
            ("Kind of agency", submission.get_agency_kind_display()),
            ("Technology", technology or submission.technology_other),
            ("Vendor", vendor),
            ("What the sources show", submission.description),
        ]
    lines += [
        ("Status of the partnership", submission.get_partnership_status_display()),
        ("Started", submission.start_text),
        ("Ended", submission.end_text),
    ]
    return [(label, value) for label, value in lines if value]


@require_GET
def agency_lookup(request: HttpRequest) -> JsonResponse:
    """Listed agencies matching what is typed, for the form's progressive enhancement."""
    # Cleaned as stored text is: PostgreSQL refuses a NUL in what it compares (it was a 500).
    query = clean_text_value(request.GET.get("q", "")[:200], multiline=False)
    state = clean_text_value(request.GET.get("state", "")[:2], multiline=False)
    agencies = agency_matches(query, state)
    return JsonResponse(
        {
            "agencies": [
                {
                    "id": agency.pk,
                    "name": agency.name,
                    "city": agency.city,
                    "state": agency.state_id,
                    "state_name": agency.state.name,
                }
                for agency in agencies
            ]
        }
    )


@require_GET
def duplicate_lookup(request: HttpRequest) -> JsonResponse:
    """Published partnerships the tip being typed may repeat, so the contributor can see them
    (and suggest a correction instead) before sending."""
    technology_id = record_id(request.GET.get("technology", ""))
    partnerships = public_duplicates(
        agency_id=record_id(request.GET.get("agency", "")),
        agency_name=clean_text_value(request.GET.get("agency_name", "")[:200], multiline=False),
        state_code=clean_text_value(request.GET.get("state", "")[:2], multiline=False).upper(),
        technology_id=technology_id,
    )
    return JsonResponse(
        {
            "partnerships": [
                {
                    "id": p.pk,
                    "agency": p.agency.name,
                    "technology": p.technology.name,
                    "vendor": p.vendor.name if p.vendor else "",
                    # As the pages show it: what the sources said, as of when.
                    "status": partnership_status_age(p).label,
                    "start": p.start.display() if p.start else "",
                    "same_technology": p.technology_id == technology_id,
                    "url": p.get_absolute_url(),
                    "correction_url": reverse("submissions:correction") + f"?partnership={p.pk}",
                }
                for p in partnerships
            ]
        }
    )
