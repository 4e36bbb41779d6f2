"""The current roadmap at a glance, for the executive overview and the digest: initiatives by
status per pillar, milestone delivery, key accomplishments and the verdicts on expected results.

Each read costs a fixed number of queries whatever the size of the plan; the verdicts are read
by `roadmap.selectors.results.read_results`, as on an initiative's own page.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from metrics.models import Grain
from metrics.selectors import period_after, period_start_of
from roadmap.models import ExpectedResult, Initiative, Milestone, Status
from roadmap.selectors.results import ResultReading, read_results
from roadmap.stats import BEHIND, Verdict


@dataclass(frozen=True)
class DeliveryFigure:
    """Milestones due in a window and how many of them were done by their due date."""

    done_on_time: int
    due_count: int

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.done_on_time / self.due_count, 1) if self.due_count else None


@dataclass(frozen=True)
class MilestoneFigures:
    in_range: DeliveryFigure  # due from `start` to min(end, today)
    this_quarter: DeliveryFigure  # due this quarter up to today
    open_this_quarter: int


def current_results(
    *, department_id: int | None = None, on: date | None = None
) -> list[ExpectedResult]:
    """Expected results of the current roadmap's initiatives that were not dropped, each with
    its `reading` (measured baseline and verdict on `on`) attached: two queries whatever
    their number.

    The executive overview draws each promise's line from `result.reading.baseline` and passes
    the results on to `portfolio_health`, which then reads nothing again.
    """
    results = (
        ExpectedResult.objects.filter(initiative__pillar__roadmap__is_current=True)
        .exclude(initiative__status=Status.DROPPED)
        .select_related("initiative", "kpi")
        .order_by("by_date", "pk")
    )
    if department_id is not None:
        results = results.filter(initiative__department_id=department_id)
    loaded = list(results)
    # The panel names results by their initiative: the scopes' names are not needed.
    for reading in read_results(loaded, on=on, named=False):
        # Attached as Django attaches annotations: the result carries what was read about it.
        setattr(reading.result, "reading", reading)  # noqa: B010
    return loaded


def milestone_figures(
    *, start: date, end: date, department_id: int | None = None, on: date | None = None
) -> MilestoneFigures:
    """Milestones of the current roadmap, in one query: those due in the range (up to today) and
    done on time; those due this quarter so far and done on time; this quarter's still open."""
    on = on or timezone.localdate()
    quarter_start = period_start_of(Grain.QUARTER, on)
    quarter_end = period_after(Grain.QUARTER, quarter_start)
    in_range = Q(due_date__range=(start, min(end, on)))
    in_quarter = Q(due_date__gte=quarter_start, due_date__lt=quarter_end)
    so_far = Q(due_date__lte=on)
    on_time = Q(done_date__isnull=False, done_date__lte=F("due_date"))
    milestones = Milestone.objects.filter(initiative__pillar__roadmap__is_current=True)
    if department_id is not None:
        milestones = milestones.filter(initiative__department_id=department_id)
    totals = milestones.aggregate(
        range_due=Count("pk", filter=in_range),
        range_on_time=Count("pk", filter=in_range & on_time),
        quarter_due=Count("pk", filter=in_quarter & so_far),
        quarter_on_time=Count("pk", filter=in_quarter & so_far & on_time),
        quarter_open=Count("pk", filter=in_quarter & Q(done_date__isnull=True)),
    )
    return MilestoneFigures(
        DeliveryFigure(totals["range_on_time"], totals["range_due"]),
        DeliveryFigure(totals["quarter_on_time"], totals["quarter_due"]),
        totals["quarter_open"],
    )


def key_accomplishments(
    *, start: date, end: date, department_id: int | None = None, limit: int = 50
) -> list[Milestone]:
    """Key milestones delivered from `start` to `end`, oldest first, with their initiative."""
    milestones = Milestone.objects.filter(
        is_key=True, done_date__range=(start, end)
    ).select_related("initiative")
    if department_id is not None:
        milestones = milestones.filter(initiative__department_id=department_id)
    return list(milestones.order_by("done_date")[:limit])


def initiative_statuses() -> list[tuple[str, str]]:
    """Every initiative status as (value, label), in the plan's order."""
    return list(Status.choices)


@dataclass
class PillarStatuses:
    name: str
    by_status: dict[str, int]


@dataclass(frozen=True)
class RoadmapRef:
    pk: int
    name: str


@dataclass
class PortfolioStatus:
    """The current roadmap's initiatives by status per pillar (empty when there is none)."""

    roadmap: RoadmapRef | None
    pillars: list[PillarStatuses]


def portfolio_status(*, department_id: int | None = None) -> PortfolioStatus:
    initiatives = Initiative.objects.filter(pillar__roadmap__is_current=True)
    if department_id is not None:
        initiatives = initiatives.filter(department_id=department_id)
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
        return PortfolioStatus(None, [])
    pillars: dict[int, PillarStatuses] = {}
    for row in rows:
        pillar = pillars.setdefault(row["pillar_id"], PillarStatuses(row["pillar__name"], {}))
        pillar.by_status[row["status"]] = row["count"]
    return PortfolioStatus(
        RoadmapRef(rows[0]["pillar__roadmap_id"], rows[0]["pillar__roadmap__name"]),
        list(pillars.values()),
    )


def result_verdicts(
    results: list[ExpectedResult], *, on: date | None = None
) -> list[tuple[ExpectedResult, Verdict]]:
    """The verdict on each expected result: the readings `current_results` attached when they
    were read on the same day, else read now for all of them at once."""
    on = on or timezone.localdate()
    readings: list[ResultReading] = [
        reading
        for r in results
        if (reading := getattr(r, "reading", None)) is not None and reading.on == on
    ]
    if len(readings) != len(results):
        readings = read_results(results, on=on, named=False)
    return [(reading.result, reading.verdict) for reading in readings]


@dataclass
class PortfolioHealth:
    """The executive overview's roadmap panel: the current roadmap's initiatives by status per
    pillar, how many expected results have each verdict (achieved, on_track, behind,
    too_early, no_baseline), and those behind with their verdict and the months judged."""

    roadmap: RoadmapRef | None
    pillars: list[PillarStatuses]
    verdicts: dict[str, int]
    behind: list[tuple[ExpectedResult, Verdict]]


def portfolio_health(
    *,
    department_id: int | None = None,
    results: list[ExpectedResult] | None = None,
    on: date | None = None,
) -> PortfolioHealth:
    """The current roadmap's health at a glance: one query when `results` come from
    `current_results(department_id=...)` (read already, their verdicts attached), three
    without them.

    No current roadmap (or no initiative in it for the department) gives an empty panel.
    """
    portfolio = portfolio_status(department_id=department_id)
    if portfolio.roadmap is None:
        return PortfolioHealth(None, [], {}, [])
    if results is None:
        results = current_results(department_id=department_id, on=on)
    verdicts: dict[str, int] = {}
    behind = []
    for result, verdict in result_verdicts(results, on=on):
        verdicts[verdict.kind] = verdicts.get(verdict.kind, 0) + 1
        if verdict.kind == BEHIND:
            behind.append((result, verdict))
    return PortfolioHealth(portfolio.roadmap, portfolio.pillars, verdicts, behind)
