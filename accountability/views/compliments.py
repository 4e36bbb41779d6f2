"""Compliments pages: the list (for you, your team, or every one for the CCO and executives),
a verbatim search from which heads and the CCO flag a compliment, routing, and the CCO's choice
of praise themes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accountability import compliment_selectors as selectors
from accountability.models import Compliment
from accountability.models.compliments import PraiseTheme
from accountability.services import compliments as services
from cco.access import person_with_role, require_perm
from cco.models import Department, User
from metrics.models import Theme
from metrics.selectors.themes import verbatim_search

LISTED = 100


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    user = person_with_role(request)
    query = request.GET.get("q", "").strip()
    may_flag = user.has_perm("cco.flag_compliment")
    return {
        "compliments": list(selectors.compliments_visible(user)[:LISTED]),
        "for_you": selectors.compliments_for_person(user, limit=LISTED),
        "reads_all": user.is_cco or user.is_executive,
        "may_flag": may_flag,
        "q": query,
        "verbatims": list(verbatim_search(query, limit=20)) if may_flag and query else [],
        "departments": list(Department.objects.order_by("name")),
        "people": list(
            User.objects.filter(is_active=True, department__isnull=False).order_by(
                "department__name", "last_name", "first_name"
            )
        ),
        "themes": list(Theme.objects.all()) if user.has_perm("cco.manage_product") else [],
        "praise": set(PraiseTheme.objects.values_list("theme_id", flat=True)),
        **extra,
    }


@require_GET
def compliment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accountability/compliment_list.html", _context(request))


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    context = _context(request, errors=exc.message_dict)
    return render(request, "accountability/compliment_list.html", context, status=400)


@require_POST
def compliment_flag(request: HttpRequest) -> HttpResponse:
    """A head or the CCO flags a verbatim (field `response`) as a compliment; 400 naming the
    field on bad input, nothing saved."""
    user = person_with_role(request)
    require_perm(user, "cco.flag_compliment")
    try:
        services.compliment_flag(
            actor=user,
            response_id=request.POST.get("response"),
            department=request.POST.get("department") or None,
            person=request.POST.get("person") or None,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, "Compliment passed on.")
    return redirect("accountability:compliment-list")


@require_POST
def compliment_route(request: HttpRequest, pk: int) -> HttpResponse:
    user = person_with_role(request)
    compliment = get_object_or_404(Compliment, pk=pk)
    require_perm(user, "cco.route_compliment", compliment)
    try:
        services.compliment_route(
            actor=user,
            compliment=compliment,
            department=request.POST.get("department") or None,
            person=request.POST.get("person") or None,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, "Compliment routed.")
    return redirect("accountability:compliment-list")


@require_POST
def compliment_themes(request: HttpRequest) -> HttpResponse:
    user = person_with_role(request)
    require_perm(user, "cco.manage_product")
    try:
        made = services.praise_themes_set(actor=user, theme_ids=request.POST.getlist("theme"))
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, f"Praise themes saved; {made} new compliment(s) found.")
    return redirect("accountability:compliment-list")
