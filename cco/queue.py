"""Queueing Celery tasks from requests that have already saved their work."""

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a lost broker or result store raises: kombu wraps most transport errors, but the Redis
# client's own and the socket's come through too, sometimes as the cause of another error
# (Celery's result store raises a RuntimeError from them).
OUTAGE_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def broker_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, is a lost connection to Redis."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OUTAGE_ERRORS):
            return True
        seen = seen.__cause__
    return False


def enqueue(task: Any, **kwargs: Any) -> bool:
    """Queue `task` (the task, or its name: "app.tasks.some_task"), surviving a broker outage;
    True when it was queued, False when the queue was unavailable.

    A service names the task rather than importing it, so `tasks.py` (which imports the
    services) and the services never import each other.

    Every queued job here has a catch-up path (the beat schedule's incremental roll-up,
    issues raised when a meeting opens, minutes sent by the daily task), so a request whose
    data is already committed must not fail because Redis is down; the settings keep the
    attempt to about a second (see CELERY_BROKER_TRANSPORT_OPTIONS).
    """
    if isinstance(task, str):
        task = import_string(task)
    try:
        task.delay(**kwargs)
    except Exception as error:
        if not broker_unavailable(error):
            raise
        logger.warning(
            "The task queue is unavailable (%s): %s is left to the catch-up run, so the "
            "figures are catching up.",
            " ".join(str(error).split()) or type(error).__name__,
            task.name,
        )
        return False
    return True


def enqueue_on_commit(task: Any, **kwargs: Any) -> None:
    """`enqueue` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))


def enqueue_debounced(task: Any, *, seconds: int) -> bool:
    """Queue `task` to run `seconds` from now unless one is already waiting: a stream of
    requests (a webhook) queues one run per window, which covers every request before it.
    True when this call queued it."""
    if isinstance(task, str):
        task = import_string(task)
    try:
        first_in_window = cache.add(f"debounce:{task.name}", 1, timeout=seconds)
    except OUTAGE_ERRORS as error:
        # Redis holds both the debounce mark and the queue: the caller's work is saved already,
        # so its request must still succeed; the beat schedule's catch-up runs pick it up.
        logger.warning(
            "The cache is unavailable (%s): %s is left to the catch-up run.", error, task.name
        )
        return False
    if not first_in_window:
        return False
    try:
        task.apply_async(countdown=seconds)
    except Exception as error:
        cache.delete(f"debounce:{task.name}")
        if not broker_unavailable(error):
            raise
        logger.warning("The task queue is unavailable: %s is left to the catch-up run.", task.name)
        return False
    return True
