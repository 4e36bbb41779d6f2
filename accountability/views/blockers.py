"""Front-line blocker pages: the list with a short raise form, one blocker with its voices, the
head's answer and the one-step action item."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accountability import blocker_selectors as selectors
from accountability.services import blockers as services
from cco.access import person_with_role, require_perm
from cco.models import Department
from metrics.selectors import touchpoint_list

# Rows a page of the list shows: the list at size holds thousands of blockers.
BLOCKERS_PER_PAGE = 50


def _list_context(request: HttpRequest) -> dict[str, object]:
    show = request.GET.get("show", "unresolved")
    show = show if show in selectors.FILTERS else "unresolved"
    departments = list(Department.objects.order_by("name"))
    department = next((d for d in departments if d.slug == request.GET.get("department")), None)
    rows = selectors.blockers_filtered(
        show=show, department_id=department.pk if department else None
    )
    # get_page: a ?page= that is not a number reads the first page, one past the end the last —
    # a link kept from a list that has since shrunk still lands on blockers.
    page = Paginator(rows, BLOCKERS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "blockers": list(page.object_list),
        "page": page,
        "show": show,
        "filters": selectors.FILTERS,
        "departments": departments,
        "department": department,
        "touchpoints": list(touchpoint_list()),
        "may_raise": request.user.has_perm("cco.raise_blocker"),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
def blocker_list(request: HttpRequest) -> HttpResponse:
    """GET lists; POST raises a blocker (anyone with a role): 400 naming the field on bad input."""
    user = person_with_role(request)
    if request.method == "GET":
        return render(request, "accountability/blocker_list.html", _list_context(request))
    require_perm(user, "cco.raise_blocker")
    try:
        blocker = services.blocker_raise(
            actor=user,
            title=request.POST.get("title", ""),
            department_id=request.POST.get("department"),
            touchpoint_id=request.POST.get("touchpoint") or None,
            description=request.POST.get("description", ""),
        )
    except ValidationError as exc:
        context = {**_list_context(request), "errors": exc.message_dict, "posted": request.POST}
        return render(request, "accountability/blocker_list.html", context, status=400)
    messages.success(request, "Blocker raised; your voice is counted.")
    return redirect(blocker)


def _detail(request: HttpRequest, pk: int, **extra: object) -> HttpResponse:
    user = person_with_role(request)
    blocker = get_object_or_404(selectors.blockers_with_voices(), pk=pk)
    status = int(str(extra.pop("status", 200)))
    return render(
        request,
        "accountability/blocker_detail.html",
        {
            "blocker": blocker,
            "voiced": blocker.voices.filter(person=user).exists(),
            "may_raise": user.has_perm("cco.raise_blocker"),
            "may_answer": user.has_perm("cco.answer_blocker", blocker),
            "today": timezone.localdate(),
            "default_due": timezone.localdate() + timedelta(days=14),
            **extra,
        },
        status=status,
    )


@require_GET
def blocker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
def blocker_voice(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one's voice: 409 the second time, 400 on a resolved blocker."""
    user = person_with_role(request)
    require_perm(user, "cco.raise_blocker")
    blocker = get_object_or_404(selectors.blockers_with_voices(), pk=pk)
    try:
        services.blocker_voice(actor=user, blocker=blocker)
    except services.AlreadyVoiced:
        return _detail(request, pk, status=409, problem="You have added your voice already.")
    except ValidationError as exc:
        return _detail(request, pk, status=400, problem=" ".join(exc.messages))
    return redirect(blocker)


@require_POST
def blocker_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = person_with_role(request)
    blocker = get_object_or_404(selectors.blockers_with_voices(), pk=pk)
    require_perm(user, "cco.answer_blocker", blocker)
    try:
        services.blocker_answer(
            actor=user,
            blocker=blocker,
            answer=request.POST.get("answer", ""),
            resolve=request.POST.get("resolve") == "on",
        )
    except ValidationError as exc:
        return _detail(request, pk, status=400, problem=" ".join(exc.messages))
    return redirect(blocker)


@require_POST
def blocker_action(request: HttpRequest, pk: int) -> HttpResponse:
    """A resolved blocker becomes an action item of its department, in one step."""
    user = person_with_role(request)
    blocker = get_object_or_404(selectors.blockers_with_voices(), pk=pk)
    require_perm(user, "cco.answer_blocker", blocker)
    try:
        due = date.fromisoformat(request.POST.get("due", ""))
    except ValueError:
        return _detail(request, pk, status=400, problem="due: a date (YYYY-MM-DD) is needed.")
    try:
        item = services.blocker_to_action(
            actor=user, blocker=blocker, due=due, title=request.POST.get("title", "")
        )
    except ValidationError as exc:
        return _detail(request, pk, status=400, problem=" ".join(exc.messages))
    messages.success(request, "Action item created from the blocker.")
    return redirect(item)
