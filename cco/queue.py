"""Queueing Celery tasks from requests that have already saved their work."""

import logging
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Any, **kwargs: Any) -> None:
    """Queue `task` (the task, or its name: "app.tasks.some_task"), surviving a broker outage.

    A service names the task rather than importing it, so `tasks.py` (which imports the
    services) and the services never import each other.

    Every queued job here has a catch-up path (the beat schedule's incremental roll-up,
    issues raised when a meeting opens, minutes sent by the daily task), so a request whose
    data is already committed must not fail because Redis is down.
    """
    if isinstance(task, str):
        task = import_string(task)
    try:
        task.delay(**kwargs)
    except OperationalError:
        logger.warning("Broker unavailable: %s(%s) left to the catch-up run", task.name, kwargs)


def enqueue_on_commit(task: Any, **kwargs: Any) -> None:
    """`enqueue` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
