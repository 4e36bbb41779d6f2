"""Celery tasks: take ids, call a service."""

from celery import shared_task

from accountability import services


@shared_task
def cx_issues_raise_task(breach_ids: list[int] | None = None) -> int:
    return len(services.cx_issues_raise_from_breaches(breach_ids=breach_ids))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def minutes_send_task(meeting_id: int) -> int:
    return services.minutes_send(meeting_id=meeting_id)


@shared_task
def reminders_daily_task() -> dict[str, int]:
    return {
        "due_items": services.reminders_send_due(),
        "meeting_digests": services.reminders_send_meeting_digest(),
    }
