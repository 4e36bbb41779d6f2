"""The Celery beat schedule: every periodic job of the product, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Roll up responses that arrived since the last run (ingest also queues it at once).
    "rollup-incremental": {
        "task": "metrics.tasks.rollup_incremental_task",
        "schedule": crontab(minute="*/5"),
    },
    # Accountability: each morning, owners hear about items due within two days or overdue, and
    # the chair gets a digest the day before and the day of a meeting (once a day per person).
    "accountability-reminders-daily": {
        "task": "accountability.tasks.reminders_daily_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Say versus do: new answers carrying customer ids change who is a promoter; nightly.
    "say-do-rebuild": {
        "task": "metrics.tasks.say_do_rebuild_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The executives' weekly digest of last week's overview, Monday morning.
    "executive-digest": {
        "task": "overview.tasks.executive_digest_task",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    # Follow-up cases for responses whose import could not queue the task (broker down).
    "followup-cases-open": {
        "task": "accountability.tasks.followup_cases_open_task",
        "schedule": crontab(minute="*/5"),
    },
    # The quarterly board pack of the quarter just ended, to the executives and the CCO.
    "board-pack-quarterly": {
        "task": "overview.tasks.board_pack_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=6, minute=0),
    },
    # Themes for responses (and a changed taxonomy) whose run could not be queued.
    "themes-apply": {
        "task": "metrics.tasks.themes_apply_task",
        "schedule": crontab(minute="*/5"),
    },
    # Compliments from verbatims that mention a praise theme (also queued after each import).
    "compliments-collect": {
        "task": "accountability.tasks.compliments_collect_task",
        "schedule": crontab(minute="2-59/5"),
    },
    # Drivers of NPS and retention: also queued after roll-ups and outcome imports; nightly.
    "drivers-rebuild": {
        "task": "metrics.tasks.drivers_rebuild_task",
        "schedule": crontab(hour=2, minute=45),
    },
}
