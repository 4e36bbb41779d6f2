"""Where red, amber and green begin for the scores and KPIs: one row per measure, set by the CCO.

A missing row means the default (`DEFAULT_AMBER_BANDS`); every change is kept with who made it
and the value before and after (written by `metrics.services.cutoffs.score_cutoffs_update`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CutoffMeasure(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"
    # A KPI's band is a share of its goal, in per cent.
    KPI = "kpi", "KPIs"


# Green at or above target; amber up to this far below it; red further below.
DEFAULT_AMBER_BANDS: dict[str, float] = {
    CutoffMeasure.NPS: 5.0,
    CutoffMeasure.CSAT: 5.0,
    CutoffMeasure.CES: 0.5,
    CutoffMeasure.KPI: 5.0,
}
# The widest band that still means something on each scale (NPS spans 200 points, CSAT 100,
# CES 1..7, a KPI's band is a share of its goal).
MAX_AMBER_BANDS: dict[str, float] = {
    CutoffMeasure.NPS: 200.0,
    CutoffMeasure.CSAT: 100.0,
    CutoffMeasure.CES: 6.0,
    CutoffMeasure.KPI: 100.0,
}


class ScoreCutoffSetting(models.Model):
    measure = models.CharField(max_length=4, choices=CutoffMeasure.choices, unique=True)
    amber_band = models.FloatField(
        help_text="How far below target is still amber (points; per cent of goal for KPIs)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_band__gte=0), name="metrics_score_cutoff_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: amber within {self.amber_band:g}"


class ScoreCutoffChange(models.Model):
    measure = models.CharField(max_length=4, choices=CutoffMeasure.choices)
    old_amber_band = models.FloatField()
    new_amber_band = models.FloatField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.old_amber_band:g} → {self.new_amber_band:g}"
