"""Celery tasks: thin wrappers that call the services.

Services queue these by name (cco.queue), never by importing this module, which imports them.

acks_late + reject_on_worker_lost (settings) re-deliver a task whose worker died; the services
recompute whole periods inside one transaction under an advisory lock, so a re-run is harmless.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from cco.queue import enqueue
from metrics.services import rollup_incremental, rollup_rebuild
from metrics.services.customers import SAY_DO_TASK, say_do_rebuild
from metrics.services.segments import segment_rollup_rebuild

SEGMENT_TASK = "metrics.tasks.segment_rollup_rebuild_task"

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(**RETRY)
def rollup_incremental_task() -> dict[str, object]:
    result = rollup_incremental()
    if result.responses:
        # New answers may change a customer's latest answer at a scope, and a segment's
        # months: say versus do and the segment roll-up follow.
        enqueue(SAY_DO_TASK)
        enqueue(SEGMENT_TASK)
    return {"responses": result.responses, "breaches": list(result.breach_ids)}


@shared_task(**RETRY)
def rollup_rebuild_task() -> dict[str, object]:
    result = rollup_rebuild()
    enqueue(SAY_DO_TASK)
    enqueue(SEGMENT_TASK)
    return {"responses": result.responses, "breaches": list(result.breach_ids)}


@shared_task(**RETRY)
def say_do_rebuild_task() -> dict[str, int]:
    return say_do_rebuild()


@shared_task(**RETRY)
def segment_rollup_rebuild_task() -> int:
    return segment_rollup_rebuild()
