"""Scores and their 95 % intervals from additive counts — pure functions, no Django.

Every function takes the sufficient statistics a roll-up row stores (n, category counts, sum of
scores, sum of squared scores) and returns an `Estimate` on the metric's display scale.
"""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
MIN_RESPONSES = 30
# NPS categories: promoters give 9–10, detractors 0–6.
PROMOTER_LOWEST = 9
DETRACTOR_HIGHEST = 6

# Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_RESPONSES


def t_quantile_975(df: int) -> float:
    """t(0.975, df): a table to 30, then the Cornish–Fisher expansion (error < 0.001)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def nps(promoters: int, passives: int, detractors: int) -> Estimate:
    """Net Promoter Score, −100..100, with the adjusted-Wald 95 % interval (Rocks 2016).

    NPS = 100 · (P − D) / n. The interval adds 3 to n and ¾ to both the promoter and the
    detractor counts: n' = n + 3, p' = (P + ¾)/n', d' = (D + ¾)/n', and uses the trinomial
    variance of a difference of shares, var = (p' + d' − (p' − d')²) / n', giving
    100 · ((p' − d') ± 1.96 · √var), clamped to [−100, 100]. It keeps its coverage at small n,
    where the plain Wald interval collapses (e.g. to zero width when everyone gives a 10).
    """
    n = promoters + passives + detractors
    # Counts are never negative (the roll-ups' check constraint), so `n <= 0` means the same.
    if n == 0:  # pragma: no mutate
        return Estimate(None, None, None, 0)
    value = 100.0 * (promoters - detractors) / n
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = p - d
    half = Z95 * math.sqrt(
        max(
            p + d - centre**2,
            # p' + d' ≥ (p' − d')² for shares in 0..1: the floor never bites, any floor ≤ 0 is
            # the same.
            0.0,  # pragma: no mutate
        )
        / n_adj
    )
    return Estimate(value, max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)), n)


def proportion(successes: int, n: int) -> Estimate:
    """A share in %, with the adjusted-Wald (Agresti–Coull) 95 % interval.

    ñ = n + z², p̃ = (x + z²/2) / ñ, interval 100 · (p̃ ± z · √(p̃(1 − p̃)/ñ)) clamped to 0..100.
    Used for CSAT top-two box (the share of 4s and 5s).
    """
    # n counts responses, never negative: `n <= 0` would mean the same.
    if n == 0:  # pragma: no mutate
        return Estimate(None, None, None, 0)
    value = 100.0 * successes / n
    n_adj = n + Z95**2
    p = (successes + Z95**2 / 2) / n_adj
    half = Z95 * math.sqrt(p * (1 - p) / n_adj)
    return Estimate(value, max(0.0, 100 * (p - half)), min(100.0, 100 * (p + half)), n)


def mean(n: int, total: float, total_sq: float) -> Estimate:
    """A mean score with its t interval, from n, Σx and Σx².

    s² = (Σx² − (Σx)²/n) / (n − 1); interval x̄ ± t(0.975, n − 1) · s/√n. Used for CES (1–7)
    and the CSAT mean (1–5). With one response the interval is unknown (None).
    """
    # n counts responses, never negative: `n <= 0` would mean the same.
    if n == 0:  # pragma: no mutate
        return Estimate(None, None, None, 0)
    average = total / n
    # n ≥ 1 here, so `n <= 1` would mean the same.
    if n == 1:  # pragma: no mutate
        return Estimate(average, None, None, 1)
    variance = max(total_sq - total * total / n, 0.0) / (n - 1)
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return Estimate(average, average - half, average + half, n)


def score(
    metric: str,
    *,
    n: int,
    promoters: int,
    passives: int,
    detractors: int,
    total: float,
    total_sq: float,
) -> Estimate:
    """The headline score of `metric` on its display scale: NPS, CSAT top-two box %, CES mean."""
    if metric == "nps":
        return nps(promoters, passives, detractors)
    if metric == "csat":
        return proportion(promoters, n)
    if metric == "ces":
        return mean(n, total, total_sq)
    raise ValueError(f"unknown metric {metric!r}")


def nps_category(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_LOWEST:
        return "promoter"
    return "passive" if score > DETRACTOR_HIGHEST else "detractor"


def intervals_separate(earlier: Estimate, later: Estimate) -> bool:
    """True when `later` is significantly below `earlier`: the two 95 % intervals do not overlap.

    Non-overlap is conservative (it implies p < 0.05, not the reverse), so a flagged drop is real.
    """
    if later.high is None or earlier.low is None or not (earlier.enough and later.enough):
        return False
    return later.high < earlier.low


def wholly_below(estimate: Estimate, floor: float) -> bool:
    """True when the score is below `floor` beyond noise: enough responses and the whole 95 %
    interval under the floor (its upper bound strictly below it)."""
    if estimate.high is None or not estimate.enough:
        return False
    return estimate.high < floor


# The score at or above which a response is a "promoter" / a "passive", per metric. NPS: 9–10 and
# 7–8. CSAT: top-two box 4–5, then 3. CES (higher is easier): 5–7, then 4. Everything below is a
# "detractor". Roll-ups store the three counts for every metric.
CATEGORY_THRESHOLDS: dict[str, tuple[int, int]] = {
    "nps": (9, 7),
    "csat": (4, 3),
    "ces": (5, 4),
}


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


# The word shown beside every red / amber / green colour, so the colour never speaks alone.
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "Not judged"}


def rag_label(rag: str) -> str:
    return RAG_LABELS.get(rag, rag)


def score_rag(estimate: Estimate, target: float | None, *, amber_band: float) -> str:
    """green at or above target; amber up to `amber_band` below it (the CCO's cut-off, read
    through `metrics.selectors.cutoffs`); red further below; grey when there is no target or
    too few responses to judge."""
    if estimate.value is None or target is None or not estimate.enough:
        return "grey"
    if estimate.value >= target:
        return "green"
    return "amber" if estimate.value >= target - amber_band else "red"


def wilson(successes: int, n: int) -> Estimate:
    """A share in % with the Wilson score 95 % interval.

    centre = (x + z²/2) / (n + z²), half = z · √(x(n − x)/n + z²/4) / (n + z²), both × 100.
    Used for a group's retention rate in say versus do.
    """
    if n == 0:  # pragma: no mutate
        return Estimate(None, None, None, 0)
    z2 = Z95**2
    centre = (successes + z2 / 2) / (n + z2)
    half = Z95 * math.sqrt(successes * (n - successes) / n + z2 / 4) / (n + z2)
    return Estimate(
        100.0 * successes / n, max(0.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)), n
    )


@dataclass(frozen=True)
class Difference:
    """p₁ − p₂ in percentage points, with its 95 % interval; n is the smaller group's size."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_RESPONSES


def difference_agresti_caffo(x1: int, n1: int, x2: int, n2: int) -> Difference:
    """The difference of two shares in points, with the Agresti–Caffo 95 % interval.

    Add one success and one failure to each group: p̃ᵢ = (xᵢ + 1)/(nᵢ + 2); interval
    100 · ((p̃₁ − p̃₂) ± z · √(p̃₁(1 − p̃₁)/(n₁ + 2) + p̃₂(1 − p̃₂)/(n₂ + 2))), clamped to ±100.
    The value itself is the plain difference 100 · (x₁/n₁ − x₂/n₂).
    """
    if n1 == 0 or n2 == 0:
        return Difference(None, None, None, min(n1, n2))
    p1, p2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
    half = Z95 * math.sqrt(p1 * (1 - p1) / (n1 + 2) + p2 * (1 - p2) / (n2 + 2))
    centre = p1 - p2
    return Difference(
        100.0 * (x1 / n1 - x2 / n2),
        max(-100.0, 100 * (centre - half)),
        min(100.0, 100 * (centre + half)),
        min(n1, n2),
    )
