"""A department's KPI values, entered week by week from the page, with their history.

The value is checked against the KPI's unit: a percentage lies in 0–100, a count, duration or
amount of money is never negative, and no value is infinite or not a number. A week is the
Monday that starts it, never a week still to come.
"""

import math
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.models import KPIValueChange
from cco.models import User
from metrics.models import KPI, KPIObservation

# Units whose values cannot be negative (case-insensitive); "%" has its own range.
NON_NEGATIVE_UNITS = frozenset(
    {"#", "count", "days", "day", "d", "hours", "hour", "h", "minutes", "min", "seconds", "s",
     "€", "$", "£", "eur", "usd", "gbp", "tickets", "calls", "customers"}
)  # fmt: skip
PERCENT_RANGE = (0.0, 100.0)


def kpi_value_range(unit: str) -> tuple[float | None, float | None]:
    """The lowest and highest value a KPI in this unit can take (None: no bound)."""
    unit = unit.strip().lower()
    if unit == "%":
        return PERCENT_RANGE
    if unit in NON_NEGATIVE_UNITS:
        return (0.0, None)
    return (None, None)


def kpi_value_problem(unit: str, value: float) -> str:
    if not math.isfinite(value):
        return "Give a number."
    low, high = kpi_value_range(unit)
    shown = f" {unit.strip()}" if unit.strip() else ""
    if low is not None and value < low:
        return f"{value:g}{shown} is below {low:g}{shown}, the lowest a value in {unit} can be."
    if high is not None and value > high:
        return f"{value:g}{shown} is above {high:g}{shown}, the highest a value in {unit} can be."
    return ""


def week_of(day: date) -> date:
    """The Monday that starts the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


@transaction.atomic
def kpi_value_record(
    *, kpi_id: int, actor: User, week_start: date, value: float, today: date | None = None
) -> KPIObservation:
    """Store the KPI's value for one week (replacing an earlier one) and write who changed it
    from what to what. Refused whole, with the field named, when the week is not a Monday, is
    still to come, or the value is out of the unit's range."""
    kpi = KPI.objects.select_for_update().get(pk=kpi_id)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if week_start.weekday() != 0:
        errors["week_start"] = f"{week_start:%d %b %Y} is not a Monday: a week starts on Monday."
    elif week_start > week_of(today):
        errors["week_start"] = f"The week of {week_start:%d %b %Y} has not started yet."
    if problem := kpi_value_problem(kpi.unit, value):
        errors["value"] = problem
    if errors:
        raise ValidationError(errors)
    observation = KPIObservation.objects.filter(kpi=kpi, week_start=week_start).first()
    old = observation.value if observation else None
    if observation is None:
        observation = KPIObservation.objects.create(kpi=kpi, week_start=week_start, value=value)
    elif observation.value != value:
        observation.value = value
        observation.save(update_fields=["value"])
    else:
        return observation
    KPIValueChange.objects.create(
        kpi=kpi, week_start=week_start, old_value=old, new_value=value, actor=actor
    )
    return observation
