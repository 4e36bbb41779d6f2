"""Every read the accountability pages and API share: querysets and plain dataclasses."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accountability import stats
from accountability.cutoffs import delivery_cutoffs
from accountability.followup_selectors import followup_figures_by_department
from accountability.models import (
    ActionItem,
    ActionItemEvent,
    ActionStatus,
    AgendaItem,
    Attendance,
    CXIssue,
    CXIssueEvent,
    CXIssueStatus,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from cco.models import Department, Role, User

SCORECARD_WINDOW_DAYS = 91


def action_items() -> QuerySet[ActionItem]:
    return ActionItem.objects.select_related("department", "owner_person", "meeting", "cx_issue")


def cx_issues() -> QuerySet[CXIssue]:
    return CXIssue.objects.select_related("department", "touchpoint")


def open_action_items(*, department_id: int | None = None) -> QuerySet[ActionItem]:
    """Open items (not done), due soonest first."""
    items = action_items().exclude(status=ActionStatus.DONE)
    if department_id is not None:
        items = items.filter(department_id=department_id)
    return items.order_by("due", "pk")


def open_cx_issues(*, department_id: int | None = None) -> QuerySet[CXIssue]:
    """Unresolved issues, oldest first: the longest-waiting customer problem leads."""
    issues = cx_issues().exclude(status=CXIssueStatus.RESOLVED)
    if department_id is not None:
        issues = issues.filter(department_id=department_id)
    return issues.order_by("raised_at", "pk")


def person_open_action_items(*, person: User) -> QuerySet[ActionItem]:
    return open_action_items().filter(owner_person=person)


@dataclass(frozen=True)
class DepartmentWork:
    department: Department
    action_items: list[ActionItem]
    cx_issues: list[CXIssue]
    overdue_count: int
    # Open items due from today through the sixth day after it: the coming seven days.
    due_this_week_count: int = 0


WEEK_DAYS = 7


def department_work(*, department: Department, today: date | None = None) -> DepartmentWork:
    """A department's open action items and CX issues, due soonest first (2 queries)."""
    today = today or timezone.localdate()
    items = list(open_action_items(department_id=department.pk))
    week_end = today + timedelta(days=WEEK_DAYS)
    return DepartmentWork(
        department=department,
        action_items=items,
        cx_issues=list(open_cx_issues(department_id=department.pk)),
        overdue_count=sum(1 for item in items if item.due < today),
        due_this_week_count=sum(1 for item in items if today <= item.due < week_end),
    )


def action_item_history(*, item: ActionItem) -> QuerySet[ActionItemEvent]:
    return item.events.select_related("actor").order_by("-at", "-pk")


def cx_issue_history(*, issue: CXIssue) -> QuerySet[CXIssueEvent]:
    return issue.events.select_related("actor").order_by("-at", "-pk")


def upcoming_meetings(*, person: User | None = None, limit: int | None = 10) -> list[Meeting]:
    """Scheduled or running meetings from today on; for a person, the series they sit in."""
    meetings = (
        Meeting.objects.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS],
            scheduled_at__gte=timezone.now() - timedelta(days=1),
        )
        .select_related("series", "series__chair")
        .order_by("scheduled_at")
    )
    if person is not None and person.role not in (Role.CCO, Role.EXECUTIVE):
        meetings = meetings.filter(Q(series__chair=person) | Q(series__attendees=person)).distinct()
    return list(meetings[:limit] if limit else meetings)


def series_list() -> QuerySet[MeetingSeries]:
    return (
        MeetingSeries.objects.select_related("chair")
        .annotate(
            meeting_count=Count(
                "meetings", filter=Q(meetings__status=MeetingStatus.CLOSED), distinct=True
            )
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    present: int
    expected: int
    average_rating: float | None
    decisions: int
    actions_raised: int
    actions_done: int

    @property
    def attendance_pct(self) -> float | None:
        return stats.percentage(self.present, self.expected)

    @property
    def completion_pct(self) -> float | None:
        return stats.percentage(self.actions_done, self.actions_raised)


def series_history(*, series: MeetingSeries, limit: int = 52) -> list[MeetingSummary]:
    """Past meetings, newest first, with attendance, rating, decisions and how many of the
    action items they raised are done (one query)."""
    meetings = (
        series.meetings.filter(status=MeetingStatus.CLOSED)
        .annotate(
            present=Count("attendance", filter=Q(attendance__present=True), distinct=True),
            expected=Count("attendance", distinct=True),
            average_rating=Avg("attendance__rating"),
            decision_count=Count("decisions", distinct=True),
            actions_raised=Count("action_items", distinct=True),
            actions_done=Count(
                "action_items",
                filter=Q(action_items__status=ActionStatus.DONE),
                distinct=True,
            ),
        )
        .order_by("-scheduled_at")[:limit]
    )
    return [
        MeetingSummary(
            meeting=meeting,
            present=meeting.present,
            expected=meeting.expected,
            average_rating=(
                round(meeting.average_rating, 1) if meeting.average_rating is not None else None
            ),
            decisions=meeting.decision_count,
            actions_raised=meeting.actions_raised,
            actions_done=meeting.actions_done,
        )
        for meeting in meetings
    ]


@dataclass
class AgendaGroup:
    """One named section of the meeting (check-in, scorecard and KPIs, …, wrap-up) with its
    planned minutes and ranked items, or the parking lot."""

    name: str
    parked: bool = False
    items: list[AgendaItem] = field(default_factory=list)
    key: str = ""
    # The section's planned minutes (stats.section_plan); None: the sum of its items' minutes.
    planned: int | None = None

    @property
    def minutes(self) -> int:
        if self.planned is not None:
            return self.planned
        return sum(item.planned_minutes for item in self.items)

    @property
    def fixed(self) -> bool:
        return self.key in stats.FIXED_SECTIONS

    @property
    def by_department(self) -> list["AgendaGroup"]:
        """The section's items by department, each department where its first (worst-ranked)
        item stands, its items in their ranked order; items without one under "General"."""
        departments: dict[int | None, AgendaGroup] = {}
        for item in self.items:
            key = item.department_id
            if key not in departments:
                name = item.department.name if item.department else "General"
                departments[key] = AgendaGroup(name=name, parked=self.parked)
            departments[key].items.append(item)
        return list(departments.values())


def agenda_groups(*, meeting: Meeting) -> list[AgendaGroup]:
    """The meeting's named sections in the order it runs them, each with its planned minutes
    (summing to the meeting's length, stats.section_plan) and its items in ranked order, then
    the parking lot (items ranked out of the meeting's length, carried over to the next one)."""
    section_of = {kind: key for key, _, kinds in stats.MEETING_SECTIONS for kind in kinds}
    items: dict[str, list[AgendaItem]] = {key: [] for key, _, _ in stats.MEETING_SECTIONS}
    item_minutes: dict[str, int] = defaultdict(int)
    parking = AgendaGroup(name="Parking lot", parked=True)
    for item in meeting.agenda.select_related("department").order_by("order", "pk"):
        if item.parked:
            parking.items.append(item)
            continue
        items[section_of.get(item.kind, "cx_issues")].append(item)
        item_minutes[item.kind if item.kind in section_of else "manual"] += item.planned_minutes
    groups = [
        AgendaGroup(name=name, key=key, items=items[key], planned=minutes)
        for key, name, minutes in stats.section_plan(
            meeting.series.duration_minutes, dict(item_minutes)
        )
    ]
    return groups + ([parking] if parking.items else [])


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    attendance: list[Attendance]
    agenda: list[AgendaGroup]
    decisions: list[Decision]
    action_items: list[ActionItem]
    average_rating: float | None

    @property
    def present(self) -> list[Attendance]:
        return [a for a in self.attendance if a.present]

    @property
    def absent(self) -> list[Attendance]:
        return [a for a in self.attendance if not a.present]


def meeting_minutes(*, meeting_id: int) -> Minutes:
    meeting = Meeting.objects.select_related("series", "series__chair").get(pk=meeting_id)
    attendance = list(meeting.attendance.select_related("person", "person__department"))
    ratings = [a.rating for a in attendance if a.rating is not None]
    return Minutes(
        meeting=meeting,
        attendance=attendance,
        # The minutes list what the meeting discussed: the sections that had items.
        agenda=[group for group in agenda_groups(meeting=meeting) if group.items],
        decisions=list(meeting.decisions.select_related("cx_issue", "recorded_by")),
        action_items=list(
            meeting.action_items.select_related("department", "owner_person").order_by(
                "department__name", "due"
            )
        ),
        average_rating=round(sum(ratings) / len(ratings), 1) if ratings else None,
    )


def agenda_sources(*, items: list[AgendaItem]) -> dict[str, dict[int, Any]]:
    """The live CX issues and action items behind agenda items, by kind then id (2 queries)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for item in items:
        if item.source_id:
            ids[item.kind].append(item.source_id)
    return {
        "cx_issue": cx_issues().in_bulk(ids.get("cx_issue", [])),
        "action_item": action_items().in_bulk(ids.get("action_item", [])),
    }


@dataclass(frozen=True)
class ScorecardRow:
    department: Department
    due_count: int
    done_on_time: int
    on_time_pct: float | None
    overdue: int
    avg_days_late: float | None
    open_issues: int
    meetings_expected: int
    meetings_attended: int
    # Red / amber / green by the CCO's cut-offs (`accountability.cutoffs`).
    on_time_rag: str
    open_issues_rag: str
    # Follow-up cases (accountability.followup_selectors), by the definition in stats.
    followups: stats.FollowupFigures = stats.NO_FOLLOWUPS

    @property
    def attendance_pct(self) -> float | None:
        return stats.percentage(self.meetings_attended, self.meetings_expected)


def delivery_by_department(
    *,
    start: date,
    end: date,
    today: date | None = None,
    department_id: int | None = None,
) -> dict[int, stats.DeliveryFigures]:
    """How each department kept the action items due from `start` to `end`, judged by the one
    rule in `stats.delivery_figures` (one query).

    Items still open past due count wherever they fell due: an old overdue item is still late.
    """
    today = today or timezone.localdate()
    items = ActionItem.objects.filter(
        Q(due__range=(start, end)) | Q(due__lt=start, completed_on__isnull=True)
    )
    if department_id is not None:
        items = items.filter(department_id=department_id)
    pairs: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for item_department_id, due, completed_on in items.values_list(
        "department_id", "due", "completed_on"
    ):
        pairs[item_department_id].append((due, completed_on))
    return {key: stats.delivery_figures(value, today=today) for key, value in pairs.items()}


def open_issue_counts(*, department_id: int | None = None) -> dict[int, int]:
    """Open (not resolved) CX issues per department."""
    issues = CXIssue.objects.exclude(status=CXIssueStatus.RESOLVED)
    if department_id is not None:
        issues = issues.filter(department_id=department_id)
    return dict(
        issues.values("department_id")
        .annotate(count=Count("pk"))
        .values_list("department_id", "count")
    )


def scorecard(
    *, today: date | None = None, window_days: int = SCORECARD_WINDOW_DAYS
) -> list[ScorecardRow]:
    """Per department, over the last `window_days`: action items done on time %, overdue count,
    average days late, open CX issues, meeting attendance of its people and how it closes the
    loop with low-scoring customers (5 queries)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=window_days)
    departments = list(Department.objects.order_by("name"))
    delivery = delivery_by_department(start=since, end=today, today=today)
    open_issues = open_issue_counts()
    attendance: dict[int, tuple[int, int]] = {
        row["person__department_id"]: (row["expected"], row["attended"])
        for row in Attendance.objects.filter(
            meeting__status=MeetingStatus.CLOSED,
            meeting__scheduled_at__date__gte=since,
            person__department__isnull=False,
        )
        .values("person__department_id")
        .annotate(expected=Count("pk"), attended=Count("pk", filter=Q(present=True)))
    }
    nothing_due = stats.delivery_figures([], today=today)
    cutoffs = delivery_cutoffs()
    followups = followup_figures_by_department(today=today, window_days=window_days)
    rows = []
    for department in departments:
        figures = delivery.get(department.pk, nothing_due)
        expected, attended = attendance.get(department.pk, (0, 0))
        issue_count = open_issues.get(department.pk, 0)
        rows.append(
            ScorecardRow(
                department=department,
                due_count=figures.due_count,
                done_on_time=figures.done_on_time,
                on_time_pct=figures.on_time_pct,
                overdue=figures.overdue,
                avg_days_late=figures.avg_days_late,
                open_issues=issue_count,
                meetings_expected=expected,
                meetings_attended=attended,
                on_time_rag=cutoffs.on_time_rag(figures.on_time_pct),
                open_issues_rag=cutoffs.open_issues_rag(issue_count),
                followups=followups.get(department.pk, stats.NO_FOLLOWUPS),
            )
        )
    return rows


def meeting_for_run(*, meeting_id: int) -> Meeting:
    return (
        Meeting.objects.select_related("series", "series__chair")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person"))
        )
        .get(pk=meeting_id)
    )


def decisions_between(*, start: date, end: date, limit: int = 12) -> list[Decision]:
    """Decisions recorded from `start` to `end` (local days, inclusive), latest first."""
    return list(
        Decision.objects.filter(recorded_at__date__gte=start, recorded_at__date__lte=end)
        .select_related("meeting")
        .order_by("-recorded_at", "-pk")[:limit]
    )
