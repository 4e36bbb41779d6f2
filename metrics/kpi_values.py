"""What a KPI's value may be, by its unit: stated once, for the department's form and the API.

A percentage lies in 0–100; a count, duration or amount of money is never negative; no value is
infinite or not a number.
"""

import math

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
    """Why `value` cannot be a value of a KPI in `unit`, or "" when it can."""
    if not math.isfinite(value):
        return "Give a number."
    low, high = kpi_value_range(unit)
    shown = f" {unit.strip()}" if unit.strip() else ""
    if low is not None and value < low:
        return f"{value:g}{shown} is below {low:g}{shown}, the lowest a value in {unit} can be."
    if high is not None and value > high:
        return f"{value:g}{shown} is above {high:g}{shown}, the highest a value in {unit} can be."
    return ""
