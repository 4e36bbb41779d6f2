"""Celery tasks: take ids, call a service."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from accountability import services
from accountability.models import Meeting, MeetingStatus
from accountability.services.compliments import compliments_collect
from accountability.services.followups import followup_cases_open

logger = logging.getLogger(__name__)


@shared_task
def cx_issues_raise_task(breach_ids: list[int] | None = None) -> int:
    raised = services.cx_issues_raise_from_breaches(breach_ids=breach_ids)
    if raised:
        services.breach_emails_send(issue_ids=[issue.pk for issue in raised])
    return len(raised)


@shared_task
def compliments_collect_task() -> int:
    return compliments_collect()


@shared_task
def followup_cases_open_task() -> int:
    return len(followup_cases_open())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def minutes_send_task(meeting_id: int) -> int:
    return services.minutes_send(meeting_id=meeting_id)


@shared_task
def reminders_daily_task() -> dict[str, int]:
    unsent = Meeting.objects.filter(
        status=MeetingStatus.CLOSED,
        minutes_sent_at__isnull=True,
        closed_at__gte=timezone.now() - timedelta(days=7),
    ).values_list("pk", flat=True)
    return {
        "minutes_caught_up": sum(1 for pk in unsent if services.minutes_send(meeting_id=pk)),
        "daily_digests": services.reminders_send_daily(),
        "breach_emails": services.breach_emails_send(),
    }
