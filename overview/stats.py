"""Pure judgements the overview makes about scores: no Django, easy to test."""

import math

from metrics.stats import Z95, Estimate


def standard_error(estimate: Estimate) -> float | None:
    """The standard error implied by a 95 % interval: (high − low) / (2 · 1.96)."""
    if estimate.low is None or estimate.high is None:
        return None
    return (estimate.high - estimate.low) / (2 * Z95)


def change_is_significant(previous: Estimate, current: Estimate) -> bool:
    """Is the change between two independent periods larger than noise?

    A two-sided z-test on the difference: |current − previous| > 1.96 · √(se₁² + se₂²), each
    standard error taken from its period's (adjusted-Wald) interval. Periods with too few
    responses (n < 30) never count as a significant change.
    """
    if not (previous.enough and current.enough):
        return False
    if previous.value is None or current.value is None:
        return False
    se_previous, se_current = standard_error(previous), standard_error(current)
    if se_previous is None or se_current is None:
        return False
    return abs(current.value - previous.value) > Z95 * math.hypot(se_previous, se_current)


def score_rag(value: float | None, target: float | None, *, enough: bool, amber_band: float) -> str:
    """green at or above target; amber within `amber_band` below it; red further below; grey
    when there is no target or too few responses to judge."""
    if value is None or target is None or not enough:
        return "grey"
    if value >= target:
        return "green"
    return "amber" if value >= target - amber_band else "red"


def share_rag(share: float | None, *, green_at: float, amber_at: float) -> str:
    if share is None:
        return "grey"
    if share >= green_at:
        return "green"
    return "amber" if share >= amber_at else "red"


def count_rag(count: int, *, amber_from: int, red_from: int) -> str:
    if count >= red_from:
        return "red"
    return "amber" if count >= amber_from else "green"


def percentage(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole
