"""Employees and customers across departments, defined once: for the latest closed pulse round
sent to every department, each department's eNPS (only departments whose group is shown under the
pulse's anonymity rule) against its customers' NPS — the touch points it owns, over the
CUSTOMER_DAYS ending on the round's last day (pulse_side's window) — and Pearson's r between the
two with its 95 % interval.

Fewer than MIN_DEPARTMENTS departments give no r: with n pairs Fisher's interval has a standard
error of 1/√(n−3) on the z scale, so at four departments it spans almost all of −1 to 1 and the
figure would say nothing; at five it starts to tell a strong relation from none. Whatever r is,
it is a correlation across departments, not proof that happier staff make happier customers.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from accountability import pulse_stats
from accountability.models import PulseRound
from accountability.pulse_side import CUSTOMER_DAYS
from accountability.stats import Correlation, pearson
from cco.charts import plotly_text
from metrics.models import Scope
from metrics.selectors.ranges import range_scores
from metrics.stats import Estimate

MIN_DEPARTMENTS = 5
CAVEAT = (
    "A correlation across departments, not proof that one drives the other: departments differ "
    "in many ways at once."
)


@dataclass(frozen=True)
class DepartmentPoint:
    department_id: int
    name: str
    enps: Estimate
    customers: Estimate


@dataclass(frozen=True)
class Relation:
    round: PulseRound | None
    start: date | None
    end: date | None
    points: tuple[DepartmentPoint, ...]
    correlation: Correlation

    @property
    def enough(self) -> bool:
        return self.correlation.r is not None

    @property
    def reason(self) -> str:
        if self.round is None:
            return "No pulse round sent to every department has closed yet."
        if self.correlation.n < MIN_DEPARTMENTS:
            return (
                f"{self.correlation.n} department(s) with both an eNPS shown and enough customer "
                f"responses; at least {MIN_DEPARTMENTS} are needed for a relation worth reading."
            )
        return "" if self.enough else "The scores do not vary across departments."


def latest_round(today: date) -> PulseRound | None:
    return (
        PulseRound.objects.filter(department__isnull=True, closes_on__lt=today)
        .prefetch_related("items")
        .order_by("-closes_on", "-pk")
        .first()
    )


def relation(*, today: date) -> Relation:
    """The cross-department relation of the latest closed round sent to every department. A
    department counts only when its eNPS is shown (the round's minimum group) and its customers'
    NPS has enough responses (metrics.stats.MIN_RESPONSES), the "too few" rule of both sides."""
    round_ = latest_round(today)
    if round_ is None:
        return Relation(None, None, None, (), Correlation(None, None, None, 0))
    start = round_.closes_on - timedelta(days=CUSTOMER_DAYS - 1)
    scores = range_scores(start=start, end=round_.closes_on, scopes=(Scope.DEPARTMENT,))
    points = []
    for line in pulse_stats.round_results(round_, today=today):
        if not line.shown or line.department_id is None or line.enps is None:
            continue
        customers = scores.department(line.department_id)
        if customers.value is None or not customers.enough:
            continue
        points.append(DepartmentPoint(line.department_id, line.label, line.enps, customers))
    correlation = pearson(
        [p.enps.value or 0.0 for p in points],
        [p.customers.value or 0.0 for p in points],
        minimum=MIN_DEPARTMENTS,
    )
    return Relation(round_, start, round_.closes_on, tuple(points), correlation)


def relation_figure(found: Relation, *, highlight: int | None = None) -> dict[str, Any] | None:
    """A scatter: one point per department, eNPS across, customers' NPS up, each with its 95 %
    interval as error bars; `highlight` marks one department's point."""
    if not found.points:
        return None

    def bars(estimates: list[Estimate]) -> dict[str, Any]:
        return {
            "type": "data",
            "symmetric": False,
            "array": [(e.high or 0) - (e.value or 0) for e in estimates],
            "arrayminus": [(e.value or 0) - (e.low or 0) for e in estimates],
            "thickness": 1,
        }

    points = list(found.points)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [p.enps.value for p in points],
                "y": [p.customers.value for p in points],
                "text": [plotly_text(p.name) for p in points],
                "textposition": "top center",
                "error_x": bars([p.enps for p in points]),
                "error_y": bars([p.customers for p in points]),
                "marker": {
                    "size": [14 if p.department_id == highlight else 9 for p in points],
                    "color": [
                        "#a86400" if p.department_id == highlight else "#1f4e79" for p in points
                    ],
                },
                "hovertemplate": "%{text}: eNPS %{x:.0f}, customers' NPS %{y:.0f}<extra></extra>",
            }
        ],
        "layout": {
            "xaxis": {"title": {"text": "Employees: eNPS"}, "range": [-100, 100]},
            "yaxis": {"title": {"text": "Customers: NPS"}, "range": [-100, 100]},
            "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
            "showlegend": False,
            "height": 340,
        },
    }
