"""An initiative's return: the money value of the change its expected results measured, against
its budget. Pure functions, no Django: the one definition every page, CSV, API answer and the
board pack read (through roadmap.selectors).

A result's **money value** is a year's worth of its measured change, from its baseline to its
judged window (the same windows and "too early" rules as its verdict, roadmap.stats):

- revenue (mean twelve-month revenue per customer): change × the customers in the judged window;
- retention (% of customers retained): change in points ÷ 100 × the twelve-month revenue of the
  judged window's customers (the revenue base at risk);
- cost to serve (a weekly cost KPI in the currency): (baseline − judged) × 52 weeks, a saving.

NPS, CSAT, CES and other KPIs have no money value ("not in money").

The initiative's **return** = (Σ money values − budget) ÷ budget, once every money result is
measurable. Intervals: the change's 95 % interval joins the judged window's and the measured
baseline's half-widths in quadrature (a normal approximation; a typed baseline counts as
exact), scaled like the change; the sum of several results joins theirs the same way; the
budget is known.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from roadmap.stats import NO_BASELINE, TOO_EARLY, Baseline, Verdict

WEEKS_PER_YEAR = 52
MONEY_MEASURES = ("revenue", "retention", "cost_to_serve")

MEASURED = "measured"
NOT_IN_MONEY = "not_in_money"
NO_BUDGET = "no_budget"
# A result's money value: measured, too early (the verdict's reason), no baseline, not in money.
RETURN_LABELS = {
    MEASURED: "Measured",
    TOO_EARLY: "Too early",
    NO_BASELINE: "No baseline",
    NOT_IN_MONEY: "Not in money",
    NO_BUDGET: "No budget",
}


def _percent(share: float) -> str:
    """0.25 → "+25 %", −0.5 → "−50 %" (the product's way of writing a per cent)."""
    return f"{share * 100:+.0f} %".replace("-", "−")


@dataclass(frozen=True)
class Money:
    """A money figure with its 95 % interval (None when it has none)."""

    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class ResultValue:
    """One expected result in money: what the target would be worth (`expected`) and what the
    measured change is worth (`actual`), once measurable; else `kind` and `reason` say why not."""

    kind: str
    reason: str = ""
    expected: Money | None = None
    actual: Money | None = None

    @property
    def label(self) -> str:
        return RETURN_LABELS[self.kind]


@dataclass(frozen=True)
class Return:
    """An initiative's return on its budget: (value − budget) ÷ budget, as a share (0.25 is
    +25 %), with the value it stands on; `kind` and `reason` say why there is none yet."""

    kind: str
    reason: str = ""
    value: Money | None = None
    expected_value: Money | None = None
    budget: float | None = None
    ratio: Money | None = None
    expected_ratio: float | None = None

    @property
    def label(self) -> str:
        return RETURN_LABELS[self.kind]

    @property
    def text(self) -> str:
        """ "+42 % (−8 % to +92 %)", or why there is no return figure."""
        if self.ratio is None:
            return f"{self.label}: {self.reason}" if self.reason else self.label
        ratio = self.ratio
        text = _percent(ratio.value)
        if ratio.low is not None and ratio.high is not None:
            text += f" ({_percent(ratio.low)} to {_percent(ratio.high)})"
        return text

    @property
    def expected_text(self) -> str:
        """The return the targets would give: "+120 %" ("" without one)."""
        if self.expected_ratio is None:
            return ""
        return _percent(self.expected_ratio)


def _scale(measure: str, change: float, window_n: int, base: float | None) -> float:
    if measure == "revenue":
        return change * window_n
    if measure == "retention":
        return change / 100 * (base or 0.0)
    return change * WEEKS_PER_YEAR


def _change(measure: str, actual: float, baseline: float) -> float:
    """The change in the better direction for money: a fall in cost to serve is a saving."""
    return baseline - actual if measure == "cost_to_serve" else actual - baseline


def _spread(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> float:
    """Half-widths joined in quadrature; a missing one counts as zero."""
    return math.sqrt(
        sum(((h - lo) / 2) ** 2 for lo, h in (a, b) if lo is not None and h is not None)
    )


def result_value(
    *, measure: str, verdict: Verdict, baseline: Baseline, target: float
) -> ResultValue:
    """The money value of one expected result (see the module's docstring). Too early with the
    verdict's reason while the verdict is too early (time to impact not passed, no complete
    month since the start, fewer customers or weeks than the minimum); no baseline when neither
    a measured nor a typed one exists."""
    if measure not in MONEY_MEASURES:
        return ResultValue(NOT_IN_MONEY, "this measure has no money value")
    window = verdict.window
    if verdict.kind == TOO_EARLY or window is None or window.value is None:
        return ResultValue(TOO_EARLY, verdict.note)
    if baseline.value is None:
        return ResultValue(NO_BASELINE, "no baseline to measure the change from")
    change = _change(measure, window.value, baseline.value)
    half = _spread(
        (window.low, window.high),
        (None, None)
        if baseline.typed is not None
        else (baseline.measured.low, baseline.measured.high),
    )

    def scaled(points: float) -> float:
        return _scale(measure, points, window.n, window.base)

    actual = Money(
        scaled(change),
        scaled(change - half) if half else None,
        scaled(change + half) if half else None,
    )
    expected = Money(scaled(_change(measure, target, baseline.value)))
    return ResultValue(MEASURED, expected=expected, actual=actual)


def initiative_return(values: Sequence[ResultValue], *, budget: float | None) -> Return:
    """The initiative's return on its budget from its results' money values:

    - not in money: no result has a money value (the pages show the verdicts alone);
    - too early / no baseline: some money result is not measurable yet (its reason given);
    - no budget: the value is shown, the return is not (no budget, or a budget of 0);
    - measured: (Σ values − budget) ÷ budget, the interval from the values' interval.
    """
    money = [value for value in values if value.kind != NOT_IN_MONEY]
    if not money:
        return Return(
            NOT_IN_MONEY,
            "no expected result is stated in money (revenue, retention or cost to serve)",
            budget=budget,
        )
    for result in money:
        if result.kind != MEASURED:
            return Return(result.kind, result.reason, budget=budget)
    measured = [v.actual for v in money if v.actual is not None]
    total = sum(m.value for m in measured)
    half = math.sqrt(
        sum(
            ((m.high - m.low) / 2) ** 2
            for m in measured
            if m.low is not None and m.high is not None
        )
    )
    value = Money(total, total - half, total + half) if half else Money(total)
    expected = Money(sum(v.expected.value for v in money if v.expected is not None))
    if budget is None or budget <= 0:
        return Return(NO_BUDGET, "no budget is stated to weigh it against", value, expected, budget)
    ratio = Money(
        (value.value - budget) / budget,
        None if value.low is None else (value.low - budget) / budget,
        None if value.high is None else (value.high - budget) / budget,
    )
    return Return(
        MEASURED,
        value=value,
        expected_value=expected,
        budget=budget,
        ratio=ratio,
        expected_ratio=(expected.value - budget) / budget,
    )
