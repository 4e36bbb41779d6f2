"""Celery tasks: thin wrappers that call the services.

Services queue these by name (cco.queue), never by importing this module, which imports them.

acks_late + reject_on_worker_lost (settings) re-deliver a task whose worker died; the services
recompute whole periods inside one transaction under an advisory lock, so a re-run is harmless.
"""

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from cco.queue import enqueue
from metrics.services import rollup_incremental, rollup_rebuild
from metrics.services.customers import SAY_DO_TASK, say_do_rebuild
from metrics.services.drivers import DRIVERS_TASK, drivers_rebuild
from metrics.services.segments import segment_rollup_rebuild
from metrics.services.themes import themes_apply, themes_reapply
from metrics.services.webhooks import webhook_catch_up

SEGMENT_TASK = "metrics.tasks.segment_rollup_rebuild_task"
# The overview's panels are keyed by the roll-up watermark: a roll-up that moved it leaves them
# cold, so they are computed at once rather than by the first reader.
OVERVIEW_WARM_TASK = "overview.tasks.overview_warm_task"
# A whole rebuild waiting in the queue is not queued again for this long: a burst of imports
# (each rolled up at once) costs one say-versus-do and one segment rebuild, not one each.
PENDING_SECONDS = 15 * 60

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


def _pending_key(task: str) -> str:
    return f"metrics:pending:{task}"


def enqueue_rebuild(task: str) -> bool:
    """Queue a whole rebuild unless one is already waiting; True when queued now. The task
    clears the mark as it starts, so answers arriving during a rebuild queue the next one."""
    if not cache.add(_pending_key(task), 1, timeout=PENDING_SECONDS):
        return False
    if not enqueue(task):
        cache.delete(_pending_key(task))  # the broker is down: the next roll-up tries again
        return False
    return True


def _rebuilds_after_new_answers() -> None:
    # New answers may change a customer's latest answer at a scope, and a segment's months:
    # say versus do and the segment roll-up follow.
    enqueue_rebuild(SAY_DO_TASK)
    enqueue_rebuild(SEGMENT_TASK)
    enqueue_rebuild(DRIVERS_TASK)


@shared_task(**RETRY)
def rollup_incremental_task() -> dict[str, object]:
    result = rollup_incremental()
    if result.responses:
        _rebuilds_after_new_answers()
    # Even without new answers: a warm entry costs the task a cache read, a cold one is filled.
    enqueue(OVERVIEW_WARM_TASK)
    return {"responses": result.responses, "breaches": list(result.breach_ids)}


@shared_task(**RETRY)
def rollup_rebuild_task() -> dict[str, object]:
    result = rollup_rebuild()
    _rebuilds_after_new_answers()
    enqueue(OVERVIEW_WARM_TASK)
    return {"responses": result.responses, "breaches": list(result.breach_ids)}


@shared_task(**RETRY)
def say_do_rebuild_task() -> dict[str, int]:
    cache.delete(_pending_key(SAY_DO_TASK))
    return say_do_rebuild()


@shared_task(**RETRY)
def segment_rollup_rebuild_task() -> int:
    cache.delete(_pending_key(SEGMENT_TASK))
    written = segment_rollup_rebuild()
    # The rebuild moved the roll-up version on: the overview's default view is computed again.
    enqueue(OVERVIEW_WARM_TASK)
    return written


@shared_task(**RETRY)
def themes_apply_task() -> int:
    return themes_apply()


@shared_task(**RETRY)
def themes_reapply_task() -> int:
    return themes_reapply()


@shared_task(**RETRY)
def drivers_rebuild_task() -> dict[str, int]:
    cache.delete(_pending_key(DRIVERS_TASK))
    return drivers_rebuild()


@shared_task(**RETRY)
def webhook_catch_up_task() -> None:
    webhook_catch_up()
