import os

from celery import Celery
from celery.backends.redis import RedisBackend

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cco.settings")


class ResultBackend(RedisBackend):
    """Redis result store that is read only when someone waits for a result.

    Celery's Redis store subscribes to a task's result as the task is sent, so sending a task
    from a request needed the result store as well as the broker, and while Redis was down
    that subscription retried for about 20 s before failing. `AsyncResult.get()` subscribes
    itself and then reads the stored result, so a result that arrived first is not missed.
    """

    def on_task_call(self, producer: object, task_id: str) -> None:
        return None


app = Celery("cco")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from cco.schedule import BEAT_SCHEDULE  # noqa: E402 - needs the app configured first

app.conf.beat_schedule = BEAT_SCHEDULE
