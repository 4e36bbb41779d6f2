"""An initiative's page and its changes: create, edit, progress, delete, dependencies."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors
from metrics.selectors.drivers import driver_for_touchpoint
from roadmap import services
from roadmap.charts import expected_result_figure
from roadmap.forms import DependencyForm, InitiativeForm, ProgressForm
from roadmap.models import Dependency, Initiative
from roadmap.selectors import initiative_detail, today
from roadmap.views.common import actor, chosen_roadmap, form_page


@require_GET
def initiative_page(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, pk=pk)
    on = today()
    row = initiative_detail(pk=initiative.pk, on=on)
    readings = [
        (reading, expected_result_figure(reading, today=on), f"result-figure-{reading.result.pk}")
        for reading in row.readings
    ]
    user = request.user
    work = initiative_work(row.initiative)
    for milestone in row.milestones:
        milestone.recorded = work["milestone_work"].get(milestone.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "roadmap/initiative_detail.html",
        {
            "row": row,
            "initiative": row.initiative,
            "today": on,
            "readings": readings,
            "currency": settings.CURRENCY,
            "updates": row.initiative.updates.select_related("author")[:15],
            "can_manage": user.has_perm("cco.manage_product"),
            "can_update": user.has_perm("cco.change_owned", row.initiative),
            "progress_form": ProgressForm(
                initial={"progress": row.initiative.progress, "notes": row.initiative.notes}
            ),
            "dependency_form": DependencyForm(initiative=row.initiative),
            **work,
            # The cited driver's figures in each analysis (read only when one is cited).
            "cited_driver": (
                driver_for_touchpoint(row.initiative.driver_id)
                if row.initiative.driver_id
                else None
            ),
        },
    )


def initiative_work(initiative: Initiative) -> dict:
    """The weekly work recorded against the initiative (action items and meeting decisions,
    which the accountability app links to it and to its milestones): per milestone, and those
    on the initiative as a whole. Read through the reverse links, so this layer imports
    nothing from the one above it."""
    actions = list(
        initiative.action_items.select_related("department", "owner_person").order_by("due", "pk")
    )
    decisions = list(
        initiative.decisions.select_related("meeting", "meeting__series").order_by(
            "recorded_at", "pk"
        )
    )
    by_milestone: dict[int, dict[str, list]] = {}
    for kind, rows in (("actions", actions), ("decisions", decisions)):
        for row in rows:
            if row.milestone_id:
                by_milestone.setdefault(row.milestone_id, {"actions": [], "decisions": []})[
                    kind
                ].append(row)
    return {
        "milestone_work": by_milestone,
        "initiative_actions": [row for row in actions if not row.milestone_id],
        "initiative_decisions": [row for row in decisions if not row.milestone_id],
    }


@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    roadmap = chosen_roadmap(request)
    if roadmap is None:
        messages.info(request, "Create a roadmap first; initiatives belong to one of its pillars.")
        return redirect("roadmap:roadmap-create")
    form = InitiativeForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_create(actor=actor(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{initiative}” was added to the roadmap.")
            return redirect(initiative)
    return form_page(
        request,
        form,
        title=f"New initiative in {roadmap}",
        cancel_url=roadmap.get_absolute_url(),
        intro="State its expected results on the next page before it can move to in progress.",
    )


@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(
        request.user,
        Initiative.objects.select_related("pillar__roadmap"),
        "cco.manage_product",
        pk=pk,
    )
    form = InitiativeForm(
        request.POST or None, instance=initiative, roadmap=initiative.pillar.roadmap
    )
    if request.method == "POST" and form.is_valid():
        fresh = Initiative.objects.get(pk=pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.initiative_update(actor=actor(request), initiative=fresh, changes=changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The initiative was saved.")
            return redirect(fresh)
    return form_page(
        request, form, title=f"Edit “{initiative}”", cancel_url=initiative.get_absolute_url()
    )


@require_POST
def initiative_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The owning department's head (or the CCO) updates progress and notes."""
    initiative = get_for_user(request.user, Initiative, "cco.change_owned", pk=pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_update(
                actor=actor(request),
                initiative=initiative,
                changes={
                    "progress": form.cleaned_data["progress"],
                    "notes": form.cleaned_data["notes"],
                },
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return form_page(
            request, form, title=f"Update “{initiative}”", cancel_url=initiative.get_absolute_url()
        )
    messages.success(request, "Progress and notes were updated.")
    return redirect(initiative)


@require_POST
def initiative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(
        request.user,
        Initiative.objects.select_related("pillar__roadmap"),
        "cco.manage_product",
        pk=pk,
    )
    roadmap = initiative.pillar.roadmap
    services.initiative_delete(actor=actor(request), initiative=initiative)
    messages.success(request, f"“{initiative}” was removed from the roadmap.")
    return redirect(roadmap)


@require_POST
def dependency_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(
        request.user, Initiative.objects.select_related("pillar"), "cco.manage_product", pk=pk
    )
    form = DependencyForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            services.dependency_add(
                actor=actor(request),
                initiative=initiative,
                depends_on=form.cleaned_data["depends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return form_page(
            request,
            form,
            title=f"Add a dependency to “{initiative}”",
            cancel_url=initiative.get_absolute_url(),
        )
    messages.success(request, "The dependency was recorded.")
    return redirect(initiative)


@require_POST
def dependency_remove(request: HttpRequest, pk: int) -> HttpResponse:
    dependency = get_for_user(
        request.user,
        Dependency.objects.select_related("initiative", "depends_on"),
        "cco.manage_product",
        pk=pk,
    )
    services.dependency_remove(actor=actor(request), dependency=dependency)
    messages.success(request, "The dependency was removed.")
    return redirect(dependency.initiative)
