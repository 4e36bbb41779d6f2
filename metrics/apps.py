from typing import Any

from django.apps import AppConfig


def queue_themes_for_responses(sender: Any, live: bool = False, **kwargs: Any) -> None:
    """New responses are read for themes after the import commits; responses arriving one by
    one (a webhook) share a run a second later."""
    from cco.queue import enqueue, enqueue_debounced

    if live:
        enqueue_debounced("metrics.tasks.themes_apply_task", seconds=1)
    else:
        enqueue("metrics.tasks.themes_apply_task")


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Customer metrics"

    def ready(self) -> None:
        from metrics.signals import responses_imported

        responses_imported.connect(
            queue_themes_for_responses, dispatch_uid="metrics-themes-from-responses"
        )
        # The webhook's cached configuration is read again after any of these changes.
        from django.db.models.signals import post_delete, post_save

        from metrics.models import Touchpoint, WebhookQuestion, WebhookSource
        from metrics.services.webhook_config import webhook_config_changed

        for model in (WebhookSource, WebhookQuestion, Touchpoint):
            for change, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    webhook_config_changed,
                    sender=model,
                    dispatch_uid=f"metrics-webhook-config-{model.__name__}-{change}",
                )
