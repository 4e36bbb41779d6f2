"""Compliments back to the people: a customer's verbatim that praises a team or a person, routed
to the department (and optionally one of its people) it praises — the "memory creators".

A compliment is made when a response's comment mentions a theme the CCO marks as praise
(metrics' theme matching, `PraiseTheme`), or when a head or the CCO flags a verbatim by hand. It
holds the customer's id only through the response; no other personal data is copied.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PraiseTheme(models.Model):
    """A theme of the taxonomy whose mentions are compliments (kept by the theme's row, which a
    taxonomy saved with the same name keeps)."""

    theme = models.OneToOneField("metrics.Theme", on_delete=models.CASCADE, related_name="praise")

    def __str__(self) -> str:
        return f"{self.theme} counts as praise"


class ComplimentSource(models.TextChoices):
    THEME = "theme", "A praise theme"
    HAND = "hand", "Flagged by hand"


class Compliment(models.Model):
    # No database key to the response table: the bulk import sets its primary key aside, which a
    # referencing key forbids. Django still cascades a deleted response to its compliment.
    response = models.ForeignKey(
        "metrics.SurveyResponse",
        on_delete=models.CASCADE,
        related_name="compliments",
        db_constraint=False,
    )
    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="compliments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compliments",
        help_text="A person of the department the compliment is for, when it names one.",
    )
    source = models.CharField(max_length=5, choices=ComplimentSource.choices)
    theme = models.ForeignKey(
        "metrics.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The response's time, copied so that counts per period read this table alone.
    responded_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-responded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["response"], name="compliment_once_per_response"),
        ]
        indexes = [
            # The department page's counts per period and the team's list, newest first.
            models.Index(fields=["department", "responded_at"], name="compliment_dept_time_idx"),
            # "Compliments for you" on a person's home page.
            models.Index(fields=["person", "responded_at"], name="compliment_person_time_idx"),
        ]

    def __str__(self) -> str:
        return f"A compliment for {self.department}"

    @property
    def owning_department_id(self) -> int:
        return self.department_id
