"""Everything the executive overview shows, read from roll-up tables and bounded queries.

No read here scans raw survey responses: scores come from `metrics.Rollup` day rows summed over
the chosen period, so the cost of a page follows the number of touch points and days, never the
number of responses.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone

from accountability.models import ActionItem, ActionStatus, CXIssue, CXIssueStatus
from cco.models import Department
from metrics import stats as metric_stats
from metrics.models import Breach, Grain, Journey, Metric, Rollup, Scope, Touchpoint
from metrics.selectors import (
    SayDo,
    kpi_statuses,
    period_after,
    period_start_of,
    point_from_rollup,
    rollups_catching_up,
    say_do_summary,
    score_series,
)
from metrics.stats import Estimate
from overview import stats
from overview.filters import DashboardFilters
from roadmap import stats as roadmap_stats
from roadmap.models import ExpectedResult, Initiative, Milestone, Status

# A touch point this many NPS points under its target is amber; further below is red.
NPS_AMBER_BAND = 5.0
# Action items done on time: green from 90 %, amber from 70 %.
ON_TIME_GREEN, ON_TIME_AMBER = 90.0, 70.0
# Open CX issues per department: amber from 1, red from 3.
ISSUES_AMBER, ISSUES_RED = 1, 3


@dataclass(frozen=True)
class HeadlineScope:
    scope: str
    scope_id: int
    label: str


def headline_scope(filters: DashboardFilters) -> HeadlineScope:
    if filters.department is not None:
        return HeadlineScope(Scope.DEPARTMENT, filters.department.pk, filters.department.name)
    if filters.journey is not None:
        return HeadlineScope(Scope.JOURNEY, filters.journey.pk, filters.journey.name)
    return HeadlineScope(Scope.ORGANISATION, 0, "Organisation")


ScopeKey = tuple[str, int]


def scoped_sums(
    *, metric: str, scopes: list[str], start: date, end: date
) -> dict[ScopeKey, Estimate]:
    """Estimates for every scope id of several scopes over start..end, in one query."""
    rows = (
        Rollup.objects.filter(
            metric=metric, scope__in=scopes, grain=Grain.DAY, period_start__range=(start, end)
        )
        .values("scope", "scope_id")
        .annotate(
            n_sum=Sum("n"),
            promoters_sum=Sum("promoters"),
            passives_sum=Sum("passives"),
            detractors_sum=Sum("detractors"),
            total_sum=Sum("total"),
            total_sq_sum=Sum("total_sq"),
        )
    )
    return {
        (row["scope"], row["scope_id"]): metric_stats.score(
            metric,
            n=row["n_sum"],
            promoters=row["promoters_sum"],
            passives=row["passives_sum"],
            detractors=row["detractors_sum"],
            total=row["total_sum"],
            total_sq=row["total_sq_sum"],
        )
        for row in rows
    }


# --- Tiles --------------------------------------------------------------------------------

EMPTY = Estimate(None, None, None, 0)


@dataclass(frozen=True)
class ScoreTile:
    label: str
    current: Estimate
    previous: Estimate
    significant: bool

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def half_width(self) -> float | None:
        if self.current.low is None or self.current.high is None:
            return None
        return (self.current.high - self.current.low) / 2


@dataclass(frozen=True)
class DeliveryFigure:
    on_time: int
    due: int

    @property
    def percent(self) -> float | None:
        return stats.percentage(self.on_time, self.due)


@dataclass(frozen=True)
class Tiles:
    nps: ScoreTile
    responses: dict[str, int]
    journeys: list[tuple[Journey, Estimate]]
    action_items: DeliveryFigure
    milestones: DeliveryFigure
    open_issues: int

    @property
    def responses_total(self) -> int:
        return sum(self.responses.values())


def headline_estimates(filters: DashboardFilters) -> tuple[Estimate, Estimate, dict[str, int]]:
    """The headline scope's NPS this period and the previous one, and responses per metric,
    from one query over both periods."""
    scope = headline_scope(filters)
    this_period = Q(period_start__range=(filters.start, filters.end))
    rows = (
        Rollup.objects.filter(
            scope=scope.scope,
            scope_id=scope.scope_id,
            grain=Grain.DAY,
            period_start__range=(filters.previous_start, filters.end),
        )
        .values("metric")
        .annotate(
            n_now=Sum("n", filter=this_period),
            n_before=Sum("n", filter=~this_period),
            p_now=Sum("promoters", filter=this_period),
            p_before=Sum("promoters", filter=~this_period),
            m_now=Sum("passives", filter=this_period),
            m_before=Sum("passives", filter=~this_period),
            d_now=Sum("detractors", filter=this_period),
            d_before=Sum("detractors", filter=~this_period),
        )
    )
    current, previous, responses = EMPTY, EMPTY, {}
    for row in rows:
        if row["n_now"]:
            responses[row["metric"]] = row["n_now"]
        if row["metric"] == Metric.NPS:
            current = metric_stats.nps(row["p_now"] or 0, row["m_now"] or 0, row["d_now"] or 0)
            previous = metric_stats.nps(
                row["p_before"] or 0, row["m_before"] or 0, row["d_before"] or 0
            )
    return current, previous, responses


def action_item_delivery(filters: DashboardFilters) -> dict[int, DeliveryFigure]:
    """Per department: action items due in the period (up to today), and how many were done
    by their due date."""
    today = timezone.localdate()
    items = ActionItem.objects.filter(due__range=(filters.start, min(filters.end, today)))
    if filters.department is not None:
        items = items.filter(department=filters.department)
    rows = items.values("department_id").annotate(
        due_count=Count("pk"),
        on_time=Count("pk", filter=Q(status=ActionStatus.DONE, completed_on__lte=F("due"))),
    )
    return {row["department_id"]: DeliveryFigure(row["on_time"], row["due_count"]) for row in rows}


def open_issue_counts(filters: DashboardFilters) -> dict[int, int]:
    issues = CXIssue.objects.exclude(status=CXIssueStatus.RESOLVED)
    if filters.department is not None:
        issues = issues.filter(department=filters.department)
    rows = issues.values("department_id").annotate(count=Count("pk"))
    return {row["department_id"]: row["count"] for row in rows}


# --- NPS trend ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendMarker:
    day: date
    kind: str  # "breach" | "accomplishment"
    text: str
    url: str


@dataclass(frozen=True)
class TargetLine:
    label: str
    start: date
    start_value: float
    end: date
    end_value: float


@dataclass
class Trend:
    scope: HeadlineScope
    start: date
    end: date
    points: list = field(default_factory=list)
    markers: list[TrendMarker] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)


def nps_trend(filters: DashboardFilters, results: list[ExpectedResult]) -> Trend:
    scope = headline_scope(filters)
    trend = Trend(scope=scope, start=filters.start, end=filters.end)
    trend.points = score_series(
        metric=Metric.NPS,
        scope=scope.scope,
        scope_id=scope.scope_id,
        grain=filters.grain,
        start=period_start_of(filters.grain, filters.start),
        end=filters.end,
    )
    breaches = Breach.objects.filter(
        period_start__range=(filters.start, filters.end), metric=Metric.NPS
    ).select_related("touchpoint")
    if filters.department is not None:
        breaches = breaches.filter(touchpoint__department=filters.department)
    if filters.journey is not None:
        breaches = breaches.filter(touchpoint__stage__journey=filters.journey)
    for breach in breaches.order_by("period_start")[:50]:
        name = breach.touchpoint.name if breach.touchpoint else "organisation"
        trend.markers.append(
            TrendMarker(
                breach.period_start,
                "breach",
                f"Breach: {name} — {breach.get_rule_display()} ({breach.value:.0f})",
                breach.touchpoint.get_absolute_url() if breach.touchpoint else "",
            )
        )
    accomplishments = Milestone.objects.filter(
        is_key=True, done_date__range=(filters.start, filters.end)
    ).select_related("initiative")
    if filters.department is not None:
        accomplishments = accomplishments.filter(initiative__department=filters.department)
    for milestone in accomplishments.order_by("done_date")[:50]:
        trend.markers.append(
            TrendMarker(
                milestone.done_date or filters.end,
                "accomplishment",
                f"Key accomplishment: {milestone.title} ({milestone.initiative.title})",
                milestone.initiative.get_absolute_url(),
            )
        )
    # The promises made on this very score, drawn inside the period only (the baseline →
    # target line at the period's ends); the three nearest deadlines keep the chart readable.
    promises = [
        r
        for r in results
        if (r.metric, r.scope, r.scope_id) == (Metric.NPS, scope.scope, scope.scope_id)
        and r.by_date >= filters.start
        and r.initiative.start_date <= filters.end
    ]
    for result in promises[:3]:
        first = max(result.initiative.start_date, filters.start)
        last = min(result.by_date, filters.end)
        line = {
            day: roadmap_stats.expected_on(
                baseline=result.baseline,
                target=result.target,
                start=result.initiative.start_date,
                by_date=result.by_date,
                on=day,
            )
            for day in (first, last)
        }
        trend.targets.append(
            TargetLine(
                f"Target: {result.initiative.title} ({result.target:+.0f} by "
                f"{result.by_date:%b %Y})",
                first,
                line[first],
                last,
                line[last],
            )
        )
    return trend


# --- Journey map --------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchpointCell:
    touchpoint: Touchpoint
    estimate: Estimate
    rag: str

    @property
    def gap(self) -> float | None:
        target = self.touchpoint.nps_target
        if self.estimate.value is None or target is None or not self.estimate.enough:
            return None
        return self.estimate.value - target


@dataclass
class StageColumn:
    name: str
    estimate: Estimate
    touchpoints: list[TouchpointCell]


@dataclass
class JourneyRow:
    journey: Journey
    estimate: Estimate
    stages: list[StageColumn]
    peak: StageColumn | None = None
    pit: StageColumn | None = None
    steepest_drop: tuple[StageColumn, StageColumn] | None = None


@dataclass
class JourneyMap:
    journeys: list[JourneyRow]
    peaks: list[TouchpointCell]
    pits: list[TouchpointCell]
    touchpoints: list[Touchpoint]


def journey_map(filters: DashboardFilters, scores: dict[ScopeKey, Estimate]) -> JourneyMap:
    """Each journey's stages with their touch points, the peaks and the pits.

    People remember the peaks, the pits and the transitions of an experience: the best and
    worst stage of each journey, the steepest fall from one stage to the next, and the touch
    points furthest above and below their targets.
    """
    touchpoints = Touchpoint.objects.select_related("stage__journey", "department").order_by(
        "stage__journey__order", "stage__journey__name", "stage__order", "stage__name", "name"
    )
    if filters.department is not None:
        touchpoints = touchpoints.filter(department=filters.department)
    if filters.journey is not None:
        touchpoints = touchpoints.filter(stage__journey=filters.journey)
    loaded = list(touchpoints)
    rows: list[JourneyRow] = []
    cells: list[TouchpointCell] = []
    for touchpoint in loaded:
        stage, journey = touchpoint.stage, touchpoint.stage.journey
        if not rows or rows[-1].journey.pk != journey.pk:
            rows.append(JourneyRow(journey, scores.get((Scope.JOURNEY, journey.pk), EMPTY), []))
        row = rows[-1]
        if not row.stages or row.stages[-1].name != stage.name:
            row.stages.append(
                StageColumn(stage.name, scores.get((Scope.STAGE, stage.pk), EMPTY), [])
            )
        estimate = scores.get((Scope.TOUCHPOINT, touchpoint.pk), EMPTY)
        cell = TouchpointCell(
            touchpoint,
            estimate,
            stats.score_rag(
                estimate.value,
                touchpoint.nps_target,
                enough=estimate.enough,
                amber_band=NPS_AMBER_BAND,
            ),
        )
        row.stages[-1].touchpoints.append(cell)
        cells.append(cell)
    for row in rows:
        judged = [c for c in row.stages if c.estimate.enough and c.estimate.value is not None]
        if judged:
            row.peak = max(judged, key=lambda c: c.estimate.value or 0)
            row.pit = min(judged, key=lambda c: c.estimate.value or 0)
        drops = [
            (a, b)
            for a, b in zip(judged, judged[1:], strict=False)
            if (b.estimate.value or 0) < (a.estimate.value or 0)
        ]
        if drops:
            row.steepest_drop = max(
                drops,
                key=lambda pair: (pair[0].estimate.value or 0) - (pair[1].estimate.value or 0),
            )
    judged_cells = sorted((c for c in cells if c.gap is not None), key=lambda c: c.gap or 0)
    return JourneyMap(
        journeys=rows,
        peaks=[c for c in reversed(judged_cells[-3:]) if (c.gap or 0) >= 0],
        pits=[c for c in judged_cells[:3] if (c.gap or 0) < 0],
        touchpoints=loaded,
    )


# --- Department scorecard -----------------------------------------------------------------

SCORECARD_COLUMNS = ["NPS vs target", "KPIs vs goal", "Actions on time", "Open CX issues"]


@dataclass(frozen=True)
class ScorecardCell:
    rag: str
    text: str


@dataclass(frozen=True)
class ScorecardRow:
    department: Department
    cells: list[ScorecardCell]

    @property
    def url(self) -> str:
        return self.department.get_absolute_url()


def department_targets(
    filters: DashboardFilters, touchpoints: list[Touchpoint]
) -> dict[int, float]:
    """The mean NPS target of each department's touch points."""
    if filters.journey is not None:
        # The journey map holds only that journey's touch points; the scorecard needs them all.
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


def department_scorecard(
    filters: DashboardFilters,
    *,
    departments: list[Department],
    scores: dict[ScopeKey, Estimate],
    targets: dict[int, float],
    delivery: dict[int, DeliveryFigure],
    issues: dict[int, int],
) -> list[ScorecardRow]:
    if filters.department is not None:
        departments = [d for d in departments if d.pk == filters.department.pk]
    kpis_by_department: dict[int, list[str]] = defaultdict(list)
    for status in kpi_statuses(department_id=filters.department.pk if filters.department else None):
        kpis_by_department[status.department_id].append(status.rag)
    rows = []
    for department in departments:
        estimate = scores.get((Scope.DEPARTMENT, department.pk), EMPTY)
        target = targets.get(department.pk)
        if estimate.n == 0:
            nps_text = "no responses"
        elif not estimate.enough:
            nps_text = f"too few responses (n={estimate.n})"
        else:
            nps_text = f"{estimate.value:+.0f}" + (
                f" vs {target:+.0f}" if target is not None else ""
            )
        judged = [rag for rag in kpis_by_department.get(department.pk, []) if rag != "grey"]
        if not judged:
            kpi_rag = "grey"
        elif "red" in judged:
            kpi_rag = "red"
        else:
            kpi_rag = "amber" if "amber" in judged else "green"
        figure = delivery.get(department.pk, DeliveryFigure(0, 0))
        open_count = issues.get(department.pk, 0)
        rows.append(
            ScorecardRow(
                department,
                [
                    ScorecardCell(
                        stats.score_rag(
                            estimate.value,
                            target,
                            enough=estimate.enough,
                            amber_band=NPS_AMBER_BAND,
                        ),
                        nps_text,
                    ),
                    ScorecardCell(
                        kpi_rag,
                        f"{judged.count('green')} of {len(judged)} at goal"
                        if judged
                        else "no KPI readings",
                    ),
                    ScorecardCell(
                        stats.share_rag(
                            figure.percent, green_at=ON_TIME_GREEN, amber_at=ON_TIME_AMBER
                        ),
                        f"{figure.percent:.0f}% ({figure.on_time}/{figure.due})"
                        if figure.due
                        else "none due",
                    ),
                    ScorecardCell(
                        stats.count_rag(open_count, amber_from=ISSUES_AMBER, red_from=ISSUES_RED),
                        str(open_count),
                    ),
                ],
            )
        )
    return rows


# --- Roadmap health -----------------------------------------------------------------------


@dataclass
class PillarHealth:
    name: str
    by_status: dict[str, int]


@dataclass(frozen=True)
class RoadmapRef:
    pk: int
    name: str


@dataclass
class RoadmapHealth:
    roadmap: RoadmapRef | None
    pillars: list[PillarHealth]
    milestones_this_quarter: DeliveryFigure
    milestones_open_this_quarter: int
    verdicts: dict[str, int]
    behind: list[tuple[ExpectedResult, roadmap_stats.Verdict]]


def current_roadmap_results(filters: DashboardFilters) -> list[ExpectedResult]:
    results = (
        ExpectedResult.objects.filter(initiative__pillar__roadmap__is_current=True)
        .exclude(initiative__status=Status.DROPPED)
        .select_related("initiative")
        .order_by("by_date", "pk")
    )
    if filters.department is not None:
        results = results.filter(initiative__department=filters.department)
    return list(results)


def milestone_figures(filters: DashboardFilters) -> tuple[DeliveryFigure, DeliveryFigure, int]:
    """Milestones of the current roadmap, in one query: those due in the period (up to today)
    and done on time; those due this quarter so far and done on time; this quarter's still open."""
    today = timezone.localdate()
    quarter_start = period_start_of(Grain.QUARTER, today)
    quarter_end = period_after(Grain.QUARTER, quarter_start)
    in_period = Q(due_date__range=(filters.start, min(filters.end, today)))
    in_quarter = Q(due_date__gte=quarter_start, due_date__lt=quarter_end)
    so_far = Q(due_date__lte=today)
    on_time = Q(done_date__isnull=False, done_date__lte=F("due_date"))
    milestones = Milestone.objects.filter(initiative__pillar__roadmap__is_current=True)
    if filters.department is not None:
        milestones = milestones.filter(initiative__department=filters.department)
    totals = milestones.aggregate(
        period_due=Count("pk", filter=in_period),
        period_on_time=Count("pk", filter=in_period & on_time),
        quarter_due=Count("pk", filter=in_quarter & so_far),
        quarter_on_time=Count("pk", filter=in_quarter & so_far & on_time),
        quarter_open=Count("pk", filter=in_quarter & Q(done_date__isnull=True)),
    )
    return (
        DeliveryFigure(totals["period_on_time"], totals["period_due"]),
        DeliveryFigure(totals["quarter_on_time"], totals["quarter_due"]),
        totals["quarter_open"],
    )


def roadmap_health(
    filters: DashboardFilters,
    *,
    results: list[ExpectedResult],
    quarter: DeliveryFigure,
    quarter_open: int,
) -> RoadmapHealth:
    initiatives = Initiative.objects.filter(pillar__roadmap__is_current=True)
    if filters.department is not None:
        initiatives = initiatives.filter(department=filters.department)
    rows = list(
        initiatives.values(
            "pillar_id",
            "pillar__name",
            "pillar__order",
            "pillar__roadmap_id",
            "pillar__roadmap__name",
            "status",
        )
        .annotate(count=Count("pk"))
        .order_by("pillar__order", "pillar__name")
    )
    if not rows:
        return RoadmapHealth(None, [], quarter, quarter_open, {}, [])
    pillars: dict[int, PillarHealth] = {}
    for row in rows:
        pillar = pillars.setdefault(row["pillar_id"], PillarHealth(row["pillar__name"], {}))
        pillar.by_status[row["status"]] = row["count"]
    verdicts, behind = expected_result_verdicts(results, today=timezone.localdate())
    return RoadmapHealth(
        RoadmapRef(rows[0]["pillar__roadmap_id"], rows[0]["pillar__roadmap__name"]),
        list(pillars.values()),
        quarter,
        quarter_open,
        verdicts,
        behind,
    )


def expected_result_verdicts(
    results: list[ExpectedResult], *, today: date
) -> tuple[dict[str, int], list[tuple[ExpectedResult, roadmap_stats.Verdict]]]:
    """Verdicts for many expected results from one query of their monthly roll-ups."""
    if not results:
        return {}, []
    wanted = Q()
    for result in results:
        wanted |= Q(metric=result.metric, scope=result.scope, scope_id=result.scope_id)
    earliest = min(result.initiative.start_date for result in results)
    series: dict[tuple[str, str, int], list] = defaultdict(list)
    rows = Rollup.objects.filter(
        wanted, grain=Grain.MONTH, period_start__gte=date(earliest.year - 1, earliest.month, 1)
    )
    for row in rows.order_by("period_start"):
        series[(row.metric, row.scope, row.scope_id)].append(point_from_rollup(row))
    counts: dict[str, int] = defaultdict(int)
    behind = []
    for result in results:
        verdict = roadmap_stats.result_verdict(
            points=series[(result.metric, result.scope, result.scope_id)],
            baseline=result.baseline,
            target=result.target,
            start=result.initiative.start_date,
            by_date=result.by_date,
            today=today,
            higher_is_better=result.higher_is_better,
        )
        counts[verdict.kind] += 1
        if verdict.kind == roadmap_stats.BEHIND:
            behind.append((result, verdict))
    return dict(counts), behind


# --- The whole overview -------------------------------------------------------------------


@dataclass
class Overview:
    tiles: Tiles
    trend: Trend
    journey_map: JourneyMap
    scorecard: list[ScorecardRow]
    roadmap: RoadmapHealth
    say_do: SayDo
    departments: list[Department]
    catching_up: bool


def overview(filters: DashboardFilters) -> Overview:
    """Every panel of the overview, each fact read once (about 17 queries whatever the size)."""
    scores = scoped_sums(
        metric=Metric.NPS,
        scopes=[Scope.TOUCHPOINT, Scope.STAGE, Scope.JOURNEY, Scope.DEPARTMENT],
        start=filters.start,
        end=filters.end,
    )
    current, previous, responses = headline_estimates(filters)
    the_map = journey_map(filters, scores)
    delivery = action_item_delivery(filters)
    issues = open_issue_counts(filters)
    results = current_roadmap_results(filters)
    milestones, quarter, quarter_open = milestone_figures(filters)
    # Every department, once: the scorecard's rows and the filter's choices.
    departments = list(Department.objects.order_by("name"))
    tiles = Tiles(
        nps=ScoreTile(
            label=f"{headline_scope(filters).label} NPS",
            current=current,
            previous=previous,
            significant=stats.change_is_significant(previous, current),
        ),
        responses=responses,
        journeys=[(row.journey, row.estimate) for row in the_map.journeys],
        action_items=DeliveryFigure(
            sum(f.on_time for f in delivery.values()), sum(f.due for f in delivery.values())
        ),
        milestones=milestones,
        open_issues=sum(issues.values()),
    )
    return Overview(
        tiles=tiles,
        trend=nps_trend(filters, results),
        journey_map=the_map,
        scorecard=department_scorecard(
            filters,
            departments=departments,
            scores=scores,
            targets=department_targets(filters, the_map.touchpoints),
            delivery=delivery,
            issues=issues,
        ),
        roadmap=roadmap_health(
            filters, results=results, quarter=quarter, quarter_open=quarter_open
        ),
        say_do=say_do_summary(),
        departments=departments,
        catching_up=rollups_catching_up(),
    )
