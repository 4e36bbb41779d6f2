"""A department's KPI values, entered week by week from the page, with their history.

The value is checked against the KPI's unit (metrics.kpi_values, which the API uses too). A week
is the Monday that starts it, never a week still to come.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.models import KPIValueChange
from cco.models import User
from metrics.kpi_values import kpi_value_problem, kpi_value_range
from metrics.models import KPI, KPIObservation

__all__ = ["kpi_value_problem", "kpi_value_range", "kpi_value_record", "week_of"]


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
