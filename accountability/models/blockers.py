"""Front-line blockers: something in the way of serving the customer, raised by anyone against the
department that can remove it; colleagues add their voice; the owning head answers within a
service level; loud or overdue blockers go on the accountability meeting's agenda."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# Working days the owning head has to answer.
BLOCKER_SLA_WORKING_DAYS = 5
# Voices (the raiser's counts as one) that put an unresolved blocker on the agenda.
BLOCKER_AGENDA_VOICES = 3


class BlockerStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class Blocker(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="blockers"
    )
    touchpoint = models.ForeignKey(
        "metrics.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blockers",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # The last day of the service level: BLOCKER_SLA_WORKING_DAYS working days after raising.
    answer_due = models.DateField()
    status = models.CharField(
        max_length=10, choices=BlockerStatus.choices, default=BlockerStatus.OPEN
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    action_item = models.OneToOneField(
        "accountability.ActionItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blocker",
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="blocker_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="blocker_resolved_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "answer_due"], name="blocker_status_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:blocker-detail", args=[self.pk])

    @property
    def owning_department_id(self) -> int:
        return self.department_id

    def past_service_level(self, today: object) -> bool:
        """Unanswered after its last day."""
        return bool(self.status == BlockerStatus.OPEN and self.answer_due < today)  # type: ignore[operator]


class BlockerVoice(models.Model):
    """A colleague's "me too" (the raiser's own voice is one of them): one per person."""

    blocker = models.ForeignKey(Blocker, on_delete=models.CASCADE, related_name="voices")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocker_voices"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "person"], name="blocker_one_voice_each"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.blocker}"
