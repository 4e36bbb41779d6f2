"""Every read of follow-up cases the pages, API, scorecard and agenda share."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber
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


def _counted_cases(
    *, today: date, window_days: int, department_id: int | None
) -> QuerySet[FollowupCase]:
    """The cases the figures count: opened in the last `window_days`, and every case still
    open (an old open case stays overdue until it is closed)."""
    since = today - timedelta(days=window_days)
    cases = FollowupCase.objects.filter(
        Q(opened_at__date__gte=since) | ~Q(status=FollowupStatus.CLOSED)
    ).order_by()
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return cases


def _counts(today: date) -> dict[str, Count]:
    """The close-the-loop counts, each defined once: a case is judged once it is closed or past
    its due date (a case due today is not yet); the loop is closed when it was closed with the
    customer reached; overdue is open past its due date."""
    closed = Q(status=FollowupStatus.CLOSED)
    return {
        "cases": Count("pk"),
        "judged": Count("pk", filter=closed | Q(due_on__lt=today)),
        "loop_closed": Count("pk", filter=closed & Q(outcome__in=stats.REACHED_OUTCOMES)),
        "overdue": Count("pk", filter=~closed & Q(due_on__lt=today)),
    }


def _median_hours(cases: QuerySet[FollowupCase], *, by_department: bool) -> dict[int | None, float]:
    """The median of first contact − opening, in hours, over the cases with a contact: per
    department, or over all of them (key None). One query on SQLite and PostgreSQL alike: the
    middle row (odd count) or two middle rows (even count) of each group, ranked in SQL, so at
    most two rows per group leave the database and their mean is the median."""
    wait = ExpressionWrapper(F("first_contact_at") - F("opened_at"), output_field=DurationField())
    partition = [F("department_id")] if by_department else None
    middle = (
        cases.filter(first_contact_at__isnull=False)
        .annotate(
            wait=wait,
            rank=Window(RowNumber(), partition_by=partition, order_by=[wait.asc(), F("pk").asc()]),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(rank__gte=(F("size") + 1) / 2, rank__lte=(F("size") + 2) / 2)
        .values_list("department_id", "wait")
    )
    waits: dict[int | None, list[float]] = defaultdict(list)
    for owner_id, found in middle:
        waits[owner_id if by_department else None].append(found.total_seconds() / 3600)
    return {owner: sum(hours) / len(hours) for owner, hours in waits.items()}


def followup_figures_by_department(
    *,
    today: date | None = None,
    window_days: int = FIGURES_WINDOW_DAYS,
    department_id: int | None = None,
) -> dict[int, stats.FollowupFigures]:
    """The follow-up figures per department with any counted case (the scorecard): two queries
    whatever the number of cases."""
    today = today or timezone.localdate()
    cases = _counted_cases(today=today, window_days=window_days, department_id=department_id)
    medians = _median_hours(cases, by_department=True)
    found = {}
    for row in cases.values("department_id").annotate(**_counts(today)):
        owner_id = row.pop("department_id")
        found[owner_id] = stats.followup_figures(**row, median_hours=medians.get(owner_id))
    return found


def followup_figures(*, department_id: int, today: date | None = None) -> stats.FollowupFigures:
    """One department's figures (its page), by the same definition as the scorecard's."""
    found = followup_figures_by_department(today=today, department_id=department_id)
    return found.get(department_id, stats.NO_FOLLOWUPS)


def followup_figures_overall(
    *, department_id: int | None = None, today: date | None = None
) -> stats.FollowupFigures:
    """Every department's cases together (the overview's tile, the weekly digest), by the same
    counts and definition as each department's; one department's when given. Two queries."""
    today = today or timezone.localdate()
    cases = _counted_cases(
        today=today, window_days=FIGURES_WINDOW_DAYS, department_id=department_id
    )
    counts = cases.aggregate(**_counts(today))
    return stats.followup_figures(
        **counts, median_hours=_median_hours(cases, by_department=False).get(None)
    )
