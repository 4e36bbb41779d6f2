"""Milestones of an initiative: added, edited, ticked done (htmx) and removed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cco.access import get_for_user
from cco.forms import add_service_errors
from roadmap import services
from roadmap.forms import MilestoneForm
from roadmap.models import Initiative, Milestone
from roadmap.selectors import today
from roadmap.views.common import actor, form_page, is_htmx


@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, "cco.change_owned", pk=pk)
    form = MilestoneForm(request.POST or None, instance=Milestone(initiative=initiative))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_save(actor=actor(request), milestone=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The milestone was added.")
            return redirect(initiative)
    return form_page(
        request,
        form,
        title=f"New milestone for “{initiative}”",
        cancel_url=initiative.get_absolute_url(),
        intro=f"It must fall between {initiative.start_date:%d %b %Y} and "
        f"{initiative.end_date:%d %b %Y}.",
    )


@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_for_user(
        request.user, Milestone.objects.select_related("initiative"), "cco.change_owned", pk=pk
    )
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_save(actor=actor(request), milestone=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The milestone was saved.")
            return redirect(milestone.initiative)
    return form_page(
        request,
        form,
        title=f"Edit milestone “{milestone}”",
        cancel_url=milestone.initiative.get_absolute_url(),
    )


@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a milestone done or reopen it; htmx swaps the row in place."""
    milestone = get_for_user(
        request.user, Milestone.objects.select_related("initiative"), "cco.change_owned", pk=pk
    )
    milestone = services.milestone_set_done(
        actor=actor(request), milestone=milestone, done=request.POST.get("done") == "1"
    )
    if is_htmx(request):
        return render(
            request,
            "roadmap/_milestone_row.html",
            {"milestone": milestone, "can_update": True, "today": today()},
        )
    return redirect(milestone.initiative)


@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_for_user(
        request.user, Milestone.objects.select_related("initiative"), "cco.manage_product", pk=pk
    )
    initiative = milestone.initiative
    services.milestone_delete(actor=actor(request), milestone=milestone)
    messages.success(request, "The milestone was removed.")
    return redirect(initiative)
