"""Everything the executive overview shows, arranged from the other apps' selectors.

The overview computes no figure of its own: scores and their intervals come from `metrics`,
initiative statuses, milestones and expected-result verdicts from `roadmap`, action-item
delivery and open CX issues from `accountability`. No read here scans raw survey responses, so
the cost of the page follows the number of touch points and days, never of responses.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accountability import selectors as accountability_selectors
from accountability.cutoffs import delivery_cutoffs
from accountability.scorecard import ScorecardRow, scorecard_rows
from accountability.stats import NO_FOLLOWUPS, DeliveryFigures, FollowupFigures, combined_delivery
from cco.models import Department
from metrics import stats as metric_stats
from metrics.selectors import (
    Journey,
    SayDo,
    ScorePoint,
    Touchpoint,
    period_start_of,
)
from metrics.selectors.cutoffs import score_cutoffs
from metrics.selectors.drivers import Drivers
from metrics.selectors.ranges import (
    HeadlineScope,
    RangeScores,
    department_nps_targets,
    headline_scope,
    map_touchpoints,
    nps_breaches_between,
)
from metrics.selectors.segments import (
    DIMENSIONS,
    BreakdownRow,
    TouchpointPlaces,
    breakdown,
    places_of,
    sliced_headline,
    sliced_range_scores,
    sliced_score_series,
)
from metrics.stats import Estimate
from overview.filters import DashboardFilters
from overview.shared import SharedFigures, shared_figures
from roadmap import selectors as roadmap_selectors
from roadmap.stats import Verdict, expected_on

NPS = "nps"


def filters_scope(filters: DashboardFilters) -> HeadlineScope:
    department = filters.department
    return headline_scope(
        department_id=department.pk if department else None,
        department_name=department.name if department else "",
        journey=filters.journey,
    )


def _department_id(filters: DashboardFilters) -> int | None:
    return filters.department.pk if filters.department is not None else None


# --- Tiles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTile:
    label: str
    current: Estimate
    previous: Estimate

    @property
    def significant(self) -> bool:
        return metric_stats.change_is_significant(self.previous, self.current)

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
class Tiles:
    nps: ScoreTile
    responses: dict[str, int]
    journeys: list[tuple[Journey, Estimate]]
    action_items: DeliveryFigures
    milestones: roadmap_selectors.DeliveryFigure
    open_issues: int
    # The on-time share judged by the CCO's cut-offs, as on the scorecards.
    action_items_rag: str

    @property
    def action_items_label(self) -> str:
        return metric_stats.rag_label(self.action_items_rag)

    followups: FollowupFigures = NO_FOLLOWUPS

    @property
    def responses_total(self) -> int:
        return sum(self.responses.values())


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
    points: list[ScorePoint] = field(default_factory=list)
    markers: list[TrendMarker] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)


def nps_trend(filters: DashboardFilters, results: list) -> Trend:
    scope = filters_scope(filters)
    department_id = _department_id(filters)
    trend = Trend(scope=scope, start=filters.start, end=filters.end)
    trend.points = sliced_score_series(
        metric=NPS,
        scope=scope.scope,
        scope_id=scope.scope_id,
        grain=filters.grain,
        where=filters.slice,
        start=period_start_of(filters.grain, filters.start),
        end=filters.end,
    )
    for breach in nps_breaches_between(
        start=filters.start,
        end=filters.end,
        department_id=department_id,
        journey_id=filters.journey.pk if filters.journey is not None else None,
    ):
        name = breach.touchpoint.name if breach.touchpoint else "organisation"
        trend.markers.append(
            TrendMarker(
                breach.period_start,
                "breach",
                f"Breach: {name} — {breach.get_rule_display()} ({breach.value:.0f})",
                breach.touchpoint.get_absolute_url() if breach.touchpoint else "",
            )
        )
    for milestone in roadmap_selectors.key_accomplishments(
        start=filters.start, end=filters.end, department_id=department_id
    ):
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
        if (r.metric, r.scope, r.scope_id) == (NPS, scope.scope, scope.scope_id)
        and r.by_date >= filters.start
        and r.initiative.start_date <= filters.end
        # The baseline as roadmap measured it (or the CCO typed it); none, no line.
        and r.reading.baseline.value is not None
    ]
    for result in promises[:3]:
        first = max(result.initiative.start_date, filters.start)
        last = min(result.by_date, filters.end)
        line = {
            day: expected_on(
                baseline=result.reading.baseline.value,
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
    amber_band: float  # the CCO's NPS cut-off (metrics.selectors.cutoffs)

    @property
    def rag(self) -> str:
        return metric_stats.score_rag(
            self.estimate, self.touchpoint.nps_target, amber_band=self.amber_band
        )

    @property
    def label(self) -> str:
        return metric_stats.rag_label(self.rag)

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


def journey_map(
    filters: DashboardFilters, scores: RangeScores, every_touchpoint: list[Touchpoint]
) -> JourneyMap:
    """Each journey's stages with their touch points, the peaks and the pits.

    People remember the peaks, the pits and the transitions of an experience: the best and
    worst stage of each journey, the steepest fall from one stage to the next, and the touch
    points furthest above and below their targets.
    """
    department_id = _department_id(filters)
    journey_id = filters.journey.pk if filters.journey is not None else None
    # Another channel's touch points have no score within a channel: they are left out.
    loaded = [
        touchpoint
        for touchpoint in every_touchpoint
        if department_id in (None, touchpoint.department_id)
        and journey_id in (None, touchpoint.stage.journey_id)
        and filters.channel in ("", touchpoint.channel)
    ]
    rows: list[JourneyRow] = []
    cells: list[TouchpointCell] = []
    amber_band = score_cutoffs().nps
    for touchpoint in loaded:
        stage, journey = touchpoint.stage, touchpoint.stage.journey
        if not rows or rows[-1].journey.pk != journey.pk:
            rows.append(JourneyRow(journey, scores.journey(journey.pk), []))
        row = rows[-1]
        if not row.stages or row.stages[-1].name != stage.name:
            row.stages.append(StageColumn(stage.name, scores.stage(stage.pk), []))
        cell = TouchpointCell(touchpoint, scores.touchpoint(touchpoint.pk), amber_band)
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


# --- Department scorecard: accountability's rows, from the figures read once above ----------


# --- Breakdowns by segment and by channel -------------------------------------------------


@dataclass(frozen=True)
class Breakdowns:
    """The headline scope's score per segment and per channel, every metric, in the period."""

    scope: HeadlineScope
    rows: dict[str, list[BreakdownRow]]  # "segment" | "channel" → rows

    def nps(self, dimension: str) -> list[BreakdownRow]:
        return [row for row in self.rows[dimension] if row.metric == NPS]


def breakdowns(filters: DashboardFilters, places: TouchpointPlaces) -> Breakdowns:
    """By segment within the chosen channel, by channel within the chosen segment (two
    queries): the chosen group is one row among the others, so it reads against them."""
    scope = filters_scope(filters)
    return Breakdowns(
        scope,
        {
            dimension: breakdown(
                dimension,
                scope=scope.scope,
                scope_id=scope.scope_id,
                start=filters.start,
                end=filters.end,
                where=filters.slice,
                places=places,
            )  # fmt: skip
            for dimension in DIMENSIONS
        },
    )


# --- Roadmap health -----------------------------------------------------------------------


@dataclass
class RoadmapHealth:
    roadmap: roadmap_selectors.RoadmapRef | None
    pillars: list[roadmap_selectors.PillarStatuses]
    milestones_this_quarter: roadmap_selectors.DeliveryFigure
    milestones_open_this_quarter: int
    verdicts: dict[str, int]
    behind: list[tuple[Any, Verdict]]


def roadmap_health(
    filters: DashboardFilters, *, results: list, milestones: roadmap_selectors.MilestoneFigures
) -> RoadmapHealth:
    health = roadmap_selectors.portfolio_health(
        department_id=_department_id(filters), results=results
    )
    return RoadmapHealth(
        health.roadmap,
        health.pillars,
        milestones.this_quarter,
        milestones.open_this_quarter,
        health.verdicts,
        health.behind,
    )


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
    drivers: dict[str, Drivers | None]
    breakdowns: Breakdowns


def overview(filters: DashboardFilters, *, shared: SharedFigures | None = None) -> Overview:
    """Every panel of the overview, each fact read once (about 20 queries whatever the size).
    Scores count the answers of the chosen segment and channel only (`filters.slice`).
    `shared` is `shared_figures()` when the caller holds them already.

    Whether roll-ups lag is read by the caller, fresh, beside the cached panels."""
    shared = shared or shared_figures()
    department_id = _department_id(filters)
    scope = filters_scope(filters)
    every_touchpoint = map_touchpoints()
    places = places_of(every_touchpoint)
    scores = sliced_range_scores(
        start=filters.start, end=filters.end, where=filters.slice, places=places
    )
    headline = sliced_headline(
        scope,
        start=filters.start,
        end=filters.end,
        previous_start=filters.previous_start,
        where=filters.slice,
    )
    the_map = journey_map(filters, scores, every_touchpoint)
    delivery = accountability_selectors.delivery_by_department(
        start=filters.start, end=filters.end, department_id=department_id
    )
    issues = accountability_selectors.open_issue_counts(department_id=department_id)
    results = roadmap_selectors.current_results(department_id=department_id)
    milestones = roadmap_selectors.milestone_figures(
        start=filters.start, end=filters.end, department_id=department_id
    )
    # Every department, once: the scorecard's rows and the filter's choices.
    departments = list(Department.objects.order_by("name"))
    action_items = combined_delivery(delivery.values())
    tiles = Tiles(
        nps=ScoreTile(
            label=" · ".join(part for part in (f"{scope.label} NPS", filters.slice.label) if part),
            current=headline.current,
            previous=headline.previous,
        ),
        responses=headline.responses,
        journeys=[(row.journey, row.estimate) for row in the_map.journeys],
        action_items=action_items,
        milestones=milestones.in_range,
        open_issues=sum(issues.values()),
        action_items_rag=delivery_cutoffs().on_time_rag(action_items.on_time_pct),
        followups=shared.followups(department_id),
    )
    # Every department's touch points are at hand (the map holds only the filtered ones): the
    # scorecard's targets are those of the touch points it scores, the chosen channel's.
    targets = department_nps_targets(
        [t for t in every_touchpoint if filters.channel in ("", t.channel)]
    )
    return Overview(
        tiles=tiles,
        trend=nps_trend(filters, results),
        journey_map=the_map,
        scorecard=scorecard_rows(
            departments=departments,
            scores=scores,
            targets=targets,
            delivery=delivery,
            issues=issues,
            department_id=department_id,
        ),
        roadmap=roadmap_health(filters, results=results, milestones=milestones),
        say_do=shared.say_do,
        departments=departments,
        drivers=shared.drivers,
        breakdowns=breakdowns(filters, places),
    )
