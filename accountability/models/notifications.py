"""Reminders sent (one a person, kind and day) and personal calendar feeds."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ReminderKind(models.TextChoices):
    DUE_ITEMS = "due_items", "Items due soon or overdue"
    MEETING_DIGEST = "meeting_digest", "Digest before a meeting"
    # Since the two became one: items due and, for a chair, the meeting digest, in one email.
    DAILY_DIGEST = "daily_digest", "Daily digest"


class ReminderLog(models.Model):
    """One row per reminder sent: the unique key makes a second send the same day impossible."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "date"], name="reminder_once_per_person_kind_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} on {self.date}"


class CalendarFeed(models.Model):
    """A per-person secret that lets a calendar app fetch the ICS feed without a session."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("accountability:calendar-feed", args=[self.token])


class EmailOptOut(models.Model):
    """A person who asked for no email from the accountability programme (reminders, the
    meeting digest, the minutes): the row's existence is the choice, taken back by deleting it."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_out"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person"]

    def __str__(self) -> str:
        return f"No email to {self.person}"


class BreachEmail(models.Model):
    """The one email telling the owning department's head that a breach raised a CX issue: the
    row is claimed before sending, so the issue is never announced twice. `to` is empty when
    nobody could be told (no head, no address, or the head opted out)."""

    issue = models.OneToOneField(
        "accountability.CXIssue", on_delete=models.CASCADE, related_name="breach_email"
    )
    to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Breach email for issue {self.issue_id} to {self.to or 'nobody'}"
