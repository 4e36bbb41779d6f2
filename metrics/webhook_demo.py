"""The demo's webhook source: a Formbricks survey with its questions mapped."""

from metrics.models import QuestionRole, Touchpoint, WebhookQuestion, WebhookSource
from metrics.services.webhooks import webhook_secret, webhook_source_create

DEMO_SOURCE = "demo-survey"


def seed_webhook_source() -> str:
    """The source (made once) and its secret, for the seed's output."""
    source = WebhookSource.objects.filter(slug=DEMO_SOURCE).first()
    if source is None:
        source, _ = webhook_source_create(
            slug=DEMO_SOURCE, name="Post-call survey (Formbricks)", shape="formbricks"
        )
        touchpoint = Touchpoint.objects.order_by("pk").first()
        if touchpoint is not None:
            WebhookQuestion.objects.create(
                source=source, question_id="nps-after-call", role="nps", touchpoint=touchpoint
            )
            WebhookQuestion.objects.create(
                source=source, question_id="csat-after-call", role="csat", touchpoint=touchpoint
            )
        WebhookQuestion.objects.create(source=source, question_id="why", role=QuestionRole.COMMENT)
    return webhook_secret(source)
