from typing import Any

from django.apps import AppConfig

from cco.queue import enqueue_on_commit


def queue_issues_for_breaches(sender: Any, breach_ids: list[int], **kwargs: Any) -> None:
    """Each new metrics Breach becomes one CX issue, raised by a task after the commit."""
    enqueue_on_commit("accountability.tasks.cx_issues_raise_task", breach_ids=list(breach_ids))


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        try:
            from metrics.signals import breaches_detected
        except ImportError:  # the metrics app has not shipped its signal yet
            return
        breaches_detected.connect(
            queue_issues_for_breaches, dispatch_uid="accountability-issues-from-breaches"
        )
