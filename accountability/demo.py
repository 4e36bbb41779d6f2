"""Demo data: a weekly accountability session with twelve past meetings and one to come.

Deterministic (seeded random) and safe to re-run: it does nothing when the series already has
meetings. Runs after the metrics seed, so CX issues are raised from the seeded breaches.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accountability import services
from accountability.compliment_demo import seed_compliments
from accountability.followup_demo import seed_followups
from accountability.models import (
    ActionItem,
    ActionItemEvent,
    ActionStatus,
    AgendaItem,
    Attendance,
    CXIssue,
    CXIssueStatus,
    Meeting,
    MeetingSeries,
)
from accountability.note_demo import seed_change_notes
from accountability.pulse_demo import seed_pulse_and_blockers
from cco.demo import Progress
from cco.models import Department, Role, User

SERIES_NAME = "Customer accountability session"
PAST_MEETINGS = 12
ACTIONS_PER_MEETING = 10

ACTION_TEMPLATES = [
    "Call back every detractor from last week within 48 hours",
    "Publish the revised refund policy on the help centre",
    "Shorten the IVR menu to three options",
    "Train night-shift agents on the new returns process",
    "Fix the password-reset email that lands in spam",
    "Add delivery-slot reminders by text message",
    "Review the top ten complaint reasons with the product team",
    "Cut invoice disputes by explaining pro-rata charges on the bill",
    "Hire two more agents for the Monday peak",
    "Remove the mandatory account step from checkout",
    "Report first-contact resolution weekly to the meeting",
    "Agree a service-level for store call-backs",
    "Map the onboarding journey with five new customers",
    "Close the loop with customers who rated the app below 5",
    "Rewrite the late-delivery apology email",
    "Move the cancellation option to the first page of the account",
]

DECISIONS = [
    "The contact centre owns call-backs to detractors from now on; others hand them over.",
    "No new marketing emails to customers with an open complaint.",
    "Billing explains pro-rata charges on every first invoice.",
    "Digital fixes the checkout step before the peak season release.",
    "Operations reports missed delivery slots to the meeting every week.",
    "The refund limit agents may grant without approval goes up to 50.",
    "Product reviews the top complaint reasons monthly with customer service.",
]

HAND_RAISED = [
    ("Customers are charged twice after a plan change", "finance"),
    ("Missed evening delivery slots without notice", "operations"),
]

ROOT_CAUSES = [
    "Too few agents rostered on Monday mornings after the weekend backlog.",
    "The invoice does not explain pro-rata charges after a plan change.",
    "The delivery partner's slot system double-books the evening slots.",
]
PLANS = [
    "Roster two more agents on Mondays; review the queue daily for four weeks.",
    "Add an explanation line to the invoice and a help article linked from it.",
    "Cap evening slots per van and send a text when a slot changes.",
]


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def seed(*, stdout: Any, options: dict[str, Any]) -> None:
    progress = Progress(stdout, "Accountability")
    cases = seed_followups()
    progress.done(
        f"{cases['cases']} follow-up cases of recent detractors, {cases['closed']} closed"
    )
    pulse = seed_pulse_and_blockers()
    progress.done(
        f"{pulse['rounds']} pulse rounds with {pulse['answers']} anonymous answers, "
        f"{pulse['blockers']} front-line blockers"
    )
    compliments = seed_compliments()
    progress.done(
        f"{compliments['compliments']} compliments from praising verbatims, "
        f"{compliments['routed']} routed to a person"
    )
    cco = User.objects.filter(role=Role.CCO, is_active=True).order_by("pk").first()
    departments = list(Department.objects.order_by("name"))
    if cco is None or not departments:
        progress.done("no CCO or departments yet; nothing seeded")
        return
    series = MeetingSeries.objects.filter(name=SERIES_NAME).first()
    if series is not None and series.meetings.exists():
        progress.done("the demo series already has meetings; left as it is")
        return
    with transaction.atomic():
        counts = _seed(cco=cco, departments=departments, series=series)
    progress.done(
        f"{counts['meetings']} past meetings with minutes, "
        f"{counts['actions']} action items ({counts['late']} late), "
        f"{counts['issues']} CX issues from breaches, one meeting scheduled"
    )
    progress.done(f"{seed_change_notes()} change notes (you said, we did)")


def _seed(*, cco: User, departments: list[Department], series: MeetingSeries | None) -> dict:
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    heads = list(User.objects.filter(role=Role.DEPARTMENT_HEAD, is_active=True).order_by("pk"))
    people: dict[int, list[User]] = {}
    for person in User.objects.filter(
        role__in=[Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR], is_active=True, department__isnull=False
    ).order_by("pk"):
        people.setdefault(person.department_id, []).append(person)  # type: ignore[arg-type]

    first_day = today - timedelta(days=7 * PAST_MEETINGS)
    first_day += timedelta(days=(1 - first_day.weekday()) % 7)  # Tuesdays
    if series is None:
        series = services.meeting_series_create(
            actor=cco,
            name=SERIES_NAME,
            cadence="weekly",
            weekday=1,
            start_time=time(9, 30),
            duration_minutes=60,
            location="Board room, 4th floor, and video",
            attendees=heads,
            first_on=first_day,
        )
    services.cx_issues_raise_from_breaches()  # usually done already by the breach signal
    from_breaches = list(CXIssue.objects.filter(origin="breach").order_by("raised_at", "pk"))
    if from_breaches:
        # The oldest has been worked through: a root cause and an agreed plan.
        CXIssue.objects.filter(pk=from_breaches[0].pk).update(
            root_cause=ROOT_CAUSES[0], remediation_plan=PLANS[0], status=CXIssueStatus.PLAN_AGREED
        )
    for index, (title, slug) in enumerate(HAND_RAISED):
        department = Department.objects.filter(slug=slug).first() or departments[0]
        issue = services.cx_issue_raise(actor=cco, title=title, department=department)
        raised = timezone.now() - timedelta(days=40 - 15 * index)
        CXIssue.objects.filter(pk=issue.pk).update(raised_at=raised, updated_at=raised)
        if index == 0:
            CXIssue.objects.filter(pk=issue.pk).update(
                root_cause=ROOT_CAUSES[1],
                remediation_plan=PLANS[1],
                status=CXIssueStatus.RESOLVED,
                resolved_at=timezone.now() - timedelta(days=5),
            )
    issues = from_breaches

    counts = {"meetings": 0, "actions": 0, "late": 0, "issues": len(issues)}
    for week in range(PAST_MEETINGS):
        day = first_day + timedelta(days=7 * week)
        if day >= today:
            break
        meeting, _ = Meeting.objects.get_or_create(
            series=series, scheduled_at=_at(day, series.start_time)
        )
        services.meeting_open(meeting_id=meeting.pk, actor=cco)
        _hold(meeting, rng=rng, day=day, cco=cco)
        for _ in range(ACTIONS_PER_MEETING):
            department = rng.choice(departments)
            late = _action(
                meeting,
                rng=rng,
                day=day,
                today=today,
                cco=cco,
                department=department,
                owners=people.get(department.pk, []),
            )
            counts["actions"] += 1
            counts["late"] += int(late)
        # The minutes of past meetings are not emailed again by the demo.
        Meeting.objects.filter(pk=meeting.pk).update(minutes_sent_at=_at(day, time(11, 0)))
        services.meeting_close(meeting_id=meeting.pk, actor=cco, summary=_summary(rng))
        Meeting.objects.filter(pk=meeting.pk).update(
            started_at=_at(day, time(9, 31)), closed_at=_at(day, time(10, 28))
        )
        counts["meetings"] += 1
    services.meeting_schedule_next(series=series)
    return counts


def _hold(meeting: Meeting, *, rng: random.Random, day: date, cco: User) -> None:
    """Attendance, ratings, discussed agenda items and decisions of one past meeting."""
    for row in Attendance.objects.filter(meeting=meeting):
        present = row.person_id == cco.pk or rng.random() < 0.85
        Attendance.objects.filter(pk=row.pk).update(
            present=present, rating=rng.randint(5, 10) if present else None
        )
    for item in AgendaItem.objects.filter(meeting=meeting):
        if rng.random() < 0.8:
            AgendaItem.objects.filter(pk=item.pk).update(
                discussed=True, notes=rng.choice(["Agreed next step.", "Owner to report back."])
            )
    for text in rng.sample(DECISIONS, k=rng.randint(1, 3)):
        decision = services.decision_record(meeting_id=meeting.pk, actor=cco, text=text)
        type(decision).objects.filter(pk=decision.pk).update(recorded_at=_at(day, time(10, 0)))


def _action(
    meeting: Meeting,
    *,
    rng: random.Random,
    day: date,
    today: date,
    cco: User,
    department: Department,
    owners: list[User],
) -> bool:
    """One action item from a past meeting, with its later history; True when it is late."""
    due = day + timedelta(days=rng.choice([7, 14, 14, 21, 28]))
    owner = rng.choice(owners) if owners and rng.random() < 0.85 else None
    item = services.action_item_create(
        actor=cco,
        title=rng.choice(ACTION_TEMPLATES),
        department=department,
        owner_person=owner,
        due=due,
        meeting=meeting,
    )
    created = _at(day, time(10, 15))
    ActionItem.objects.filter(pk=item.pk).update(created_at=created, updated_at=created)
    ActionItemEvent.objects.filter(action_item=item).update(at=created)
    actor = owner or department.head or cco
    roll = rng.random()
    if due < today:
        if roll < 0.6:
            finished, late = min(due - timedelta(days=rng.randint(0, 4)), today), False
            finished = max(finished, day + timedelta(days=1))
        elif roll < 0.8:
            finished, late = min(due + timedelta(days=rng.randint(1, 10)), today), True
        else:
            status = rng.choice([ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED])
            _move(item, actor=actor, status=status, at_day=due - timedelta(days=2))
            return True
        _move(item, actor=actor, status=ActionStatus.DONE, at_day=finished)
        return late
    if roll < 0.3:
        _move(item, actor=actor, status=ActionStatus.DONE, at_day=min(today, day + timedelta(3)))
    elif roll < 0.7:
        _move(item, actor=actor, status=ActionStatus.IN_PROGRESS, at_day=day + timedelta(days=2))
    return False


def _move(item: ActionItem, *, actor: User, status: str, at_day: date) -> None:
    note = {
        ActionStatus.DONE: "Done; evidence shared with the CCO.",
        ActionStatus.IN_PROGRESS: "Started; first results next week.",
        ActionStatus.BLOCKED: "Waiting for IT to free a developer.",
        ActionStatus.OPEN: "",
    }[ActionStatus(status)]
    if status == ActionStatus.OPEN:
        return
    services.action_item_update(
        item_id=item.pk,
        actor=actor,
        expected_version=item.version,
        status=status,
        note=note,
        today=at_day,
    )
    when = _at(at_day, time(16, 0))
    ActionItem.objects.filter(pk=item.pk).update(updated_at=when)
    ActionItemEvent.objects.filter(action_item=item).exclude(kind="created").update(at=when)


def _summary(rng: random.Random) -> str:
    return rng.choice(
        [
            "Good progress on call-backs; billing disputes still the biggest detractor driver.",
            "Two departments behind on their actions; the CCO asked for recovery dates.",
            "Peak-season readiness reviewed; delivery slots remain the main risk.",
            "New CX issues assigned; owners to bring root causes next week.",
        ]
    )


def long_agenda(*, meeting: Meeting, actor: User, items: int = 60, parked: int = 10) -> None:
    """Give a meeting a long agenda for measuring its page: `items` agenda items over every
    department, half of them late action items (with their owner and due date), the last
    `parked` of them in the parking lot. For the benchmark and the page-size test."""
    from accountability.forms import people_who_can_own

    departments = list(Department.objects.order_by("name"))
    owners: dict[int, list[User]] = {}
    for person in people_who_can_own():
        owners.setdefault(person.department_id or 0, []).append(person)
    today = timezone.localdate()
    for index in range(items):
        department = departments[index % len(departments)]
        source_id = None
        kind = "manual"
        title = f"{ACTION_TEMPLATES[index % len(ACTION_TEMPLATES)]} ({index + 1})"
        if index % 2 == 0:
            action = services.action_item_create(
                actor=actor,
                title=title,
                department=department,
                owner_person=next(iter(owners.get(department.pk, [])), None),
                due=today + timedelta(days=7),
            )
            ActionItem.objects.filter(pk=action.pk).update(due=today - timedelta(days=index + 1))
            kind, source_id = "action_item", action.pk
        is_parked = index >= items - parked
        AgendaItem.objects.create(
            meeting=meeting,
            kind=kind,
            source_id=source_id,
            title=title,
            detail=f"{index + 1} days late" if source_id else "",
            department=department,
            # Ranked as the agenda is: the late action items' section first, then by hand.
            order=index if source_id else items + index,
            severity=float(items - index),
            planned_minutes=0 if is_parked else 1,
            parked=is_parked,
        )
