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
from metrics.selectors.outcomes import outcomes_version
from roadmap.models import (
    KPI_MEASURES,
    OUTCOME_MEASURES,
    SCORE_MEASURES,
    ExpectedResult,
    Initiative,
)
from roadmap.scopes import scope_labels
from roadmap.selectors.measures import kpi_reader, kpi_weeks, measure_unit, outcome_reader
from roadmap.stats import (
    Baseline,
    ResultFact,
    Verdict,
    WindowReader,
    measured_baseline,
    result_verdict,
)
from roadmap.stats.returns import (
    NOT_IN_MONEY,
    ResultValue,
    Return,
    initiative_return,
    result_value,
)
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
    value: ResultValue
    unit: str = ""

    @property
    def name(self) -> str:
        """ "CES · Touch point: Call centre": how reasons and lists name the result."""
        return f"{self.result.measure_name} · {self.label}"

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
    series = _monthly_rollups({_key(r) for r in results if r.metric in SCORE_MEASURES}, since=since)
    weeks = kpi_weeks({r.kpi_id for r in results if r.kpi_id is not None}, since=since)
    keys = {(r.scope, r.scope_id) for r in results}
    labels = scope_labels(keys) if named else {(scope, i): Scope(scope).label for scope, i in keys}
    # Read once, and only when a result is in customers' outcomes: their windows are cached.
    version = outcomes_version() if any(r.metric in OUTCOME_MEASURES for r in results) else ""
    readings = []
    for result in results:
        start = result.initiative.start_date
        months = series.get(_key(result), [])
        read: WindowReader | None = None
        if result.metric in OUTCOME_MEASURES:
            read = outcome_reader(result, version=version)
        elif result.metric in KPI_MEASURES and result.kpi_id is not None:
            read = kpi_reader(weeks.get(result.kpi_id, []))
        baseline = measured_baseline(
            result.metric,
            months,
            start=start,
            today=on,
            window_months=result.baseline_months,
            typed=result.baseline,
            read=read,
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
            read=read,
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
                value=result_value(
                    measure=result.metric, verdict=verdict, baseline=baseline, target=result.target
                ),
                unit=measure_unit(result),
            )
        )
    return readings


@dataclass(frozen=True)
class InitiativeReturn:
    """An initiative's return on its budget, read from its results' readings."""

    initiative: Initiative
    money: Return
    readings: list[ResultReading]


def initiative_returns(results: Sequence[ExpectedResult]) -> list[InitiativeReturn]:
    """The return of each initiative with a budget or a result in money, from results already
    read (each with its `reading`, as `current_results` gives them): no query of its own."""
    grouped: dict[int, list[ResultReading]] = defaultdict(list)
    initiatives: dict[int, Initiative] = {}
    for result in results:
        grouped[result.initiative_id].append(result.reading)  # type: ignore[attr-defined]
        initiatives[result.initiative_id] = result.initiative
    answer = []
    for pk, readings in grouped.items():
        initiative = initiatives[pk]
        budget = None if initiative.budget is None else float(initiative.budget)
        money = initiative_return([reading.value for reading in readings], budget=budget)
        if budget is not None or money.kind != NOT_IN_MONEY:
            answer.append(InitiativeReturn(initiative, money, readings))
    return sorted(answer, key=lambda row: row.initiative.title)
