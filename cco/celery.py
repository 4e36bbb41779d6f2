import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cco.settings")

app = Celery("cco")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from cco.schedule import BEAT_SCHEDULE  # noqa: E402 - needs the app configured first

app.conf.beat_schedule = BEAT_SCHEDULE
