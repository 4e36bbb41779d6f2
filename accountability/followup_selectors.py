"""Every read of follow-up cases the pages, API, scorecard and agenda share."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from accountability import stats
from accountability.models import FollowupCase, FollowupEvent, FollowupStatus

# The scorecard's window: cases opened in the last 91 days (as for action items).
FIGURES_WINDOW_DAYS = 91
FILTERS = ("open", "overdue", "closed", "all")


def followup_cases() -> QuerySet[FollowupCase]:
    return FollowupCase.objects.select_related(
        "department", "touchpoint", "assignee", "cx_issue"
    ).order_by("due_on", "pk")


def followup_cases_filtered(
    *,
    show: str = "open",
    department_id: int | None = None,
    assignee_id: int | None = None,
    touchpoint_id: int | None = None,
    today: date | None = None,
) -> QuerySet[FollowupCase]:
    """Cases by the list's filters: `show` is one of FILTERS (anything else reads as "open")."""
    today = today or timezone.localdate()
    cases = followup_cases()
    if show == "closed":
        cases = cases.filter(status=FollowupStatus.CLOSED).order_by("-closed_at", "-pk")
    elif show == "overdue":
        cases = overdue_cases().filter(due_on__lt=today)
    elif show != "all":
        cases = cases.exclude(status=FollowupStatus.CLOSED)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if assignee_id is not None:
        cases = cases.filter(assignee_id=assignee_id)
    if touchpoint_id is not None:
        cases = cases.filter(touchpoint_id=touchpoint_id)
    return cases


def overdue_cases(
    *, department_id: int | None = None, today: date | None = None
) -> QuerySet[FollowupCase]:
    """Open cases past their due date (a case due today is not yet overdue)."""
    today = today or timezone.localdate()
    cases = followup_cases().exclude(status=FollowupStatus.CLOSED).filter(due_on__lt=today)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return cases


def overdue_by_department(*, today: date | None = None) -> dict[int, tuple[int, date]]:
    """Per department with any: how many open cases are past due on `today`, and the oldest
    due date among them (the meeting agenda's line per department)."""
    counts = (
        overdue_cases(today=today)
        .order_by()
        .values("department_id")
        .annotate(count=Count("pk"), oldest=Min("due_on"))
    )
    return {row["department_id"]: (row["count"], row["oldest"]) for row in counts}


def followup_case_history(*, case: FollowupCase) -> QuerySet[FollowupEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def _case_rows(
    *, today: date, window_days: int, department_id: int | None
) -> list[tuple[int, tuple[date, str, str, float | None]]]:
    """(department, (due_on, status, outcome, hours to first contact)) of every case the
    figures count: opened in the last `window_days`, and every case still open (an old open
    case stays overdue until it is closed). One query."""
    since = today - timedelta(days=window_days)
    cases = FollowupCase.objects.filter(
        Q(opened_at__date__gte=since) | ~Q(status=FollowupStatus.CLOSED)
    )
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return [
        (owner_id, (due_on, status, outcome, _hours(opened_at, first_contact_at)))
        for owner_id, due_on, status, outcome, opened_at, first_contact_at in cases.values_list(
            "department_id", "due_on", "status", "outcome", "opened_at", "first_contact_at"
        )
    ]


def _hours(opened_at: Any, first_contact_at: Any) -> float | None:
    return (first_contact_at - opened_at).total_seconds() / 3600 if first_contact_at else None


def followup_figures_by_department(
    *,
    today: date | None = None,
    window_days: int = FIGURES_WINDOW_DAYS,
    department_id: int | None = None,
) -> dict[int, stats.FollowupFigures]:
    """`stats.followup_figures` per department (the scorecard)."""
    today = today or timezone.localdate()
    rows: dict[int, list[tuple[date, str, str, float | None]]] = defaultdict(list)
    for owner_id, row in _case_rows(
        today=today, window_days=window_days, department_id=department_id
    ):
        rows[owner_id].append(row)
    return {owner: stats.followup_figures(found, today=today) for owner, found in rows.items()}


def followup_figures(*, department_id: int, today: date | None = None) -> stats.FollowupFigures:
    """One department's figures (its page), by the same definition as the scorecard's."""
    today = today or timezone.localdate()
    found = followup_figures_by_department(today=today, department_id=department_id)
    return found.get(department_id) or stats.followup_figures([], today=today)


def followup_figures_overall(
    *, department_id: int | None = None, today: date | None = None
) -> stats.FollowupFigures:
    """Every department's cases together (the overview's tile, the weekly digest), by the same
    rows and definition as each department's; one department's when given."""
    today = today or timezone.localdate()
    rows = _case_rows(today=today, window_days=FIGURES_WINDOW_DAYS, department_id=department_id)
    return stats.followup_figures([row for _, row in rows], today=today)
