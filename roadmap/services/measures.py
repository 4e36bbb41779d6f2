"""What an expected result's measure asks of it: a KPI for a KPI-backed measure (none
otherwise), cost to serve in the currency, and a baseline and target on the measure's scale."""

import math

from django.conf import settings

from metrics.kpi_values import kpi_value_problem
from roadmap.models import KPI_MEASURES, ExpectedResult, Measure

# The symbols a KPI's unit may use for the product's currency (settings.CURRENCY).
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
# Each score's display scale and each outcome's range (None: no bound).
MEASURE_RANGES: dict[str, tuple[float | None, float | None]] = {
    Measure.NPS: (-100.0, 100.0),
    Measure.CSAT: (0.0, 100.0),
    Measure.CES: (1.0, 7.0),
    Measure.RETENTION: (0.0, 100.0),
    Measure.REVENUE: (0.0, None),
}


def is_currency(unit: str) -> bool:
    """Whether a KPI's unit is the product's currency, by code ("EUR") or symbol ("€")."""
    unit = unit.strip()
    return unit.upper() == settings.CURRENCY or unit == CURRENCY_SYMBOLS.get(settings.CURRENCY)


def currency_text() -> str:
    symbol = CURRENCY_SYMBOLS.get(settings.CURRENCY)
    return f"{settings.CURRENCY} ({symbol})" if symbol else str(settings.CURRENCY)


def scope_from_kpi(result: ExpectedResult) -> None:
    """A KPI-backed result is scoped to its KPI's department, whatever scope was sent."""
    if result.metric in KPI_MEASURES and result.kpi is not None:
        result.scope, result.scope_id = "department", result.kpi.department_id


def _range_problem(result: ExpectedResult, value: float) -> str:
    name = result.get_metric_display()
    if not math.isfinite(value):
        return "Give a number."
    if result.metric in KPI_MEASURES:
        return kpi_value_problem(result.kpi.unit, value) if result.kpi is not None else ""
    low, high = MEASURE_RANGES.get(result.metric, (None, None))
    if low is not None and high is not None and not low <= value <= high:
        return f"{name} runs from {low:g} to {high:g}; {value:g} is outside that scale."
    if low is not None and value < low:
        return f"{name} cannot be below {low:g}; {value:g} is."
    return ""


def measure_problems(result: ExpectedResult) -> dict[str, str]:
    """Problems by field: the KPI, then the baseline and target on the measure's scale."""
    problems: dict[str, str] = {}
    name = result.get_metric_display()
    if result.metric in KPI_MEASURES:
        if result.kpi is None:
            problems["kpi"] = f"{name} is read from a department KPI: choose the KPI."
        elif result.metric == Measure.COST_TO_SERVE and not is_currency(result.kpi.unit):
            problems["kpi"] = (
                f"Cost to serve is read in money: the KPI “{result.kpi.name}” is in "
                f"“{result.kpi.unit or 'no unit'}”; choose a KPI in {currency_text()}."
            )
        elif (result.scope, result.scope_id) != ("department", result.kpi.department_id):
            problems["scope"] = (
                f"A KPI is read for its own department: set the scope to {result.kpi.department}."
            )
    elif result.kpi_id is not None:
        problems["kpi"] = f"{name} is not read from a KPI: leave the KPI empty."
    for field in ("baseline", "target"):
        value = getattr(result, field)
        # An empty baseline is measured, never typed.
        if value is not None and "kpi" not in problems:
            if problem := _range_problem(result, value):
                problems[field] = problem
    return problems
