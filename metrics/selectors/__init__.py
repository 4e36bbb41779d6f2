"""Reads shared by pages, the API and other apps. Scores come ONLY from the roll-up tables."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from metrics import stats
from metrics.models import (
    KPI,
    Breach,
    Grain,
    Journey,
    JourneyStage,
    KPIDirection,
    KPIObservation,
    NpsCategory,
    Rollup,
    RollupWatermark,
    SayDoRollup,
    Scope,
    SurveyResponse,
    Touchpoint,
)
from metrics.selectors.cutoffs import score_cutoffs
from metrics.selectors.say_do import (  # noqa: E402,F401 - re-exported for pages and the API
    LEVEL_LABELS,
    LEVELS,
    MIN_CUSTOMERS,
    SayDoScope,
    say_do_by_scope,
    say_do_for,
    say_do_query,
    say_do_segments,
)
from metrics.selectors.windows import (  # noqa: E402 - after the models it reads
    WindowPoint,
    WindowScore,
    headline_window_scores,
)


@dataclass(frozen=True)
class ScorePoint:
    period_start: date
    n: int
    value: float | None
    low: float | None
    high: float | None
    enough: bool


@dataclass(frozen=True)
class KpiStatus:
    kpi_id: int
    department_id: int
    name: str
    unit: str
    goal: float
    latest_value: float | None
    week_start: date | None
    rag: str  # "green" | "amber" | "red" | "grey"


def point_from_rollup(row: Rollup) -> ScorePoint:
    estimate = stats.score(
        row.metric,
        n=row.n,
        promoters=row.promoters,
        passives=row.passives,
        detractors=row.detractors,
        total=row.total,
        total_sq=row.total_sq,
    )
    return ScorePoint(
        period_start=row.period_start,
        n=row.n,
        value=estimate.value,
        low=estimate.low,
        high=estimate.high,
        enough=estimate.enough,
    )


def score_series(
    *,
    metric: str,
    scope: str,
    scope_id: int,
    grain: str,
    start: date | None = None,
    end: date | None = None,
) -> list[ScorePoint]:
    """The score of one scope for each period (ascending) with data, start..end inclusive."""
    rows = Rollup.objects.filter(metric=metric, scope=scope, scope_id=scope_id, grain=grain)
    if start is not None:
        rows = rows.filter(period_start__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    return [point_from_rollup(row) for row in rows.order_by("period_start")]


def period_after(grain: str, start: date) -> date:
    """The first day of the period that follows the one starting at `start`."""
    if grain == Grain.DAY:
        return start + timedelta(days=1)
    if grain == Grain.WEEK:
        return start + timedelta(days=7)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[Grain(grain)]
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def period_start_of(grain: str, day: date) -> date:
    """The first day of the `grain` period containing `day` (ISO weeks start on Monday)."""
    if grain == Grain.DAY:
        return day
    if grain == Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain == Grain.MONTH:
        return day.replace(day=1)
    if grain == Grain.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == Grain.YEAR:
        return date(day.year, 1, 1)
    raise ValueError(f"unknown grain {grain!r}")


def latest_complete_period(grain: str, today: date) -> date:
    """The start of the last `grain` period that ended before `today`."""
    current = period_start_of(grain, today)
    return period_start_of(grain, current - timedelta(days=1))


def journey_list() -> QuerySet[Journey]:
    return Journey.objects.order_by("order", "name")


def journeys_with_touchpoints(department_id: int | None = None) -> QuerySet[Journey]:
    """Journeys → stages → touch points (with department), in order, in three queries."""
    touchpoints = Touchpoint.objects.select_related("department").order_by("name")
    if department_id is not None:
        touchpoints = touchpoints.filter(department_id=department_id)
    stages = JourneyStage.objects.order_by("order", "name").prefetch_related(
        Prefetch("touchpoints", queryset=touchpoints)
    )
    return Journey.objects.order_by("order", "name").prefetch_related(
        Prefetch("stages", queryset=stages)
    )


def touchpoint_list(department_id: int | None = None) -> QuerySet[Touchpoint]:
    rows = Touchpoint.objects.select_related("stage__journey", "department")
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows


def recent_verbatims(*, touchpoint_id: int, limit: int = 10) -> QuerySet[SurveyResponse]:
    """The latest responses with a comment (served by metrics_resp_tp_time, read backwards)."""
    return (
        SurveyResponse.objects.filter(touchpoint_id=touchpoint_id)
        .exclude(comment="")
        .order_by("-responded_at")[:limit]
    )


def score_distribution(
    *, metric: str, touchpoint_id: int, start: date, end: date
) -> dict[str, int]:
    """Promoters / passives / detractors of one touch point over start..end, from day roll-ups."""
    rows = Rollup.objects.filter(
        metric=metric,
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint_id,
        grain=Grain.DAY,
        period_start__gte=start,
        period_start__lte=end,
    ).values_list("promoters", "passives", "detractors")
    counts = {"promoters": 0, "passives": 0, "detractors": 0}
    for promoters, passives, detractors in rows:
        counts["promoters"] += promoters
        counts["passives"] += passives
        counts["detractors"] += detractors
    return counts


def open_breaches(*, department_id: int | None = None) -> QuerySet[Breach]:
    rows = Breach.objects.select_related("touchpoint__department")
    if department_id is not None:
        rows = rows.filter(touchpoint__department_id=department_id)
    return rows


def kpi_rag(*, value: float | None, goal: float, direction: str, amber_pct: float) -> str:
    """green at or beyond the goal; amber up to `amber_pct` per cent of the goal short of it
    (the CCO's cut-off); red further off; grey with no data."""
    if value is None:
        return "grey"
    gap = (value - goal) if direction == KPIDirection.HIGHER else (goal - value)
    if gap >= 0:
        return "green"
    return "amber" if abs(gap) <= abs(goal) * amber_pct / 100 else "red"


def kpi_statuses(*, department_id: int | None = None) -> list[KpiStatus]:
    """Every KPI with its latest weekly observation and red / amber / green against its goal."""
    latest = KPIObservation.objects.filter(kpi=OuterRef("pk")).order_by("-week_start")
    kpis = KPI.objects.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_week=Subquery(latest.values("week_start")[:1]),
    ).order_by("department__name", "name")
    if department_id is not None:
        kpis = kpis.filter(department_id=department_id)
    amber_pct = score_cutoffs().kpi
    return [
        KpiStatus(
            kpi_id=kpi.pk,
            department_id=kpi.department_id,
            name=kpi.name,
            unit=kpi.unit,
            goal=kpi.goal,
            latest_value=kpi.latest_value,
            week_start=kpi.latest_week,
            rag=kpi_rag(
                value=kpi.latest_value,
                goal=kpi.goal,
                direction=kpi.direction,
                amber_pct=amber_pct,
            ),
        )
        for kpi in kpis
    ]


@dataclass(frozen=True)
class TouchpointRow:
    touchpoint: Touchpoint
    window: WindowScore | None  # the headline window (see metrics/selectors/windows.py)
    floor: float | None

    @property
    def latest(self) -> WindowPoint | None:
        return self.window.current if self.window else None

    @property
    def previous(self) -> WindowPoint | None:
        return self.window.previous if self.window else None

    @property
    def trend(self) -> str:  # "up" | "down" | "flat" | ""
        return self.window.trend if self.window else ""

    @property
    def below_floor(self) -> bool:
        latest = self.latest
        return bool(
            latest
            and latest.enough
            and latest.value is not None
            and self.floor is not None
            and latest.value < self.floor
        )


def touchpoint_rows(
    touchpoints: Iterable[Touchpoint],
    *,
    metric: str = "nps",
    today: date | None = None,
    segment: str = "",
) -> list[TouchpointRow]:
    """Each touch point with its headline window's score and trend (1 query).

    The arrow points up or down only when the window's interval and the previous window's do
    not overlap.
    """
    touchpoints = list(touchpoints)
    windows = headline_window_scores(
        metric=metric,
        scope=Scope.TOUCHPOINT,
        scope_ids=[t.pk for t in touchpoints],
        today=today,
        segment=segment,
    )
    return [
        TouchpointRow(touchpoint, windows.get(touchpoint.pk), touchpoint.floor_for(metric))
        for touchpoint in touchpoints
    ]


def headline_window(
    *, metric: str, scope: str, scope_id: int, today: date | None = None
) -> WindowScore | None:
    """One scope's headline window (None when nobody answered in the longest window)."""
    return headline_window_scores(
        metric=metric, scope=scope, scope_ids=[scope_id], today=today
    ).get(scope_id)


def department_scorecard(
    *, department_id: int, metric: str = "nps", segment: str = "", channel: str = ""
) -> dict[str, object]:
    """A department's touch points (headline window's score) and KPIs with red / amber / green;
    with a channel, its touch points only; with a segment, scored on that segment's answers."""
    touchpoints = touchpoint_list(department_id).order_by("name")
    if channel:
        touchpoints = touchpoints.filter(channel=channel)
    return {
        "touchpoints": touchpoint_rows(touchpoints, metric=metric, segment=segment),
        "kpis": kpi_statuses(department_id=department_id),
        "metric": metric,
    }


@dataclass(frozen=True)
class SayDoRow:
    category: str
    label: str
    customers: int
    retention: float | None
    mean_revenue: float | None


@dataclass(frozen=True)
class SayDo:
    """What promoters, passives and detractors went on to do. `has_outcomes` is False until a
    customer file is imported; `rows` are empty of customers when no outcome matches an answer."""

    has_outcomes: bool
    rows: list[SayDoRow]

    @property
    def matched(self) -> int:
        return sum(row.customers for row in self.rows)


def say_do_summary() -> SayDo:
    """From the say-versus-do roll-up (three rows), never from raw responses."""
    labels = dict(NpsCategory.choices)
    order = {category: index for index, category in enumerate(NpsCategory.values)}
    organisation = SayDoRollup.objects.filter(scope=Scope.ORGANISATION, scope_id=0, segment="")
    stored = sorted(organisation, key=lambda row: order[row.category])
    return SayDo(
        has_outcomes=bool(stored),
        rows=[
            SayDoRow(
                category=row.category,
                label=labels[row.category],
                customers=row.customers,
                retention=100.0 * row.retained / row.customers if row.customers else None,
                mean_revenue=(
                    row.revenue_total / row.revenue_customers if row.revenue_customers else None
                ),
            )
            for row in stored
        ],
    )


def rollups_catching_up() -> bool:
    """True while stored responses are newer than the last roll-up (its watermark), e.g. when
    the broker was down during an ingest. One indexed look-up on the primary key."""
    watermark = RollupWatermark.objects.filter(pk=1).values("last_response_id")[:1]
    # Ordered by the primary key and limited, PostgreSQL walks the index from the watermark;
    # as an EXISTS over the bare comparison it scanned the whole table.
    newer = (
        SurveyResponse.objects.filter(pk__gt=Coalesce(Subquery(watermark), 0))
        .order_by("pk")
        .values_list("pk", flat=True)[:1]
    )
    return bool(list(newer))


def rollup_state() -> tuple[str, bool]:
    """A version that changes whenever the roll-ups do (the watermark moves or a rebuild saves
    it), the cache key of anything computed from roll-ups only, and whether stored responses are
    newer than the roll-ups (`rollups_catching_up`). One query on the watermark's primary key."""
    newer = SurveyResponse.objects.filter(pk__gt=OuterRef("last_response_id")).order_by("pk")
    found = list(
        RollupWatermark.objects.filter(pk=1)
        .annotate(newer=Subquery(newer.values("pk")[:1]))
        .values_list("last_response_id", "updated_at", "newer")[:1]
    )
    if not found:
        return "0", rollups_catching_up()
    last_id, updated_at, newer_id = found[0]
    return f"{last_id}-{updated_at.timestamp():.6f}", newer_id is not None
