"""The Celery beat schedule: every periodic job of the product, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "rollup-incremental": {
        "task": "metrics.tasks.rollup_incremental_task",
        "schedule": crontab(minute="*/5"),
    },
}
