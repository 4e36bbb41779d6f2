"""Expected results read against the monthly roll-ups: the baseline measured over the months
before the initiative's start, the verdict on the months after it.

One read serves any number of results: one query for their monthly roll-ups and at most one per
kind of scope for their names, whatever the size of the plan. The rules themselves are the pure
`roadmap.stats.measured_baseline` and `roadmap.stats.result_verdict`; every page, the API, the
CSV exports and the executive overview read results through `read_results` below.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from metrics.models import Grain, Rollup, Scope
from metrics.selectors import ScorePoint, point_from_rollup
from roadmap.models import ExpectedResult
from roadmap.scopes import scope_labels
from roadmap.stats import Baseline, ResultFact, Verdict, measured_baseline, result_verdict
from roadmap.windows import add_months

Key = tuple[str, str, int]


@dataclass
class ResultReading:
    """One expected result: the monthly scores, the baseline and the verdict on them."""

    result: ExpectedResult
    label: str
    points: list[ScorePoint]
    baseline: Baseline
    verdict: Verdict
    start: date
    on: date

    @property
    def name(self) -> str:
        """ "CES · Touch point: Call centre": how reasons and lists name the result."""
        return f"{self.result.get_metric_display()} · {self.label}"

    @property
    def fact(self) -> ResultFact:
        return ResultFact(self.name, self.verdict)


def _key(result: ExpectedResult) -> Key:
    return (result.metric, result.scope, result.scope_id)


def _monthly_rollups(keys: set[Key], *, since: date) -> dict[Key, list[Rollup]]:
    """Monthly roll-up rows from `since` for many (metric, scope, scope_id), in one query."""
    if not keys:
        return {}
    wanted = Q()
    for metric, scope, scope_id in sorted(keys):
        wanted |= Q(metric=metric, scope=scope, scope_id=scope_id)
    rows = Rollup.objects.filter(wanted, grain=Grain.MONTH, period_start__gte=since)
    series: dict[Key, list[Rollup]] = defaultdict(list)
    for row in rows.order_by("period_start"):
        series[(row.metric, row.scope, row.scope_id)].append(row)
    return series


def read_results(
    results: Sequence[ExpectedResult],
    *,
    on: date | None = None,
    history_months: int = 0,
    named: bool = True,
) -> list[ResultReading]:
    """Judge each result (loaded with its initiative) on `on` (today by default).

    `history_months` adds that many months of scores before the baseline window to each
    reading's `points`, for a chart; the verdicts never read them. Without `named` the
    scopes' names are not looked up (a label reads "Touch point"), a query saved where the
    results are shown by initiative.
    """
    if not results:
        return []
    on = on or timezone.localdate()
    since = min(
        add_months(r.initiative.start_date.replace(day=1), -(r.baseline_months + history_months))
        for r in results
    )
    series = _monthly_rollups({_key(r) for r in results}, since=since)
    keys = {(r.scope, r.scope_id) for r in results}
    labels = scope_labels(keys) if named else {(scope, i): Scope(scope).label for scope, i in keys}
    readings = []
    for result in results:
        start = result.initiative.start_date
        months = series.get(_key(result), [])
        baseline = measured_baseline(
            result.metric,
            months,
            start=start,
            today=on,
            window_months=result.baseline_months,
            typed=result.baseline,
        )
        verdict = result_verdict(
            metric=result.metric,
            months=months,
            baseline=baseline.value,
            target=result.target,
            start=start,
            by_date=result.by_date,
            today=on,
            time_to_impact=result.time_to_impact,
            higher_is_better=result.higher_is_better,
        )
        shown_from = add_months(start.replace(day=1), -(result.baseline_months + history_months))
        readings.append(
            ResultReading(
                result=result,
                label=labels[(result.scope, result.scope_id)],
                points=[point_from_rollup(m) for m in months if m.period_start >= shown_from],
                baseline=baseline,
                verdict=verdict,
                start=start,
                on=on,
            )
        )
    return readings
