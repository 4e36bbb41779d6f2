"""Redis gone (it holds both the debounce marks and the queue): work already saved must still be
answered normally, and left to the beat schedule's catch-up runs."""

import logging

import pytest
from django.test import override_settings

from cco.queue import enqueue_debounced
from metrics.models import SurveyResponse, WebhookDelivery
from metrics.services.webhooks import webhook_receive, webhook_source_create
from metrics.tasks import rollup_incremental_task
from tests.metrics.factories import TouchpointFactory
from tests.metrics.test_webhooks import answer, signed

# A real Redis client against a port nothing listens on: the connection is refused at once.
UNREACHABLE_REDIS = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)


def test_a_debounced_task_with_the_cache_unreachable_is_left_to_the_catch_up(caplog):
    with UNREACHABLE_REDIS, caplog.at_level(logging.WARNING, logger="cco.queue"):
        queued = enqueue_debounced(rollup_incremental_task, seconds=5)
    assert queued is False
    assert "The cache is unavailable" in caplog.text
    assert rollup_incremental_task.name in caplog.text


@pytest.mark.django_db
def test_a_webhook_delivery_with_redis_unreachable_is_stored_and_accepted(
    department_b, django_capture_on_commit_callbacks, caplog
):
    TouchpointFactory(department=department_b, slug="invoice-query")
    source, secret = webhook_source_create(slug="shop", name="Shop survey", shape="native")
    text, headers = signed(secret, answer(external_id="r-outage"), msg_id="m-outage")
    plain = {key[5:].replace("_", "-").lower(): value for key, value in headers.items()}

    with (
        UNREACHABLE_REDIS,
        caplog.at_level(logging.WARNING, logger="cco.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = webhook_receive(slug=source.slug, body=text.encode(), headers=plain)

    assert outcome.status == 200, outcome.as_dict()
    assert SurveyResponse.objects.filter(external_id="r-outage").count() == 1
    assert WebhookDelivery.objects.filter(webhook_id="m-outage").count() == 1
    assert "left to the catch-up run" in caplog.text
