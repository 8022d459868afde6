"""The public pages. Until the map lands, the home page lists every public partnership."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import Agency, PolicyEvent, Technology
from survmap.records.selectors import partnership_list_public

PAGE_SIZE = 100


def home(request: HttpRequest) -> HttpResponse:
    filterset = PartnershipFilterSet(request.GET, queryset=partnership_list_public())
    partnerships = filterset.qs if filterset.is_valid() else partnership_list_public().none()
    page = Paginator(partnerships.order_by("agency__state_id", "agency__name", "pk"), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/home.html",
        {
            "filterset": filterset,
            "page_obj": page_obj,
            "query": query.urlencode(),
            "policy_events": PolicyEvent.objects.public().prefetch_related("sources"),
        },
        status=200 if filterset.is_valid() else 400,
    )


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.select_related("state"), pk=pk)
    partnerships = list(partnership_list_public().filter(agency=agency))
    if not partnerships:
        # An agency is public only through a sourced partnership.
        return render(request, "web/not_found.html", status=404)
    events = (
        PolicyEvent.objects.public()
        .filter(
            Q(partnerships__in=partnerships)
            | Q(
                technology__in=[p.technology_id for p in partnerships],
                vendor__isnull=False,
                vendor__in=[p.vendor_id for p in partnerships if p.vendor_id],
            )
        )
        .distinct()
        .prefetch_related("sources")
    )
    return render(
        request,
        "web/agency.html",
        {"agency": agency, "partnerships": partnerships, "policy_events": events},
    )


def technology_detail(request: HttpRequest, slug: str) -> HttpResponse:
    technology = get_object_or_404(Technology, slug=slug)
    partnerships = partnership_list_public().filter(technology=technology)
    page_obj = Paginator(
        partnerships.order_by("agency__state_id", "agency__name", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    events = PolicyEvent.objects.public().filter(technology=technology).prefetch_related("sources")
    return render(
        request,
        "web/technology.html",
        {"technology": technology, "page_obj": page_obj, "policy_events": events},
    )
