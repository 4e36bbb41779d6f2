"""Meeting series and meetings: schedule, open (build the agenda), run, close (minutes)."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accountability import stats
from accountability.blocker_selectors import blocker_agenda_candidates
from accountability.followup_selectors import overdue_by_department
from accountability.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Attendance,
    CXIssue,
    CXIssueStatus,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from accountability.services.agenda import agenda_rank
from accountability.services.emails import email_build
from accountability.services.issues import cx_issues_raise_from_breaches
from accountability.services.reminders import opted_out_ids
from accountability.services.subjects import agenda_item_subject
from cco.models import Department, User
from cco.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def meeting_datetime(series: MeetingSeries, day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, series.start_time))


@transaction.atomic
def meeting_series_create(
    *,
    actor: User,
    name: str,
    start_time: time,
    weekday: int,
    cadence: str = "weekly",
    duration_minutes: int = 60,
    attendees: Iterable[User] = (),
    location: str = "",
    first_on: date | None = None,
) -> MeetingSeries:
    """Create a series chaired by `actor` (the CCO) and schedule its first meeting."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the series a name, e.g. 'Customer accountability'."})
    if MeetingSeries.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A series called {name!r} already exists."})
    series = MeetingSeries(
        name=name,
        cadence=cadence,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        location=location,
        chair=actor,
    )
    series.full_clean()
    series.save()
    series.attendees.set(list(attendees))
    if first_on is not None:
        Meeting.objects.create(series=series, scheduled_at=meeting_datetime(series, first_on))
    else:
        meeting_schedule_next(series=series)
    return series


@transaction.atomic
def meeting_schedule_next(*, series: MeetingSeries) -> Meeting:
    """The series' next scheduled meeting, creating it on the cadence when there is none."""
    upcoming = series.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("scheduled_at")
    if meeting := upcoming.first():
        return meeting
    last = series.meetings.order_by("-scheduled_at").first()
    today = timezone.localdate()
    anchor = timezone.localdate(last.scheduled_at) if last else None
    # Today still counts while today's meeting time is ahead; once it has passed, the next
    # meeting day comes after today.
    starts_later_today = meeting_datetime(series, today) > timezone.now()
    earliest = today - timedelta(days=1) if starts_later_today else today
    after = max(anchor, earliest) if anchor else earliest
    day = stats.next_meeting_date(
        cadence=series.cadence, weekday=series.weekday, after=after, anchor=anchor
    )
    meeting, _ = Meeting.objects.get_or_create(
        series=series, scheduled_at=meeting_datetime(series, day)
    )
    return meeting


def _refuse_if_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            {
                "meeting": f"The meeting of {meeting.scheduled_at:%d %b %Y} is closed; "
                "its minutes can no longer change."
            }
        )


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(series_id=meeting.series_id, scheduled_at__lt=meeting.scheduled_at)
        .order_by("-scheduled_at")
        .first()
    )


def _agenda_candidates(meeting: Meeting) -> list[dict[str, Any]]:
    """What the meeting must look at: issues, overdue and carried items, milestones, red KPIs."""
    meeting_day = timezone.localdate(meeting.scheduled_at)
    previous = _previous_meeting(meeting)
    since = previous.scheduled_at if previous else None
    candidates: list[dict[str, Any]] = []

    issues = CXIssue.objects.exclude(status=CXIssueStatus.RESOLVED).order_by("raised_at", "pk")
    for issue in issues:
        new = since is None or issue.raised_at > since
        candidates.append(
            {
                "kind": AgendaKind.CX_ISSUE,
                "source_id": issue.pk,
                "title": issue.title,
                "detail": (
                    "New since the last meeting"
                    if new
                    else f"{issue.get_status_display()} since {issue.raised_at:%d %b}"
                ),
                "department_id": issue.department_id,
            }
        )

    # Overdue items of any origin, and every open item a meeting of this series raised: open
    # action items carry over, meeting after meeting, until they are done.
    items = (
        ActionItem.objects.exclude(status=ActionStatus.DONE)
        .filter(Q(due__lt=meeting_day) | Q(meeting__series_id=meeting.series_id))
        .exclude(meeting=meeting)
        .order_by("due", "pk")
    )
    for item in items:
        late = (meeting_day - item.due).days
        detail = (
            f"Overdue by {late} day{'s' if late != 1 else ''}"
            if late > 0
            else f"Carried over · due {item.due:%d %b}"
        )
        if item.status == ActionStatus.BLOCKED:
            detail += " · blocked"
        candidates.append(
            {
                "kind": AgendaKind.ACTION_ITEM,
                "source_id": item.pk,
                "title": item.title,
                "detail": detail,
                "department_id": item.department_id,
            }
        )
    candidates.extend(_milestone_candidates(meeting_day, since))
    candidates.extend(_red_kpi_candidates())
    candidates.extend(_followup_candidates(meeting_day))
    candidates.extend(blocker_agenda_candidates(meeting_day=meeting_day))
    return candidates


def _followup_candidates(meeting_day: date) -> list[dict[str, Any]]:
    """One line per department with follow-up cases past due on the meeting's day."""
    return [
        {
            "kind": AgendaKind.FOLLOWUPS,
            "source_id": department_id,
            "title": f"{count} follow-up case{'s' if count != 1 else ''} overdue",
            "detail": f"Oldest due {oldest:%d %b}",
            "department_id": department_id,
        }
        for department_id, (count, oldest) in sorted(
            overdue_by_department(today=meeting_day).items()
        )
    ]


def _field(model: Any, *names: str) -> str:
    """The first of `names` the model has (the roadmap app names its date fields itself)."""
    fields = {f.name for f in model._meta.get_fields()}
    return next((name for name in names if name in fields), "")


def _milestone_candidates(meeting_day: date, since: datetime | None) -> list[dict[str, Any]]:
    """Roadmap milestones due since the last meeting, and those still late."""
    try:
        Milestone = apps.get_model("roadmap", "Milestone")
    except LookupError:
        return []
    due_field = _field(Milestone, "due", "due_date")
    done_field = _field(Milestone, "done_on", "done_date")
    key_field = _field(Milestone, "key_accomplishment", "is_key")
    if not due_field or not done_field:
        return []
    window = Q(**{f"{due_field}__lte": meeting_day, f"{done_field}__isnull": True})
    if since is not None:
        window |= Q(
            **{f"{due_field}__gt": timezone.localdate(since), f"{due_field}__lte": meeting_day}
        )
    candidates = []
    milestones = Milestone.objects.filter(window).select_related("initiative").order_by(due_field)
    for milestone in milestones:
        due, done_on = getattr(milestone, due_field), getattr(milestone, done_field)
        detail = f"Done {done_on:%d %b} (due {due:%d %b})" if done_on else f"Late: due {due:%d %b}"
        if key_field and getattr(milestone, key_field):
            detail += " · key accomplishment"
        candidates.append(
            {
                "kind": AgendaKind.MILESTONE,
                "source_id": milestone.pk,
                "title": f"{milestone.initiative.title}: {milestone.title}"[:300],
                "detail": detail,
                "department_id": milestone.initiative.department_id,
            }
        )
    return candidates


def _red_kpi_candidates() -> list[dict[str, Any]]:
    try:
        from metrics.selectors import kpi_statuses
    except ImportError:
        return []
    return [
        {
            "kind": AgendaKind.KPI,
            "source_id": status.kpi_id,
            "title": f"{status.name} is red",
            "detail": (
                f"{status.latest_value:g}{status.unit} against a goal of "
                f"{status.goal:g}{status.unit}"
                if status.latest_value is not None
                else f"goal {status.goal:g}{status.unit}"
            ),
            "department_id": status.department_id,
        }
        for status in kpi_statuses()
        if status.rag == "red"
    ]


@transaction.atomic
def agenda_build(*, meeting: Meeting) -> int:
    """Add what the meeting must discuss to its agenda, grouped by department; returns how
    many items were added. Safe to repeat: each source appears once per meeting."""
    existing = set(
        AgendaItem.objects.filter(meeting=meeting, source_id__isnull=False).values_list(
            "kind", "source_id"
        )
    )
    new_items = [
        AgendaItem(meeting=meeting, **candidate)
        for candidate in _agenda_candidates(meeting)
        if (candidate["kind"], candidate["source_id"]) not in existing
    ]
    AgendaItem.objects.bulk_create(new_items)
    agenda_reorder(meeting=meeting)
    return len(new_items)


def agenda_reorder(*, meeting: Meeting) -> None:
    """Rank and time-box the agenda (accountability.services.agenda.agenda_rank)."""
    agenda_rank(meeting=meeting)


@transaction.atomic
def meeting_open(*, meeting_id: int, actor: User) -> Meeting:
    """Start the meeting: raise issues from any breach the signal missed, take the register of
    the standing attendees and build the agenda. Re-opening an in-progress meeting only tops
    the agenda up."""
    meeting = Meeting.objects.select_for_update().select_related("series").get(pk=meeting_id)
    _refuse_if_closed(meeting)
    cx_issues_raise_from_breaches()
    expected = {meeting.series.chair_id, *meeting.series.attendees.values_list("pk", flat=True)}
    already = set(meeting.attendance.values_list("person_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, person_id=pk) for pk in sorted(expected - already)]
    )
    agenda_build(meeting=meeting)
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.IN_PROGRESS
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["status", "started_at"])
    return meeting


@transaction.atomic
def agenda_item_add(
    *,
    meeting_id: int,
    actor: User,
    title: str,
    department: Department | None = None,
    detail: str = "",
) -> AgendaItem:
    """Add an item by hand (before or during the meeting)."""
    meeting = Meeting.objects.get(pk=meeting_id)
    _refuse_if_closed(meeting)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what the meeting should discuss."})
    last = meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaKind.MANUAL,
        title=title[:300],
        detail=detail[:300],
        department=department,
        order=last + 10,
    )
    return item


@transaction.atomic
def agenda_item_update(
    *, item_id: int, actor: User, discussed: bool | None = None, notes: str | None = None
) -> AgendaItem:
    item = AgendaItem.objects.select_related("meeting", "department").get(pk=item_id)
    _refuse_if_closed(item.meeting)
    fields = []
    if discussed is not None:
        item.discussed = discussed
        fields.append("discussed")
    if notes is not None:
        item.notes = notes.strip()
        fields.append("notes")
    if fields:
        item.save(update_fields=fields)
    return item


@transaction.atomic
def attendance_mark(
    *,
    meeting_id: int,
    actor: User,
    person: User,
    present: bool | None = None,
    rating: int | None = None,
) -> Attendance:
    """Record who came and each attendee's 1–10 rating of the meeting."""
    meeting = Meeting.objects.get(pk=meeting_id)
    _refuse_if_closed(meeting)
    if rating is not None and not 1 <= rating <= 10:
        raise ValidationError({"rating": f"A rating is from 1 to 10; {rating} is not."})
    attendance, _ = Attendance.objects.get_or_create(meeting=meeting, person=person)
    if present is not None:
        attendance.present = present
    if rating is not None:
        attendance.rating = rating
        attendance.present = True
    attendance.save()
    return attendance


@transaction.atomic
def decision_record(
    *,
    meeting_id: int,
    actor: User,
    text: str,
    agenda_item_id: int | None = None,
    cx_issue_id: int | None = None,
    initiative_id: int | None = None,
) -> Decision:
    meeting = Meeting.objects.get(pk=meeting_id)
    _refuse_if_closed(meeting)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the decision down in a sentence."})
    if agenda_item_id and not meeting.agenda.filter(pk=agenda_item_id).exists():
        raise ValidationError({"agenda_item": "That agenda item is not on this meeting's agenda."})
    if agenda_item_id:
        subject = agenda_item_subject(AgendaItem.objects.get(pk=agenda_item_id))
        cx_issue_id = cx_issue_id or subject.get("cx_issue_id")
        initiative_id = initiative_id or subject.get("initiative_id")
    return Decision.objects.create(
        meeting=meeting,
        agenda_item_id=agenda_item_id,
        text=text,
        cx_issue_id=cx_issue_id,
        initiative_id=initiative_id,
        milestone_id=subject.get("milestone_id") if agenda_item_id else None,
        kpi_id=subject.get("kpi_id") if agenda_item_id else None,
        recorded_by=actor,
    )


@transaction.atomic
def meeting_close(*, meeting_id: int, actor: User, summary: str = "") -> Meeting:
    """Close the meeting: freeze the minutes, schedule the next meeting with the undiscussed
    hand-added items carried forward (open action items and issues return by themselves when
    it opens), and email the minutes to the attendees once this transaction commits."""
    meeting = Meeting.objects.select_for_update().select_related("series").get(pk=meeting_id)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(
            {
                "meeting": "Only a meeting in progress can be closed; open it first."
                if meeting.status == MeetingStatus.SCHEDULED
                else "This meeting is already closed."
            }
        )
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    if summary.strip():
        meeting.summary = summary.strip()
    meeting.save(update_fields=["status", "closed_at", "summary"])
    next_meeting = meeting_schedule_next(series=meeting.series)
    carried = [
        AgendaItem(
            meeting=next_meeting,
            kind=AgendaKind.MANUAL,
            title=item.title,
            detail=f"Carried over from {timezone.localdate(meeting.scheduled_at):%d %b}",
            department_id=item.department_id,
            order=item.order,
        )
        for item in meeting.agenda.filter(kind=AgendaKind.MANUAL, discussed=False)
    ]
    AgendaItem.objects.bulk_create(carried)

    enqueue_on_commit("accountability.tasks.minutes_send_task", meeting_id=meeting.pk)
    return meeting


def minutes_send(*, meeting_id: int) -> int:
    """Email the minutes to everyone on the meeting's register; returns how many were sent.

    Sent once: the meeting's minutes_sent_at is claimed with a conditional update first.
    """
    from accountability.selectors import meeting_minutes

    claimed = Meeting.objects.filter(
        pk=meeting_id, status=MeetingStatus.CLOSED, minutes_sent_at__isnull=True
    ).update(minutes_sent_at=timezone.now())
    if not claimed:
        return 0
    minutes = meeting_minutes(meeting_id=meeting_id)
    silent = opted_out_ids()
    people = [a.person for a in minutes.attendance] + [minutes.meeting.series.chair]
    recipients = sorted({p.email for p in people if p.email and p.pk not in silent})
    if not recipients:
        return 0
    messages = [
        email_build(
            subject=f"Minutes: {minutes.meeting}",
            template="accountability/email/minutes",
            context={"minutes": minutes},
            to=[email],
        )
        for email in recipients
    ]
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:
        # Let a later retry send them: the claim is released when sending fails.
        Meeting.objects.filter(pk=meeting_id).update(minutes_sent_at=None)
        logger.exception("Sending the minutes of meeting %s failed", meeting_id)
        raise
