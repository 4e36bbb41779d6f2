"""Queueing Celery tasks from requests that have already saved their work."""

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Any, **kwargs: Any) -> None:
    """Queue `task`, surviving a broker outage.

    Every queued job here has a catch-up path (the beat schedule's incremental roll-up,
    issues raised when a meeting opens, minutes sent by the daily task), so a request whose
    data is already committed must not fail because Redis is down.
    """
    try:
        task.delay(**kwargs)
    except OperationalError:
        logger.warning("Broker unavailable: %s(%s) left to the catch-up run", task.name, kwargs)


def enqueue_on_commit(task: Any, **kwargs: Any) -> None:
    """`enqueue` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
