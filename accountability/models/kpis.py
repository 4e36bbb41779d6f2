"""The history of a department's KPI values entered from the page: who entered which value for
which week, and what it replaced."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class KPIValueChange(models.Model):
    kpi = models.ForeignKey("metrics.KPI", on_delete=models.CASCADE, related_name="value_changes")
    week_start = models.DateField()
    old_value = models.FloatField(null=True, blank=True)  # none: the week's first value
    new_value = models.FloatField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.week_start}: {self.old_value} → {self.new_value}"
