"""Rank a meeting's agenda by severity and time-box it to the meeting's length.

The rules (severity per kind, places per section, minutes) are the pure functions of
accountability.stats; this module reads each item's source and writes the result.
"""

from datetime import date

from django.apps import apps
from django.utils import timezone

from accountability import stats
from accountability.blocker_selectors import agenda_blockers
from accountability.followup_selectors import overdue_by_department
from accountability.models import AgendaItem, AgendaKind, CXIssueBreach, Meeting

# Section order on the agenda: issues first, what is added by hand last.
KIND_RANK = {
    AgendaKind.CX_ISSUE: 0,
    AgendaKind.KPI: 1,
    AgendaKind.ACTION_ITEM: 2,
    AgendaKind.FOLLOWUPS: 3,
    AgendaKind.BLOCKER: 4,
    AgendaKind.MILESTONE: 5,
    AgendaKind.MANUAL: 6,
}


def _ids(items: list[AgendaItem], kind: str) -> list[int]:
    return [item.source_id for item in items if item.kind == kind and item.source_id]


def _issue_severities(ids: list[int]) -> dict[int, float]:
    breaches: dict[int, list[tuple[str, int, float | None, float]]] = {pk: [] for pk in ids}
    links = CXIssueBreach.objects.filter(issue_id__in=ids).values_list(
        "issue_id", "breach__metric", "breach__n", "breach__reference_value", "breach__value"
    )
    for issue_id, metric, n, reference, value in links:
        breaches[issue_id].append((metric, n, reference, value))
    return {pk: stats.issue_severity(rows) for pk, rows in breaches.items()}


def _action_severities(ids: list[int], day: date) -> dict[int, float]:
    ActionItem = apps.get_model("accountability", "ActionItem")
    dues = ActionItem.objects.filter(pk__in=ids).values_list("pk", "due")
    return {pk: float(stats.days_past(due, until=day)) for pk, due in dues}


def _milestone_severities(ids: list[int], day: date) -> dict[int, float]:
    Milestone = apps.get_model("roadmap", "Milestone")
    rows = Milestone.objects.filter(pk__in=ids).values_list("pk", "due_date", "done_date")
    return {pk: float(stats.days_past(due, until=done or day)) for pk, due, done in rows}


def agenda_rank(*, meeting: Meeting) -> None:
    """Give every agenda item its severity, planned minutes and place (active or parked), and
    number the agenda: active items by section and severity, then the parking lot. Discussed
    items stay active whatever their rank: the meeting already spent time on them."""
    items = list(AgendaItem.objects.filter(meeting=meeting))
    day = timezone.localdate(meeting.scheduled_at)
    severities = {
        AgendaKind.CX_ISSUE: _issue_severities(_ids(items, AgendaKind.CX_ISSUE)),
        AgendaKind.ACTION_ITEM: _action_severities(_ids(items, AgendaKind.ACTION_ITEM), day),
        AgendaKind.MILESTONE: _milestone_severities(_ids(items, AgendaKind.MILESTONE), day),
        # A department's line weighs as many overdue cases as it has.
        AgendaKind.BLOCKER: {
            blocker.pk: severity for blocker, severity in agenda_blockers(meeting_day=day)
        },
        AgendaKind.FOLLOWUPS: {
            pk: float(count) for pk, (count, _) in overdue_by_department(today=day).items()
        },
    }
    for item in items:
        item.severity = severities.get(AgendaKind(item.kind), {}).get(item.source_id or 0, 0.0)
    items.sort(
        key=lambda item: (
            KIND_RANK.get(AgendaKind(item.kind), 9),
            -item.severity,
            item.order if item.kind == AgendaKind.MANUAL else 0,
            item.pk,
        )
    )
    plan = stats.agenda_plan(
        [
            (item.pk, AgendaKind.MANUAL if item.discussed else item.kind, item.severity)
            for item in items
        ],
        # The fixed sections (check-in, headlines, wrap-up) keep their minutes.
        meeting_minutes=stats.agenda_minutes(meeting.series.duration_minutes),
    )
    for item in items:
        item.planned_minutes = plan[item.pk]
        item.parked = plan[item.pk] == 0
    items.sort(key=lambda item: item.parked)  # stable: the ranking holds within each part
    for position, item in enumerate(items, start=1):
        item.order = position * 10
    AgendaItem.objects.bulk_update(items, ["order", "severity", "planned_minutes", "parked"])
