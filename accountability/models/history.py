"""The shape every history shares: who did what, when (action items, CX issues, cases)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS = "status", "Status changed"
    NOTE = "note", "Progress note"
    EDITED = "edited", "Edited"
    BREACH = "breach", "Breach attached"


class HistoryEvent(models.Model):
    """One row of a versioned object's history: who did what, when.

    Each concrete history links to its object with `related_name="events"`, which is how
    `accountability/services/versioned.py` writes and reads every history the same way.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class ActionItemEvent(HistoryEvent):
    """The history of an action item: every status change and progress note, who and when."""

    action_item = models.ForeignKey(
        "accountability.ActionItem", on_delete=models.CASCADE, related_name="events"
    )


class CXIssueEvent(HistoryEvent):
    """The history of a CX issue: raised, plan written, status changes, notes."""

    issue = models.ForeignKey(
        "accountability.CXIssue", on_delete=models.CASCADE, related_name="events"
    )
