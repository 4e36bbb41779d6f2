"""The employee pulse beside the customers: per department and round, the department's eNPS (the
pulse's own rule: shown only for a large enough group of a closed round) beside the customer NPS
of the department and of each touch point it owns, over the CUSTOMER_DAYS ending on the round's
last day. Customer scores come from the metrics selectors; nothing is recomputed here.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from accountability import pulse_stats
from accountability.models import PulseRound
from cco.charts import plotly_text
from cco.models import Department
from metrics.models import Scope
from metrics.selectors import touchpoint_list
from metrics.selectors.ranges import windows_scores
from metrics.stats import Estimate

# The customers' window a round is compared with: the quarter the pulse speaks of.
CUSTOMER_DAYS = 90
# The rounds shown, latest first.
ROUNDS_SHOWN = 6


@dataclass(frozen=True)
class SideBySide:
    round: PulseRound
    start: date
    end: date
    employees: pulse_stats.GroupResult | None
    customers: Estimate
    touchpoints: list[tuple[str, Estimate]]


def may_read_department_pulse(user: Any, department: Department) -> bool:
    """The CCO and executives read every department's pulse; a head reads their own."""
    if user.has_perm("cco.view_pulse_results") and (user.is_cco or user.is_executive):
        return True
    return bool(user.has_perm("cco.view_pulse_results") and user.department_id == department.pk)


def department_side_by_side(department: Department, *, today: date) -> list[SideBySide]:
    """The latest ROUNDS_SHOWN closed rounds the department answered, each beside its customers.
    The queries do not grow with the rounds: every round's eNPS comes from one call to
    pulse_stats and every window's customer scores from one query."""
    rounds = list(
        PulseRound.objects.filter(Q(department=department) | Q(department__isnull=True))
        .filter(closes_on__lt=today)
        .order_by("-closes_on", "-pk")[:ROUNDS_SHOWN]
    )
    touchpoints = list(touchpoint_list(department.pk))
    # The eNPS alone: the page shows no item means, and summing them costs the most.
    lines = pulse_stats.rounds_results(
        rounds, today=today, department_ids={department.pk}, with_items=False
    )
    windows = [
        (round_.closes_on - timedelta(days=CUSTOMER_DAYS - 1), round_.closes_on)
        for round_ in rounds
    ]
    scores = windows_scores(
        windows,
        scopes=(Scope.TOUCHPOINT, Scope.DEPARTMENT),
        scope_ids={
            Scope.TOUCHPOINT: [tp.pk for tp in touchpoints],
            Scope.DEPARTMENT: [department.pk],
        },
    )
    return [
        SideBySide(
            round=round_,
            start=start,
            end=end,
            employees=lines[round_.pk][0] if lines[round_.pk] else None,
            customers=window.department(department.pk),
            touchpoints=[(tp.name, window.touchpoint(tp.pk)) for tp in touchpoints],
        )
        for round_, (start, end), window in zip(rounds, windows, scores, strict=True)
    ]


def side_by_side_figure(rows: list[SideBySide]) -> dict[str, Any] | None:
    """eNPS and customer NPS over rounds, oldest first: two scatter lines with their intervals
    as error bars; a round whose group is withheld leaves a gap."""
    rows = list(reversed(rows))
    if not rows:
        return None
    x = [plotly_text(f"{row.round.title} ({row.end:%d %b %Y})") for row in rows]

    def trace(name: str, estimates: list[Estimate | None], colour: str) -> dict[str, Any]:
        values = [e.value if e else None for e in estimates]
        return {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": x,
            "y": values,
            "line": {"color": colour},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [
                    (e.high - e.value) if e and e.high is not None and e.value is not None else None
                    for e in estimates
                ],
                "arrayminus": [
                    (e.value - e.low) if e and e.low is not None and e.value is not None else None
                    for e in estimates
                ],
            },
        }

    employees = [
        row.employees.enps if row.employees and row.employees.shown else None for row in rows
    ]
    customers = [row.customers if row.customers.n else None for row in rows]
    return {
        "data": [
            trace("Employees: eNPS", employees, "#1f4e79"),
            trace("Customers: NPS", customers, "#a86400"),
        ],
        "layout": {
            "yaxis": {"title": {"text": "Score (−100 to 100)"}, "range": [-100, 100]},
            "margin": {"l": 60, "r": 20, "t": 10, "b": 80},
            "legend": {"orientation": "h"},
            "height": 320,
        },
    }
