"""The daily digest: one email a person a day at most, with the items they own that are due soon
or overdue and, for a chair, what to read before their meeting; and the breach email to the
owning head. Every email has a plain-text and an HTML part and respects the person's opt-out."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accountability.models import (
    ActionItem,
    ActionStatus,
    BreachEmail,
    CXIssue,
    CXIssueStatus,
    EmailOptOut,
    IssueOrigin,
    Meeting,
    MeetingStatus,
    ReminderKind,
    ReminderLog,
)
from accountability.services.emails import email_build
from cco.models import User

DUE_WITHIN_DAYS = 2


def opted_out_ids() -> set[int]:
    """The people who asked for no email from the programme."""
    return set(EmailOptOut.objects.values_list("person_id", flat=True))


@transaction.atomic
def email_preference_set(*, person: User, receive: bool) -> bool:
    """Record whether the person receives the programme's emails; True when it changed."""
    if receive:
        deleted, _ = EmailOptOut.objects.filter(person=person).delete()
        return bool(deleted)
    _, created = EmailOptOut.objects.get_or_create(person=person)
    return created


def _claim(person: User, kind: str, day: date, count: int) -> bool:
    """Insert today's log row for (person, kind); False when it is already there.

    The savepoint keeps the caller's transaction usable after the unique violation.
    """
    try:
        with transaction.atomic():
            ReminderLog.objects.create(person=person, kind=kind, date=day, item_count=count)
    except IntegrityError:
        return False
    return True


def _due_items_by_person(today: date, silent: set[int]) -> dict[User, list[ActionItem]]:
    """Each owner's open items due within two days or overdue. The owner is the named person,
    or the department head when nobody is named."""
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    items = (
        ActionItem.objects.exclude(status=ActionStatus.DONE)
        .filter(due__lte=horizon)
        .select_related("department__head", "owner_person")
        .order_by("due", "pk")
    )
    by_person: dict[User, list[ActionItem]] = defaultdict(list)
    for item in items:
        owner = item.owner_person or item.department.head
        if owner is not None and owner.is_active and owner.email and owner.pk not in silent:
            by_person[owner].append(item)
    return by_person


def _meetings_by_chair(today: date, silent: set[int]) -> dict[User, list[Meeting]]:
    """Each chair's scheduled meetings of today and tomorrow."""
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            scheduled_at__gte=timezone.now() - timedelta(hours=12),
            scheduled_at__lte=timezone.now() + timedelta(days=2),
        )
        .select_related("series__chair")
        .order_by("scheduled_at")
    )
    by_chair: dict[User, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        chair = meeting.series.chair
        if not today <= timezone.localdate(meeting.scheduled_at) <= today + timedelta(days=1):
            continue
        if chair.is_active and chair.email and chair.pk not in silent:
            by_chair[chair].append(meeting)
    return by_chair


def _meeting_figures(today: date) -> dict[str, object]:
    """What a chair reads before a meeting: open CX issues and open items by department."""
    open_issues = CXIssue.objects.exclude(status=CXIssueStatus.RESOLVED)
    return {
        "open_issue_count": open_issues.count(),
        "new_issue_count": open_issues.filter(
            raised_at__gte=timezone.now() - timedelta(days=7)
        ).count(),
        "departments": list(
            ActionItem.objects.exclude(status=ActionStatus.DONE)
            .values("department__name")
            .annotate(
                open=Count("pk"),
                overdue=Count("pk", filter=Q(due__lt=today)),
                blocked=Count("pk", filter=Q(status=ActionStatus.BLOCKED)),
            )
            .order_by("department__name")
        ),
    }


def _daily_subject(overdue: int, due_soon: int, meetings: list[Meeting]) -> str:
    parts = []
    if overdue or due_soon:
        parts.append(f"{overdue} overdue, {due_soon} due soon")
    parts.extend(f"before the meeting {meeting}" for meeting in meetings)
    return "Your day: " + "; ".join(parts)


def reminders_send_daily(*, today: date | None = None) -> int:
    """Send each person at most one email a day: their open items due within two days or
    overdue and, for a chair, the digest of their meeting of today or tomorrow. Returns the
    emails sent.

    The day's log row is inserted in the same transaction as the send, before it: a second run
    the same day finds the row and sends nothing, and a failed send rolls the row back so a
    retry can send. A person who opted out gets nothing.
    """
    today = today or timezone.localdate()
    silent = opted_out_ids()
    items = _due_items_by_person(today, silent)
    meetings = _meetings_by_chair(today, silent)
    figures = _meeting_figures(today) if meetings else {}
    sent = 0
    for person in sorted(set(items) | set(meetings), key=lambda person: person.pk):
        person_items = items.get(person, [])
        person_meetings = meetings.get(person, [])
        with transaction.atomic():
            if not _claim(person, ReminderKind.DAILY_DIGEST, today, len(person_items)):
                continue
            overdue = [item for item in person_items if item.due < today]
            due_soon = [item for item in person_items if item.due >= today]
            email_build(
                subject=_daily_subject(len(overdue), len(due_soon), person_meetings),
                template="accountability/email/daily",
                context={
                    "person": person,
                    "overdue": overdue,
                    "due_soon": due_soon,
                    "meetings": person_meetings,
                    "today": today,
                    **(figures if person_meetings else {}),
                },
                to=[person.email],
            ).send()
            sent += 1
    return sent


# The daily run catches up on issues raised this recently whose email was never claimed.
BREACH_EMAIL_CATCH_UP = timedelta(days=2)


def breach_emails_send(*, issue_ids: list[int] | None = None) -> int:
    """Tell the owning department's head, once, that a breach raised a CX issue, with a link.

    Issues raised by hand are not announced (the CCO raised them in person). The row is claimed
    in the same transaction as the send: a second run sends nothing, a failed send rolls the
    claim back for a retry. Returns the emails sent.
    """
    issues = (
        CXIssue.objects.filter(origin=IssueOrigin.BREACH, breach_email__isnull=True)
        .select_related("department__head")
        .order_by("raised_at", "pk")
    )
    if issue_ids is not None:
        issues = issues.filter(pk__in=issue_ids)
    else:
        issues = issues.filter(raised_at__gte=timezone.now() - BREACH_EMAIL_CATCH_UP)
    silent = opted_out_ids()
    sent = 0
    for issue in issues:
        head = issue.department.head
        address = head.email if head is not None and head.is_active else ""
        if head is None or head.pk in silent:
            address = ""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    BreachEmail.objects.create(issue=issue, to=address)
            except IntegrityError:
                continue
            if not address:
                continue
            email_build(
                subject=f"CX issue for {issue.department}: {issue.title}",
                template="accountability/email/breach",
                context={"issue": issue, "head": head},
                to=[address],
            ).send()
            sent += 1
    return sent
