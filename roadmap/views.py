"""Roadmap pages: thin views over roadmap/selectors.py and roadmap/services."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cco.access import get_for_user, require_perm
from cco.csv_safety import csv_response
from cco.forms import add_service_errors
from cco.models import User
from roadmap import services
from roadmap.charts import expected_result_figure, timeline_figure
from roadmap.forms import (
    DependencyForm,
    ExpectedResultForm,
    ImportForm,
    InitiativeForm,
    MilestoneForm,
    PillarForm,
    ProgressForm,
    RoadmapForm,
    TimelineFilterForm,
)
from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    Milestone,
    Pillar,
    Roadmap,
)
from roadmap.selectors import (
    current_roadmap,
    expected_result_readings,
    initiative_detail,
    initiative_rows,
    today,
    year_view,
)
from roadmap.services.importing import COLUMNS


def _actor(request: HttpRequest) -> User:
    """The signed-in person (LoginRequiredMiddleware has already turned anonymous ones away)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    cancel_url: str,
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "roadmap/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro},
        status=400 if form.errors else status,
    )


def _chosen_roadmap(request: HttpRequest) -> Roadmap | None:
    roadmap_id = request.GET.get("roadmap")
    if roadmap_id:
        if not roadmap_id.isdigit():
            raise Http404("No such roadmap.")
        return get_object_or_404(Roadmap, pk=int(roadmap_id))
    return current_roadmap()


# --- Timeline and year view -----------------------------------------------------------------


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """The Gantt of the whole plan, filterable by pillar, department and status."""
    require_perm(request.user, "cco.view_product")
    roadmap = _chosen_roadmap(request)
    filters = TimelineFilterForm(request.GET or None, roadmap=roadmap, initial={"roadmap": roadmap})
    context: dict[str, Any] = {"roadmap": roadmap, "filters": filters}
    if roadmap is not None:
        chosen = filters.cleaned_data if filters.is_valid() else {}
        on = today()
        rows = initiative_rows(
            roadmap=roadmap,
            pillar_id=chosen["pillar"].pk if chosen.get("pillar") else None,
            department_id=chosen["department"].pk if chosen.get("department") else None,
            status=chosen.get("status") or None,
            on=on,
        )
        context.update(
            rows=rows,
            figure=timeline_figure(roadmap=roadmap, rows=rows, today=on) if rows else None,
            at_risk=sum(1 for row in rows if row.health.level == "at_risk"),
            filtered=any(chosen.get(name) for name in ("pillar", "department", "status")),
            pillars=list(roadmap.pillars.order_by("order", "name")),
        )
    template = "roadmap/_timeline.html" if _is_htmx(request) else "roadmap/timeline.html"
    return render(request, template, context)


@require_GET
def years(request: HttpRequest) -> HttpResponse:
    """What each year of the plan must accomplish, and what was done: the patience view."""
    require_perm(request.user, "cco.view_product")
    roadmap = _chosen_roadmap(request)
    summaries = year_view(roadmap=roadmap) if roadmap else []
    return render(
        request,
        "roadmap/years.html",
        {"roadmap": roadmap, "years": summaries, "today": today()},
    )


# --- Initiatives ----------------------------------------------------------------------------


@require_GET
def initiative_page(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, pk=pk)
    on = today()
    row = initiative_detail(pk=initiative.pk, on=on)
    readings = [
        (reading, expected_result_figure(reading, today=on), f"result-figure-{reading.result.pk}")
        for reading in expected_result_readings(initiative=row.initiative, on=on)
    ]
    user = request.user
    return render(
        request,
        "roadmap/initiative_detail.html",
        {
            "row": row,
            "initiative": row.initiative,
            "today": on,
            "readings": readings,
            "updates": row.initiative.updates.select_related("author")[:15],
            "can_manage": user.has_perm("cco.manage_product"),
            "can_update": user.has_perm("cco.change_owned", row.initiative),
            "progress_form": ProgressForm(
                initial={"progress": row.initiative.progress, "notes": row.initiative.notes}
            ),
            "dependency_form": DependencyForm(initiative=row.initiative),
        },
    )


@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    roadmap = _chosen_roadmap(request)
    if roadmap is None:
        messages.info(request, "Create a roadmap first; initiatives belong to one of its pillars.")
        return redirect("roadmap:roadmap-create")
    form = InitiativeForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_create(actor=_actor(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{initiative}” was added to the roadmap.")
            return redirect(initiative)
    return _form_page(
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
            services.initiative_update(actor=_actor(request), initiative=fresh, changes=changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The initiative was saved.")
            return redirect(fresh)
    return _form_page(
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
                actor=_actor(request),
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
        return _form_page(
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
    services.initiative_delete(actor=_actor(request), initiative=initiative)
    messages.success(request, f"“{initiative}” was removed from the roadmap.")
    return redirect(roadmap)


# --- Milestones -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, "cco.change_owned", pk=pk)
    form = MilestoneForm(request.POST or None, instance=Milestone(initiative=initiative))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_save(actor=_actor(request), milestone=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The milestone was added.")
            return redirect(initiative)
    return _form_page(
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
            services.milestone_save(actor=_actor(request), milestone=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The milestone was saved.")
            return redirect(milestone.initiative)
    return _form_page(
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
        actor=_actor(request), milestone=milestone, done=request.POST.get("done") == "1"
    )
    if _is_htmx(request):
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
    services.milestone_delete(actor=_actor(request), milestone=milestone)
    messages.success(request, "The milestone was removed.")
    return redirect(initiative)


# --- Dependencies and expected results ------------------------------------------------------


@require_POST
def dependency_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(
        request.user, Initiative.objects.select_related("pillar"), "cco.manage_product", pk=pk
    )
    form = DependencyForm(request.POST, initiative=initiative)
    if form.is_valid():
        try:
            services.dependency_add(
                actor=_actor(request),
                initiative=initiative,
                depends_on=form.cleaned_data["depends_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _form_page(
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
    services.dependency_remove(actor=_actor(request), dependency=dependency)
    messages.success(request, "The dependency was removed.")
    return redirect(dependency.initiative)


@require_http_methods(["GET", "POST"])
def expected_result_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, "cco.manage_product", pk=pk)
    return _expected_result_form(request, ExpectedResult(initiative=initiative))


@require_http_methods(["GET", "POST"])
def expected_result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_for_user(
        request.user,
        ExpectedResult.objects.select_related("initiative"),
        "cco.manage_product",
        pk=pk,
    )
    return _expected_result_form(request, result)


def _expected_result_form(request: HttpRequest, result: ExpectedResult) -> HttpResponse:
    initiative = result.initiative
    form = ExpectedResultForm(request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            services.expected_result_save(actor=_actor(request), result=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The expected result was saved.")
            return redirect(initiative)
    return _form_page(
        request,
        form,
        title=f"Expected result of “{initiative}”",
        cancel_url=initiative.get_absolute_url(),
        intro="Scores on each metric's own scale: NPS −100 to 100, CSAT % satisfied 0 to 100, "
        "CES 1 to 7 (higher is easier). The line runs from the baseline at the initiative's "
        f"start ({initiative.start_date:%d %b %Y}) to the target on the by-date.",
    )


@require_POST
def expected_result_delete(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_for_user(
        request.user,
        ExpectedResult.objects.select_related("initiative"),
        "cco.manage_product",
        pk=pk,
    )
    try:
        services.expected_result_delete(actor=_actor(request), result=result)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The expected result was removed.")
    return redirect(result.initiative)


# --- Roadmaps and pillars -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def roadmap_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    roadmap = get_object_or_404(Roadmap, pk=pk) if pk else Roadmap()
    form = RoadmapForm(request.POST or None, instance=roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            services.roadmap_save(actor=_actor(request), roadmap=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The roadmap “{form.instance}” was saved.")
            return redirect(form.instance)
    return _form_page(
        request,
        form,
        title=f"Edit “{roadmap}”" if pk else "New roadmap",
        cancel_url=roadmap.get_absolute_url() if pk else reverse("roadmap:timeline"),
        intro="" if pk else "A roadmap usually spans five years, e.g. 2026–2030.",
    )


@require_http_methods(["GET", "POST"])
def pillar_edit(
    request: HttpRequest, roadmap_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    if pk:
        pillar = get_object_or_404(Pillar.objects.select_related("roadmap"), pk=pk)
    else:
        pillar = Pillar(roadmap=get_object_or_404(Roadmap, pk=roadmap_pk))
    form = PillarForm(request.POST or None, instance=pillar)
    if request.method == "POST" and form.is_valid():
        try:
            services.pillar_save(actor=_actor(request), pillar=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The pillar “{form.instance}” was saved.")
            return redirect(pillar.roadmap)
    return _form_page(
        request,
        form,
        title=f"Edit pillar “{pillar}”" if pk else f"New pillar in {pillar.roadmap}",
        cancel_url=pillar.roadmap.get_absolute_url(),
    )


# --- Import and export ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def roadmap_import(request: HttpRequest) -> HttpResponse:
    """Import pillars, initiatives, milestones and dependencies from a spreadsheet's CSV."""
    require_perm(request.user, "cco.manage_product")
    roadmap = current_roadmap()
    form = ImportForm(request.POST or None, request.FILES or None, initial={"roadmap": roadmap})
    context: dict[str, Any] = {"form": form, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        try:
            report = services.roadmap_import(
                actor=_actor(request),
                roadmap=form.cleaned_data["roadmap"],
                text=form.cleaned_data["file"],
            )
        except services.RoadmapImportError as error:
            context["errors"] = error.errors
            return render(request, "roadmap/import.html", context, status=400)
        messages.success(
            request,
            f"Imported: {report.initiatives_created} initiatives added, "
            f"{report.initiatives_updated} updated, {report.milestones_created} milestones "
            f"added, {report.milestones_updated} updated, {report.dependencies_added} "
            f"dependencies, {report.pillars_created} new pillars.",
        )
        return redirect(form.cleaned_data["roadmap"])
    return render(request, "roadmap/import.html", context, status=400 if form.errors else 200)


@require_GET
def export_initiatives(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    roadmap = _chosen_roadmap(request)
    if roadmap is None:
        raise Http404("There is no roadmap to export yet.")
    rows = initiative_rows(roadmap=roadmap)
    return csv_response(
        f"initiatives-{roadmap.start_year}-{roadmap.end_year}.csv",
        [
            "pillar",
            "initiative",
            "department",
            "sponsor",
            "start",
            "end",
            "status",
            "progress",
            "depends_on",
            "description",
            "health",
            "rolled_up_progress",
            "next_milestone",
        ],
        (
            [
                row.initiative.pillar.name,
                row.initiative.title,
                row.initiative.department.slug,
                row.initiative.sponsor.username if row.initiative.sponsor else "",
                row.initiative.start_date,
                row.initiative.end_date,
                row.initiative.get_status_display(),
                row.initiative.progress,
                "; ".join(d.title for d in row.depends_on),
                row.initiative.description,
                row.health.label,
                row.progress,
                row.next_milestone.title if row.next_milestone else "",
            ]
            for row in rows
        ),
    )


@require_GET
def export_milestones(request: HttpRequest) -> HttpResponse:
    """Milestones in the import format: this file can be edited and imported back."""
    require_perm(request.user, "cco.view_product")
    roadmap = _chosen_roadmap(request)
    if roadmap is None:
        raise Http404("There is no roadmap to export yet.")
    on = today()
    lines = []
    for row in initiative_rows(roadmap=roadmap, on=on):
        initiative = row.initiative
        base = [
            initiative.pillar.name,
            initiative.title,
            initiative.department.slug,
            initiative.sponsor.username if initiative.sponsor else "",
            initiative.start_date,
            initiative.end_date,
            initiative.get_status_display(),
            initiative.progress,
            "; ".join(d.title for d in row.depends_on),
            initiative.description,
        ]
        if not row.milestones:
            lines.append([*base, "", "", "", ""])
        for milestone in row.milestones:
            lines.append(
                [
                    *base,
                    milestone.title,
                    milestone.due_date,
                    milestone.done_date,
                    "yes" if milestone.is_key else "no",
                ]
            )
    return csv_response(f"roadmap-{roadmap.start_year}-{roadmap.end_year}.csv", COLUMNS, lines)
