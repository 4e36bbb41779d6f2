"""Webhook sources of survey responses: who may post, how their questions map, what was seen.

A source's signing secret is never stored: it is derived from the product's SECRET_KEY and the
source's random salt (metrics.services.webhooks.webhook_secret), shown once to the CCO when made
or rotated. A copy of the database alone cannot sign a request.
"""

from django.db import models
from django.utils import timezone


class PayloadShape(models.TextChoices):
    NATIVE = "native", "Our JSON (the CSV's fields)"
    FORMBRICKS = "formbricks", "Formbricks responseFinished"


class WebhookSource(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    shape = models.CharField(max_length=12, choices=PayloadShape.choices)
    salt = models.CharField(max_length=64, help_text="Rotating it changes the secret.")
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def response_source(self) -> str:
        """The `source` its responses are stored under (unique with their external id)."""
        return f"webhook:{self.slug}"


class QuestionRole(models.TextChoices):
    NPS = "nps", "NPS score"
    CSAT = "csat", "CSAT score"
    CES = "ces", "CES score"
    COMMENT = "comment", "Comment (text)"
    IGNORE = "ignore", "Ignore"


class WebhookQuestion(models.Model):
    """A survey question id of a source, mapped to a touch point and metric (or a comment)."""

    source = models.ForeignKey(WebhookSource, on_delete=models.CASCADE, related_name="questions")
    question_id = models.CharField(max_length=120)
    role = models.CharField(max_length=8, choices=QuestionRole.choices)
    touchpoint = models.ForeignKey(
        "metrics.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_questions",
    )

    class Meta:
        ordering = ["source_id", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "question_id"], name="metrics_webhook_question_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["comment", "ignore"], touchpoint__isnull=True)
                | (~models.Q(role__in=["comment", "ignore"]) & models.Q(touchpoint__isnull=False)),
                name="metrics_webhook_score_question_has_touchpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.role}"


class WebhookDelivery(models.Model):
    """A webhook-id accepted from a source: a replay of it is answered, never stored again."""

    source = models.ForeignKey(WebhookSource, on_delete=models.CASCADE, related_name="deliveries")
    webhook_id = models.CharField(max_length=120)
    received_at = models.DateTimeField(default=timezone.now)
    inserted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "webhook_id"], name="metrics_webhook_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.webhook_id}"
