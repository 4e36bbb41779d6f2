"""Fixtures the webhook tests share: a touch point and a source of each payload shape."""

import pytest

from metrics.models import WebhookQuestion
from metrics.services.webhooks import webhook_source_create
from tests.metrics.factories import TouchpointFactory


@pytest.fixture
def touchpoint(department_b):  # type: ignore[no-untyped-def]
    return TouchpointFactory(department=department_b, slug="invoice-query")


@pytest.fixture
def native(touchpoint):  # type: ignore[no-untyped-def]
    """A source of our own JSON shape: (source, secret)."""
    return webhook_source_create(slug="shop", name="Shop survey", shape="native")


@pytest.fixture
def formbricks(touchpoint):  # type: ignore[no-untyped-def]
    """A Formbricks source with its NPS question mapped to the touch point: (source, secret)."""
    source, secret = webhook_source_create(slug="fb", name="Formbricks", shape="formbricks")
    WebhookQuestion.objects.create(
        source=source, question_id="q-nps", role="nps", touchpoint=touchpoint
    )
    WebhookQuestion.objects.create(source=source, question_id="q-why", role="comment")
    return source, secret
