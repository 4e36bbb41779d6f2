"""The accountability landing page, a department's work, and the scorecard."""

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accountability import charts, selectors
from accountability.cutoffs import delivery_cutoffs
from accountability.forms import (
    ActionItemCreateForm,
    ActionItemUpdateForm,
    MoveDueForm,
    people_who_can_own,
)
from accountability.front_line import front_line
from accountability.scorecard import department_scorecard_between, scorecard_table
from accountability.services.kpis import week_of
from cco.access import require_perm
from cco.csv_safety import csv_response
from cco.models import Department, Role
from metrics import selectors as metrics_selectors
from roadmap import selectors as roadmap_selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """CCO and executives: series, upcoming meetings, scorecard. Others also see their work."""
    require_perm(request.user, "cco.view_product")
    user: Any = request.user
    rows = selectors.scorecard()
    return render(
        request,
        "accountability/index.html",
        {
            "series_list": list(selectors.series_list()),
            "upcoming": selectors.upcoming_meetings(person=user, limit=5),
            "scorecard": rows,
            "open_issues": list(selectors.open_cx_issues()[:10]),
            "open_issue_count": selectors.open_cx_issues().count(),
            "my_items": list(selectors.person_open_action_items(person=user)[:10])
            if user.role in (Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR)
            else [],
            "may_run": user.has_perm("cco.run_meeting"),
            "today": timezone.localdate(),
            "my_work": selectors.department_work(department=user.department)
            if user.role == Role.DEPARTMENT_HEAD and user.department_id
            else None,
        },
    )


@require_GET
def my_department(request: HttpRequest) -> HttpResponse:
    """A department head's open action items and CX issues, due soonest first; a contributor's
    own items. The CCO and executives may look at any department with ?department=<slug>."""
    require_perm(request.user, "cco.view_product")
    user: Any = request.user
    slug = request.GET.get("department")
    if slug:
        department = get_object_or_404(Department, slug=slug)
    elif user.department_id:
        department = user.department
    else:
        messages.info(request, "You are not in a department; here is the whole programme.")
        return redirect("accountability:home")
    work = selectors.department_work(department=department)
    create_form = ActionItemCreateForm(
        departments=Department.objects.filter(pk=department.pk),
        initial={"department": department, "due": timezone.localdate() + timedelta(14)},
    )
    owners = people_who_can_own().filter(
        Q(department=department) | Q(headed_departments=department)
    )
    owner_field = cast(ModelChoiceField, create_form.fields["owner_person"])
    owner_field.queryset = owners.distinct()
    mine = [item for item in work.action_items if item.owner_person_id == user.pk]
    shown = mine if user.role == Role.CONTRIBUTOR and not slug else work.action_items
    for item in shown:
        item.may_update = user.has_perm("cco.update_action_item", item)  # type: ignore[attr-defined]
        item.update_form = ActionItemUpdateForm(  # type: ignore[attr-defined]
            initial={"status": item.status, "due": item.due, "version": item.version},
            auto_id=f"id_action{item.pk}_%s",
        )
        item.move_form = MoveDueForm(initial={"version": item.version})  # type: ignore[attr-defined]
    return render(
        request,
        "accountability/my_department.html",
        {
            "department": department,
            "work": work,
            "items": shown,
            "mine_only": shown is mine and user.role == Role.CONTRIBUTOR,
            "may_create": user.has_perm("cco.change_owned", department),
            "create_form": create_form,
            "today": timezone.localdate(),
            "kpis": metrics_selectors.kpi_statuses(department_id=department.pk),
            "this_week": week_of(timezone.localdate()),
            "milestones_due": roadmap_selectors.milestones_due(department_id=department.pk),
        },
    )


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    rows = selectors.scorecard()
    cutoffs = delivery_cutoffs()
    front = front_line(user=request.user, today=timezone.localdate())
    return render(
        request,
        "accountability/scorecard.html",
        {
            "rows": rows,
            "figure": charts.on_time_figure(rows, cutoffs),
            "cutoffs": cutoffs,
            "may_edit_cutoffs": request.user.has_perm("cco.manage_product"),
            "window_days": selectors.SCORECARD_WINDOW_DAYS,
            "front_line": front,
        },
    )


@require_GET
def scorecard_csv(request: HttpRequest) -> HttpResponse:
    """The department scorecard over the scorecard's window, in the overview's CSV columns."""
    require_perm(request.user, "cco.view_product")
    today = timezone.localdate()
    start = today - timedelta(days=selectors.SCORECARD_WINDOW_DAYS)
    header, rows = scorecard_table(department_scorecard_between(start=start, end=today))
    return csv_response(f"scorecard-{start.isoformat()}-{today.isoformat()}.csv", header, rows)
