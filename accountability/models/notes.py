""" "You said, we did": a short change note published when a CX issue is resolved or an
initiative delivered, naming the touch points (and themes) it answers — the record the CCO shows
the board and the front line."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# Short enough to read on a phone and quote in the board pack.
TITLE_MAX = 120
TEXT_MAX = 500


class ChangeNote(models.Model):
    title = models.CharField(max_length=TITLE_MAX)
    you_said = models.CharField(
        "what you said", max_length=TEXT_MAX, help_text="What customers told us, in their words."
    )
    we_did = models.CharField(
        "what we did", max_length=TEXT_MAX, help_text="What changed because of it."
    )
    # Exactly one source (constraint below); the service also requires it to be finished.
    cx_issue = models.ForeignKey(
        "accountability.CXIssue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="change_notes",
        verbose_name="CX issue",
    )
    initiative = models.ForeignKey(
        "roadmap.Initiative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="change_notes",
    )
    touchpoints = models.ManyToManyField(
        "metrics.Touchpoint", related_name="change_notes", verbose_name="touch points"
    )
    themes = models.ManyToManyField("metrics.Theme", related_name="change_notes", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock, as on action items: an edit carrying an older version is a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cx_issue__isnull=False, initiative__isnull=True)
                | Q(cx_issue__isnull=True, initiative__isnull=False),
                name="changenote_exactly_one_source",
                violation_error_message="A change note answers one CX issue or one initiative.",
            ),
        ]
        indexes = [
            # The "You said, we did" page and the board pack: notes of a period, newest first.
            models.Index(fields=["published_at"], name="changenote_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:change-note-detail", args=[self.pk])

    @property
    def source(self) -> models.Model:
        return self.cx_issue if self.cx_issue_id else self.initiative  # type: ignore[return-value]

    @property
    def owning_department_id(self) -> int:
        """The department of the issue or initiative it answers: its head edits and withdraws."""
        return self.source.department_id  # type: ignore[attr-defined]
