from typing import Any

from django.apps import AppConfig

from cco.queue import enqueue, enqueue_debounced, enqueue_on_commit


def queue_issues_for_breaches(sender: Any, breach_ids: list[int], **kwargs: Any) -> None:
    """Each new metrics Breach becomes one CX issue, raised by a task after the commit."""
    enqueue_on_commit("accountability.tasks.cx_issues_raise_task", breach_ids=list(breach_ids))


def queue_followups_for_responses(sender: Any, live: bool = False, **kwargs: Any) -> None:
    """New responses may open follow-up cases; the signal is sent after the import commits.
    Responses arriving one by one (a webhook) share a run a second later."""
    if live:
        enqueue_debounced("accountability.tasks.followup_cases_open_task", seconds=1)
    else:
        enqueue("accountability.tasks.followup_cases_open_task")


def queue_compliments_for_responses(sender: Any, live: bool = False, **kwargs: Any) -> None:
    """New responses may praise a team, once metrics has read them for themes (its task is
    queued by the same signal, first); a run that meets them unread leaves them to the next,
    or to the five-minute catch-up. Responses arriving one by one share a run."""
    if live:
        enqueue_debounced("accountability.tasks.compliments_collect_task", seconds=5)
    else:
        enqueue("accountability.tasks.compliments_collect_task")


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        try:
            from metrics.signals import breaches_detected, responses_imported
        except ImportError:  # the metrics app has not shipped its signals yet
            return
        breaches_detected.connect(
            queue_issues_for_breaches, dispatch_uid="accountability-issues-from-breaches"
        )
        responses_imported.connect(
            queue_followups_for_responses, dispatch_uid="accountability-followups-from-responses"
        )
        responses_imported.connect(
            queue_compliments_for_responses,
            dispatch_uid="accountability-compliments-from-responses",
        )
