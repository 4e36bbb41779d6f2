"""The driver analyses' stored results (see metrics/services/drivers.py)."""

from django.db import models


class DriverOutcome(models.TextChoices):
    NPS = "nps", "Overall NPS"
    RETENTION = "retention", "Retention"


class DriverAnalysis(models.Model):
    """Which touch points move an outcome most: one row per outcome, rebuilt whole by
    `drivers_rebuild` (metrics/services/drivers.py; the method is in docs/money.md).

    `drivers` holds one entry per touch point with answers, ranked first by importance; a
    touch point with too few poor answers is listed with its counts and no figure. The touch
    point's name is kept as it was at the rebuild, so the overview reads this in one query."""

    outcome = models.CharField(max_length=10, choices=DriverOutcome.choices, unique=True)
    customers = models.IntegerField(help_text="Customers with an outcome and an NPS answer.")
    enough = models.BooleanField(default=False)
    refusal = models.CharField(max_length=200, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    rebuilt_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome"]
        verbose_name_plural = "driver analyses"

    def __str__(self) -> str:
        return f"drivers of {self.get_outcome_display()}: {self.customers} customers"
