"""Where red, amber and green begin for the accountability figures, set by the CCO.

One row per figure; a missing row means the default (`DEFAULT_DELIVERY_CUTOFFS`). Done on time
is better higher (green from `green` %, amber from `amber` %, red below); open CX issues are
better fewer (green up to `green`, amber up to `amber`, red above). Every change is kept with
who made it and the values before and after.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class DeliveryFigure(models.TextChoices):
    ON_TIME = "on_time", "Action items done on time (%)"
    OPEN_ISSUES = "open_issues", "Open CX issues"


# (green, amber): on time green from 80 %, amber from 60 %; open issues green at none, amber
# up to 2, red from 3.
DEFAULT_DELIVERY_CUTOFFS: dict[str, tuple[float, float]] = {
    DeliveryFigure.ON_TIME: (80.0, 60.0),
    DeliveryFigure.OPEN_ISSUES: (0.0, 2.0),
}


class DeliveryCutoffSetting(models.Model):
    figure = models.CharField(max_length=12, choices=DeliveryFigure.choices, unique=True)
    green = models.FloatField()
    amber = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["figure"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(figure="on_time", amber__gte=0, amber__lte=models.F("green"), green__lte=100)
                    | Q(figure="open_issues", green__gte=0, amber__gte=models.F("green"))
                ),
                name="accountability_delivery_cutoffs_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure}: green {self.green:g}, amber {self.amber:g}"


class DeliveryCutoffChange(models.Model):
    figure = models.CharField(max_length=12, choices=DeliveryFigure.choices)
    old_green = models.FloatField()
    old_amber = models.FloatField()
    new_green = models.FloatField()
    new_amber = models.FloatField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.figure}: {self.old_green:g}/{self.old_amber:g} → "
            f"{self.new_green:g}/{self.new_amber:g}"
        )
