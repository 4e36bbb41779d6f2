"""Scores over a chosen date range, for the executive overview and its weekly digest.

Like every score read, these sum roll-up day rows only (never raw responses), so their cost
follows the number of touch points and days in the range.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Q, QuerySet, Sum

from metrics import stats
from metrics.models import Breach, Grain, Journey, Metric, Rollup, Scope, Touchpoint
from metrics.stats import Estimate

NO_RESPONSES = Estimate(None, None, None, 0)


@dataclass(frozen=True)
class HeadlineScope:
    """The scope a page's headline speaks of: one department, one journey, or everyone."""

    scope: str
    scope_id: int
    label: str


def headline_scope(
    *, department_id: int | None, department_name: str = "", journey: Journey | None = None
) -> HeadlineScope:
    if department_id is not None:
        return HeadlineScope(Scope.DEPARTMENT, department_id, department_name)
    if journey is not None:
        return HeadlineScope(Scope.JOURNEY, journey.pk, journey.name)
    return HeadlineScope(Scope.ORGANISATION, 0, "Organisation")


@dataclass(frozen=True)
class RangeScores:
    """One metric's estimate for every touch point, stage, journey and department in a range."""

    by_scope: dict[tuple[str, int], Estimate]

    def _get(self, scope: str, pk: int) -> Estimate:
        return self.by_scope.get((scope, pk), NO_RESPONSES)

    def touchpoint(self, pk: int) -> Estimate:
        return self._get(Scope.TOUCHPOINT, pk)

    def stage(self, pk: int) -> Estimate:
        return self._get(Scope.STAGE, pk)

    def journey(self, pk: int) -> Estimate:
        return self._get(Scope.JOURNEY, pk)

    def department(self, pk: int) -> Estimate:
        return self._get(Scope.DEPARTMENT, pk)

    def touchpoints(self) -> dict[int, Estimate]:
        return {pk: e for (scope, pk), e in self.by_scope.items() if scope == Scope.TOUCHPOINT}


def range_scores(
    *,
    start: date,
    end: date,
    metric: str = Metric.NPS,
    scopes: tuple[str, ...] = (Scope.TOUCHPOINT, Scope.STAGE, Scope.JOURNEY, Scope.DEPARTMENT),
) -> RangeScores:
    """Estimates for every scope id of several scopes over start..end, in one query."""
    rows = Rollup.objects.filter(
        scope__in=scopes, grain=Grain.DAY, period_start__range=(start, end)
    )
    return range_scores_from_rows(rows, metric=metric)


_SUMS = ("n", "promoters", "passives", "detractors", "total", "total_sq")


def windows_scores(
    windows: list[tuple[date, date]],
    *,
    metric: str = Metric.NPS,
    scopes: tuple[str, ...] = (Scope.TOUCHPOINT, Scope.STAGE, Scope.JOURNEY, Scope.DEPARTMENT),
    scope_ids: dict[str, list[int]] | None = None,
) -> list[RangeScores]:
    """`range_scores` of several start..end windows (they may overlap), in the windows' order,
    from one query: each window's sums are filtered aggregates over the rows of their span.
    `scope_ids` narrows a scope to the ids a page shows (e.g. one department and its touch
    points); a scope it leaves out is read whole."""
    if not windows:
        return []
    sums = {
        f"{field}_{i}": Sum(field, filter=Q(period_start__range=window))
        for i, window in enumerate(windows)
        for field in _SUMS
    }
    span = (min(start for start, _ in windows), max(end for _, end in windows))
    wanted = Q()
    for scope in scopes:
        ids = (scope_ids or {}).get(scope)
        wanted |= Q(scope=scope) if ids is None else Q(scope=scope, scope_id__in=ids)
    found = list(
        Rollup.objects.filter(wanted, grain=Grain.DAY, metric=metric, period_start__range=span)
        .values("scope", "scope_id")
        .annotate(**sums)
        .order_by()
    )
    return [
        RangeScores(
            {
                (row["scope"], row["scope_id"]): _score(metric, row, f"_{i}")
                for row in found
                if row[f"n_{i}"] is not None
            }
        )
        for i in range(len(windows))
    ]


def _score(metric: str, row: dict[str, Any], suffix: str) -> Estimate:
    return stats.score(
        metric,
        n=row[f"n{suffix}"],
        promoters=row[f"promoters{suffix}"],
        passives=row[f"passives{suffix}"],
        detractors=row[f"detractors{suffix}"],
        total=row[f"total{suffix}"],
        total_sq=row[f"total_sq{suffix}"],
    )


def range_scores_from_rows(rows: QuerySet[Any], *, metric: str) -> RangeScores:
    """`range_scores` from any day rows of the roll-up's shape (e.g. one segment's)."""
    found = (
        rows.filter(metric=metric)
        .values("scope", "scope_id")
        .annotate(**{f"{field}_sum": Sum(field) for field in _SUMS})
    )
    return RangeScores(
        {(row["scope"], row["scope_id"]): _score(metric, row, "_sum") for row in found}
    )


@dataclass(frozen=True)
class Headline:
    """A scope's NPS in a range and in the range before it, and responses per metric."""

    current: Estimate
    previous: Estimate
    responses: dict[str, int]


def headline_scores(
    scope: HeadlineScope, *, start: date, end: date, previous_start: date
) -> Headline:
    """The scope's NPS over start..end and over previous_start..start, and the responses per
    metric over start..end, from one query over both ranges."""
    rows = Rollup.objects.filter(scope=scope.scope, scope_id=scope.scope_id)
    return headline_from_rows(rows, start=start, end=end, previous_start=previous_start)


def headline_from_rows(
    rows: QuerySet[Any], *, start: date, end: date, previous_start: date
) -> Headline:
    """`headline_scores` from any rows of the roll-up's shape that sum to the scope's figures
    (its own rows, one segment's, or one channel's touch-point rows)."""
    this_range = Q(period_start__range=(start, end))
    found = (
        rows.filter(grain=Grain.DAY, period_start__range=(previous_start, end))
        .values("metric")
        .annotate(
            n_now=Sum("n", filter=this_range),
            p_now=Sum("promoters", filter=this_range),
            p_before=Sum("promoters", filter=~this_range),
            m_now=Sum("passives", filter=this_range),
            m_before=Sum("passives", filter=~this_range),
            d_now=Sum("detractors", filter=this_range),
            d_before=Sum("detractors", filter=~this_range),
        )
    )
    current, previous, responses = NO_RESPONSES, NO_RESPONSES, {}
    for row in found:
        if row["n_now"]:
            responses[row["metric"]] = row["n_now"]
        if row["metric"] == Metric.NPS:
            current = stats.nps(row["p_now"] or 0, row["m_now"] or 0, row["d_now"] or 0)
            previous = stats.nps(row["p_before"] or 0, row["m_before"] or 0, row["d_before"] or 0)
    return Headline(current, previous, responses)


def map_touchpoints(
    *, department_id: int | None = None, journey_id: int | None = None
) -> list[Touchpoint]:
    """Touch points in journey → stage → name order, with stage, journey and department."""
    touchpoints = Touchpoint.objects.select_related("stage__journey", "department").order_by(
        "stage__journey__order", "stage__journey__name", "stage__order", "stage__name", "name"
    )
    if department_id is not None:
        touchpoints = touchpoints.filter(department_id=department_id)
    if journey_id is not None:
        touchpoints = touchpoints.filter(stage__journey_id=journey_id)
    return list(touchpoints)


def department_nps_targets(touchpoints: list[Touchpoint] | None = None) -> dict[int, float]:
    """The mean NPS target of each department's touch points: from the given (already loaded)
    touch points, or from the table when they are not all at hand."""
    if touchpoints is None:
        return dict(
            Touchpoint.objects.filter(nps_target__isnull=False)
            .values("department_id")
            .annotate(target=Avg("nps_target"))
            .values_list("department_id", "target")
        )
    targets: dict[int, list[float]] = defaultdict(list)
    for touchpoint in touchpoints:
        if touchpoint.nps_target is not None:
            targets[touchpoint.department_id].append(touchpoint.nps_target)
    return {key: sum(values) / len(values) for key, values in targets.items()}


def nps_breaches_between(
    *,
    start: date,
    end: date,
    department_id: int | None = None,
    journey_id: int | None = None,
    limit: int = 50,
) -> list[Breach]:
    """NPS breaches of periods starting in start..end, oldest first, with their touch point."""
    breaches = Breach.objects.filter(
        period_start__range=(start, end), metric=Metric.NPS
    ).select_related("touchpoint")
    if department_id is not None:
        breaches = breaches.filter(touchpoint__department_id=department_id)
    if journey_id is not None:
        breaches = breaches.filter(touchpoint__stage__journey_id=journey_id)
    return list(breaches.order_by("period_start")[:limit])


def touchpoints_in_bulk(ids: list[int]) -> dict[int, Touchpoint]:
    return Touchpoint.objects.in_bulk(ids)


def monthly_points(
    keys: list[tuple[str, str, int]], *, since: date
) -> dict[tuple[str, str, int], list]:
    """Monthly score points from `since` for many (metric, scope, scope_id), in one query."""
    from metrics.selectors import point_from_rollup

    if not keys:
        return {}
    wanted = Q()
    for metric, scope, scope_id in keys:
        wanted |= Q(metric=metric, scope=scope, scope_id=scope_id)
    series: dict[tuple[str, str, int], list] = defaultdict(list)
    rows = Rollup.objects.filter(wanted, grain=Grain.MONTH, period_start__gte=since)
    for row in rows.order_by("period_start"):
        series[(row.metric, row.scope, row.scope_id)].append(point_from_rollup(row))
    return series
