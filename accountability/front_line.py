"""The front line per department, for the scorecard and the overview: the latest closed pulse
round's eNPS (the pulse's anonymity rule and the reader's scope applied by pulse_stats) beside
the customers' NPS over the same window as the relation, and the blockers unresolved and
unanswered past their service level (blocker_selectors). Nothing is computed here."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from accountability import blocker_selectors, pulse_relation, pulse_stats
from accountability.models import PulseRound
from accountability.pulse_side import CUSTOMER_DAYS
from cco.models import Department
from metrics.models import Scope
from metrics.selectors.ranges import range_scores
from metrics.stats import Estimate


@dataclass(frozen=True)
class FrontLineRow:
    department: Department
    # None: the reader may not read this department's pulse, or no round has closed.
    employees: pulse_stats.GroupResult | None
    customers: Estimate | None
    open_blockers: int
    late_blockers: int


@dataclass(frozen=True)
class FrontLine:
    round: PulseRound | None
    rows: list[FrontLineRow]

    @property
    def open_blockers(self) -> int:
        return sum(row.open_blockers for row in self.rows)

    @property
    def late_blockers(self) -> int:
        return sum(row.late_blockers for row in self.rows)


def front_line(*, user: Any, today: date) -> FrontLine:
    departments = list(Department.objects.order_by("name"))
    round_ = pulse_relation.latest_round(today)
    lines: dict[int | None, pulse_stats.GroupResult] = {}
    customers: dict[int, Estimate] = {}
    if round_ is not None and user.has_perm("cco.view_pulse_results"):
        scope = pulse_stats.reader_scope(user)
        for line in pulse_stats.round_results(round_, today=today, department_ids=scope):
            lines[line.department_id] = line
        scores = range_scores(
            start=round_.closes_on - timedelta(days=CUSTOMER_DAYS - 1),
            end=round_.closes_on,
            scopes=(Scope.DEPARTMENT,),
        )
        customers = {d.pk: scores.department(d.pk) for d in departments}
    counts = blocker_selectors.blocker_counts(today=today)
    return FrontLine(
        round_,
        [
            FrontLineRow(
                department=d,
                employees=lines.get(d.pk),
                customers=customers.get(d.pk),
                open_blockers=counts.get(d.pk, (0, 0))[0],
                late_blockers=counts.get(d.pk, (0, 0))[1],
            )
            for d in departments
        ],
    )
