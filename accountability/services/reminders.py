"""Daily reminders: owners hear about items due soon or overdue; the chair gets a digest
before each meeting. Never the same reminder twice a day."""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
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


def reminders_send_due(*, today: date | None = None) -> int:
    """Email each owner their open items due within two days or overdue; returns emails sent.

    The owner is the named person, or the department head when nobody is named. The log row is
    inserted in the same transaction as the send, before it: a second run the same day finds
    the row and sends nothing, and a failed send rolls the row back so a retry can send.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    items = (
        ActionItem.objects.exclude(status=ActionStatus.DONE)
        .filter(due__lte=horizon)
        .select_related("department__head", "owner_person")
        .order_by("due", "pk")
    )
    by_person: dict[User, list[ActionItem]] = defaultdict(list)
    silent = opted_out_ids()
    for item in items:
        owner = item.owner_person or item.department.head
        if owner is not None and owner.is_active and owner.email and owner.pk not in silent:
            by_person[owner].append(item)
    sent = 0
    for person, person_items in sorted(by_person.items(), key=lambda pair: pair[0].pk):
        with transaction.atomic():
            if not _claim(person, ReminderKind.DUE_ITEMS, today, len(person_items)):
                continue
            overdue = [item for item in person_items if item.due < today]
            body = render_to_string(
                "accountability/email/due_items.txt",
                {
                    "person": person,
                    "overdue": overdue,
                    "due_soon": [item for item in person_items if item.due >= today],
                    "today": today,
                    "site_url": settings.SITE_URL,
                },
            )
            subject = (
                f"{len(overdue)} overdue, {len(person_items) - len(overdue)} due soon: "
                "your action items"
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
            sent += 1
    return sent


def reminders_send_meeting_digest(*, today: date | None = None) -> int:
    """Send each chair a digest on the day before, and the day of, their next meeting."""
    today = today or timezone.localdate()
    meetings = (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED)
        .select_related("series__chair")
        .order_by("scheduled_at")
    )
    upcoming = [
        meeting
        for meeting in meetings.filter(
            scheduled_at__gte=timezone.now() - timedelta(hours=12),
            scheduled_at__lte=timezone.now() + timedelta(days=2),
        )
        if today <= timezone.localdate(meeting.scheduled_at) <= today + timedelta(days=1)
    ]
    if not upcoming:
        return 0
    open_issues = CXIssue.objects.exclude(status=CXIssueStatus.RESOLVED)
    by_department = list(
        ActionItem.objects.exclude(status=ActionStatus.DONE)
        .values("department__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due__lt=today)),
            blocked=Count("pk", filter=Q(status=ActionStatus.BLOCKED)),
        )
        .order_by("department__name")
    )
    new_issues = open_issues.filter(raised_at__gte=timezone.now() - timedelta(days=7)).count()
    sent = 0
    silent = opted_out_ids()
    for meeting in upcoming:
        chair = meeting.series.chair
        if not chair.email or chair.pk in silent:
            continue
        with transaction.atomic():
            if not _claim(chair, ReminderKind.MEETING_DIGEST, today, open_issues.count()):
                continue
            body = render_to_string(
                "accountability/email/meeting_digest.txt",
                {
                    "meeting": meeting,
                    "open_issue_count": open_issues.count(),
                    "new_issue_count": new_issues,
                    "departments": by_department,
                    "site_url": settings.SITE_URL,
                },
            )
            send_mail(
                f"Before the meeting: {meeting}", body, settings.DEFAULT_FROM_EMAIL, [chair.email]
            )
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
            body = render_to_string(
                "accountability/email/breach.txt",
                {"issue": issue, "head": head, "site_url": settings.SITE_URL},
            )
            send_mail(
                f"CX issue for {issue.department}: {issue.title}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
            sent += 1
    return sent
