"""The volunteers' side of research, without an account: the list of open tasks, a claim behind
a private link with its checklist and report form, the private status page of a check, the
optional account's own tasks; and the map's coverage data ("looked, none found" per region)."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from survmap.common import data_version
from survmap.common.client_ip import client_bucket
from survmap.geo.boundaries import Level
from survmap.geo.models import State
from survmap.moderation import ratelimit
from survmap.records.filters import FILTER_NAMES, unknown_parameters
from survmap.records.models import Technology
from survmap.research.filters import shared_query
from survmap.research.forms import ReportForm, SignupForm
from survmap.research.legend import LOOKED_NONE_FOUND, NO_RECORD
from survmap.research.models import ResearchCheck, ResearchTask, TaskStatus
from survmap.research.selectors import none_found_for_query, tasks_available
from survmap.research.services import ResearchError, task_claim, task_release, task_report

TASKS_PER_PAGE = 50
# What the task list takes; any other query parameter is a 400 naming it, as on every page.
TASKS_PARAMS = ("state", "technology", "page")
# The coverage data takes the map's whole query (level, focus and every partnership filter, of
# which it uses those that describe a search), so the map can send it what it sends its counts.
COVERAGE_PARAMS = FILTER_NAMES | {"level", "focus"}
COVERAGE_CACHE_SECONDS = 24 * 60 * 60


def _sender(request: HttpRequest) -> str:
    return ratelimit.ip_hash(client_bucket(request))


def _claims_key(sender: str) -> str:
    # Claims are counted apart from reports, at the same rate: a volunteer who claims a task and
    # reports on it is one report, as a tip is.
    return f"claim:{sender}"


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    return response


def tasks(request: HttpRequest) -> HttpResponse:
    """Open research tasks, most useful first; anyone may claim one. `state` and `technology`
    narrow the list to a volunteer's own place or interest."""
    if unknown := unknown_parameters(request.GET, TASKS_PARAMS):
        return render(
            request,
            "web/bad_request.html",
            {"errors": unknown, "home": reverse("web:home")},
            status=400,
        )
    available = tasks_available()
    states = State.objects.filter(
        code__in=available.values("agency__state_id").order_by().distinct()
    ).order_by("name")
    technologies = Technology.objects.filter(
        pk__in=available.values("technology_id").order_by().distinct()
    ).order_by("name")
    chosen_state = request.GET.get("state", "")[:2]
    chosen_technology = request.GET.get("technology", "")[:100]
    if chosen_state:
        available = available.filter(agency__state_id=chosen_state)
    if chosen_technology:
        available = available.filter(technology__slug=chosen_technology)
    query = urlencode(
        {k: v for k, v in (("state", chosen_state), ("technology", chosen_technology)) if v}
    )
    page_obj = Paginator(available, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "research/tasks.html",
        {
            "page_obj": page_obj,
            "query": query,
            "states": states,
            "technologies": technologies,
            "chosen_state": chosen_state,
            "chosen_technology": chosen_technology,
        },
    )


def signup(request: HttpRequest) -> HttpResponse:
    """An optional account, only to follow one's tasks and checks; rate-limited like reports.

    Whether a name is taken is never told: a valid form is answered "if the name was free, the
    account is made; sign in", and the volunteer signs in. Every post keeps the place it took in
    the rate limit, refused or not: trying names costs what making accounts does."""
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.reserve(f"signup:{_sender(request)}"):
            return render(request, "submissions/rate_limited.html", status=429)
        if form.is_spam or form.is_valid():
            # A robot's post looks answered too, and makes nothing.
            username = str(form.data.get("username", ""))[:150]
            if not form.is_spam:
                form.save_if_free()
                username = form.cleaned_data["username"]
            return render(request, "research/signup_done.html", {"username": username})
    return render(request, "research/signup.html", {"form": form})


@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(ResearchTask, pk=pk)
    sender = _claims_key(_sender(request))
    # Taken before claiming and given back when the task could not be claimed.
    if not ratelimit.reserve(sender):
        return render(request, "submissions/rate_limited.html", status=429)
    try:
        task = task_claim(task=task, user=request.user)
    except ResearchError as error:
        ratelimit.release(sender)
        return render(
            request, "research/unavailable.html", {"task": task, "message": str(error)}, status=409
        )
    except BaseException:
        ratelimit.release(sender)
        raise
    return HttpResponseRedirect(reverse("research:claimed", args=[task.claim_token]))


# Private to whoever holds the link: never cached.
@never_cache
def claimed(request: HttpRequest, token: str) -> HttpResponse:
    """The claimed task: its checklist and the report form."""
    task = (
        ResearchTask.objects.select_related("agency", "agency__state", "technology")
        .filter(claim_token=token)
        .first()
    )
    if task is None:
        return _given_back_or_404(request, token)
    if request.method == "POST" and request.POST.get("edit"):
        # Back from "Give this task back?": the report as typed, neither sent nor checked.
        form = ReportForm(initial=_typed(request))
    else:
        form = ReportForm(request.POST or None)
    if request.method == "POST" and not request.POST.get("edit"):
        sender = _sender(request)
        # A place is taken before the report is checked, atomically, and given back below
        # whenever nothing is stored; the honeypot's decoy keeps the place it took.
        if not ratelimit.reserve(sender):
            return render(request, "submissions/rate_limited.html", status=429)
        if form.is_spam:
            return _private(render(request, "research/reported.html", {"fake": True}))
        stored = False
        try:
            response = _report(request, task, form, token, sender)
            stored = response is not None and response.status_code == 200
        finally:
            if not stored:
                ratelimit.release(sender)
        if response is not None:
            return response
    expired = task.claimed_until is not None and task.claimed_until < timezone.now()
    return _private(
        render(
            request,
            "research/claimed.html",
            {"task": task, "form": form, "token": token, "expired": expired},
        )
    )


def _report(
    request: HttpRequest, task: ResearchTask, form: ReportForm, token: str, sender: str
) -> HttpResponse | None:
    """The report stored (a 200 page), refused (409), or None: errors to show on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        report = task_report(
            token=token,
            outcome=data["outcome"],
            checked_on=form.checked,
            summary=data["summary"],
            credit_name=data["credit_name"],
            sources=form.sources,
            records_requests=form.requests,
            vendor=data["vendor"],
            vendor_name=data["vendor_name"],
            contributor_email=data["contributor_email"],
            ip_hash=sender,
            volunteer=request.user,
        )
    except ResearchError as error:
        return _private(
            render(
                request,
                "research/unavailable.html",
                {"task": task, "message": str(error)},
                status=409,
            )
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return _private(
        render(
            request,
            "research/reported.html",
            {"research_check": report.research_check, "tip": report.tip},
        )
    )


# Form fields that are not the volunteer's typing.
_NOT_TYPED = {"csrfmiddlewaretoken", "give_back", "confirm", "edit", "website"}


def _typed(request: HttpRequest) -> dict[str, str]:
    return {
        name: str(value)
        for name, value in request.POST.items()
        if name not in _NOT_TYPED and len(name) <= 100
    }


def _given_back_or_404(request: HttpRequest, token: str) -> HttpResponse:
    """A claim's private link after its volunteer gave the task back says so (410 Gone)."""
    task = (
        ResearchTask.objects.select_related("agency", "technology")
        .filter(given_back_token=token)
        .first()
    )
    if task is None:
        raise Http404("No claim has this address.")
    return _private(render(request, "research/given_back.html", {"task": task}, status=410))


@require_POST
def release(request: HttpRequest, token: str) -> HttpResponse:
    """ "Give this task back" asks first, with the typed report carried along, so that "No"
    returns to the report as it was; "Yes" gives it back and the link then says so."""
    task = (
        ResearchTask.objects.select_related("agency", "technology")
        .filter(claim_token=token)
        .first()
    )
    if task is None:
        return _given_back_or_404(request, token)
    typed = _typed(request)
    if not request.POST.get("confirm"):
        return _private(
            render(
                request,
                "research/give_back.html",
                {
                    "task": task,
                    "token": token,
                    "typed": typed,
                    "typed_text": [(n, v) for n, v in typed.items() if v.strip()],
                },
            )
        )
    # A claim already gone (reported, reclaimed) needs nothing more.
    with contextlib.suppress(ResearchError):
        task_release(token=token)
    return HttpResponseRedirect(reverse("research:claimed", args=[token]))


@never_cache
def check_status(request: HttpRequest, token: str) -> HttpResponse:
    """The researcher's private page: the check's status and the moderator's reason."""
    research_check = get_object_or_404(
        ResearchCheck.objects.select_related("agency", "technology", "tip"), token=token
    )
    return _private(render(request, "research/status.html", {"research_check": research_check}))


@login_required(login_url="research:login")
@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    """A volunteer with an account follows the tasks they claimed and the checks they sent."""
    user: Any = request.user
    return render(
        request,
        "research/mine.html",
        {
            "claimed": ResearchTask.objects.filter(claimed_by=user, status=TaskStatus.CLAIMED)
            .select_related("agency", "technology")
            .order_by("claimed_until"),
            "checks": ResearchCheck.objects.filter(volunteer=user)
            .select_related("agency", "technology")
            .order_by("-created_at")[:200],
        },
    )


def coverage_payload(request: HttpRequest, level: Level) -> dict[str, Any]:
    """For the map: agencies with a public 'none found' check per region, for the filters of
    the request that apply to checks. Cached per data version, which moves only when public
    research changes."""
    shared = shared_query(request.GET)
    digest = hashlib.sha256(repr(sorted(shared.items())).encode()).hexdigest()[:32]
    key = f"survmap:coverage:{data_version.current().token}:{level}:{digest}"
    payload: dict[str, Any] | None = cache.get(key)
    if payload is None:
        payload = {
            "level": str(level),
            "none_found": none_found_for_query(request.GET, level),
            "legend": {"none_found": LOOKED_NONE_FOUND, "no_record": NO_RECORD},
        }
        cache.set(key, payload, COVERAGE_CACHE_SECONDS)
    return payload


def map_coverage(request: HttpRequest) -> HttpResponse:
    if unknown := unknown_parameters(request.GET, COVERAGE_PARAMS):
        return JsonResponse({"errors": unknown}, status=400)
    raw = request.GET.get("level", Level.COUNTY.value)
    if raw not in {Level.STATE.value, Level.COUNTY.value}:
        return JsonResponse({"errors": {"level": ["Choose 'state' or 'county'."]}}, status=400)
    try:
        payload = coverage_payload(request, Level(raw))
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    response = JsonResponse(payload)
    patch_cache_control(response, public=True, max_age=60)
    return response
