"""Every roadmap read the pages, the API and other apps share.

Initiative lists load in a fixed number of queries (one for the initiatives, one each for their
milestones and dependencies), whatever the size of the plan.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from cco.models import Department
from metrics.models import Grain, Journey, Scope, Touchpoint
from metrics.selectors import ScorePoint, period_after, period_start_of, score_series
from metrics.selectors.ranges import monthly_points
from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    Milestone,
    Pillar,
    Roadmap,
    Status,
)
from roadmap.stats import (
    DependencyFact,
    Health,
    MilestoneFact,
    Verdict,
    initiative_health,
    result_verdict,
    rolled_up_progress,
)


def today() -> date:
    return timezone.localdate()


# --- Roadmaps and pillars -------------------------------------------------------------------


def roadmap_list() -> QuerySet[Roadmap]:
    return Roadmap.objects.all()


def current_roadmap() -> Roadmap | None:
    """The roadmap marked current, else the most recent one, else None."""
    return Roadmap.objects.order_by("-is_current", "-start_year", "name").first()


def roadmap_pillars(roadmap: Roadmap) -> QuerySet[Pillar]:
    return roadmap.pillars.order_by("order", "name")


# --- Initiatives ----------------------------------------------------------------------------


@dataclass
class InitiativeRow:
    """An initiative with what pages show next to it: derived health and progress."""

    initiative: Initiative
    health: Health
    progress: int
    milestones: list[Milestone]
    depends_on: list[Initiative]
    next_milestone: Milestone | None = None
    dependents: list[Initiative] = field(default_factory=list)

    @property
    def status_disagrees_with_health(self) -> bool:
        """The typed status says all is well while the facts say it is at risk."""
        return self.health.level == "at_risk" and self.initiative.status != "at_risk"


def initiative_queryset() -> QuerySet[Initiative]:
    return Initiative.objects.select_related(
        "pillar", "pillar__roadmap", "department", "sponsor"
    ).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "title")),
        Prefetch(
            "dependency_links",
            queryset=Dependency.objects.select_related("depends_on").order_by(
                "depends_on__start_date"
            ),
        ),
    )


def initiative_row(initiative: Initiative, *, on: date | None = None) -> InitiativeRow:
    """Derive health and progress from an initiative loaded with initiative_queryset()."""
    on = on or today()
    milestones = list(initiative.milestones.all())
    depends_on = [link.depends_on for link in initiative.dependency_links.all()]
    health = initiative_health(
        status=initiative.status,
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        milestones=[MilestoneFact(m.title, m.due_date, m.done_date) for m in milestones],
        dependencies=[DependencyFact(d.title, d.end_date, d.status) for d in depends_on],
        today=on,
    )
    done = sum(1 for m in milestones if m.done_date is not None)
    progress = rolled_up_progress(
        progress=initiative.progress,
        status=initiative.status,
        milestones_done=done,
        total=len(milestones),
    )
    upcoming = [m for m in milestones if m.done_date is None]
    return InitiativeRow(
        initiative=initiative,
        health=health,
        progress=progress,
        milestones=milestones,
        depends_on=depends_on,
        next_milestone=upcoming[0] if upcoming else None,
    )


def initiative_rows(
    *,
    roadmap: Roadmap,
    pillar_id: int | None = None,
    department_id: int | None = None,
    status: str | None = None,
    on: date | None = None,
) -> list[InitiativeRow]:
    """The roadmap's initiatives (optionally filtered), by pillar then start date."""
    queryset = initiative_queryset().filter(pillar__roadmap=roadmap)
    if pillar_id:
        queryset = queryset.filter(pillar_id=pillar_id)
    if department_id:
        queryset = queryset.filter(department_id=department_id)
    if status:
        queryset = queryset.filter(status=status)
    queryset = queryset.order_by("pillar__order", "pillar__name", "start_date", "title")
    return [initiative_row(initiative, on=on) for initiative in queryset]


def department_initiatives(*, department_id: int, on: date | None = None) -> list[InitiativeRow]:
    """What one department owns across every roadmap, current roadmap first."""
    queryset = (
        initiative_queryset()
        .filter(department_id=department_id)
        .exclude(status="dropped")
        .order_by("-pillar__roadmap__is_current", "start_date", "title")
    )
    return [initiative_row(initiative, on=on) for initiative in queryset]


def initiative_detail(*, pk: int, on: date | None = None) -> InitiativeRow:
    initiative = initiative_queryset().get(pk=pk)
    row = initiative_row(initiative, on=on)
    row.dependents = list(
        Initiative.objects.filter(dependency_links__depends_on=initiative).order_by("start_date")
    )
    return row


def overdue_milestones(
    *, department_id: int | None = None, on: date | None = None
) -> QuerySet[Milestone]:
    """Milestones past due and not done, oldest first (the accountability agenda reads these)."""
    queryset = Milestone.objects.select_related(
        "initiative", "initiative__department", "initiative__pillar"
    ).filter(done_date__isnull=True, due_date__lt=on or today())
    queryset = queryset.exclude(initiative__status__in=["done", "dropped"])
    if department_id is not None:
        queryset = queryset.filter(initiative__department_id=department_id)
    return queryset.order_by("due_date", "title")


# --- The year view --------------------------------------------------------------------------


@dataclass
class YearSummary:
    year: int
    key_milestones: list[Milestone]
    done: int
    late: int
    due: int
    starting: list[Initiative]
    ending: list[Initiative]

    @property
    def is_past(self) -> bool:
        return self.year < today().year

    @property
    def is_current(self) -> bool:
        return self.year == today().year


def year_view(*, roadmap: Roadmap, on: date | None = None) -> list[YearSummary]:
    """What each year of the plan must accomplish (key milestones) and what was done."""
    on = on or today()
    milestones = list(
        Milestone.objects.filter(initiative__pillar__roadmap=roadmap, is_key=True)
        .select_related("initiative", "initiative__department", "initiative__pillar")
        .order_by("due_date", "title")
    )
    initiatives = list(
        Initiative.objects.filter(pillar__roadmap=roadmap)
        .exclude(status="dropped")
        .select_related("department")
        .order_by("start_date", "title")
    )
    summaries = []
    for year in roadmap.years:
        of_year = [m for m in milestones if m.due_date.year == year]
        summaries.append(
            YearSummary(
                year=year,
                key_milestones=of_year,
                done=sum(1 for m in of_year if m.done_date is not None),
                late=sum(1 for m in of_year if m.done_date is None and m.due_date < on),
                due=len(of_year),
                starting=[i for i in initiatives if i.start_date.year == year],
                ending=[i for i in initiatives if i.end_date.year == year],
            )
        )
    return summaries


# --- Expected results against actual scores -------------------------------------------------


SCOPE_MODELS: dict[str, type[Touchpoint] | type[Journey] | type[Department]] = {
    Scope.TOUCHPOINT: Touchpoint,
    Scope.JOURNEY: Journey,
    Scope.DEPARTMENT: Department,
}


def scope_label(*, scope: str, scope_id: int) -> str:
    """A readable name for a scope, e.g. "Touch point: Phone support"."""
    if scope == Scope.ORGANISATION:
        return "Whole organisation"
    model = SCOPE_MODELS.get(scope)
    name = (
        model.objects.filter(pk=scope_id).values_list("name", flat=True).first() if model else None
    )
    return f"{Scope(scope).label}: {name or f'#{scope_id} (missing)'}"


def scope_exists(*, scope: str, scope_id: int) -> bool:
    if scope == Scope.ORGANISATION:
        return scope_id == 0
    model = SCOPE_MODELS.get(scope)
    return model is not None and model.objects.filter(pk=scope_id).exists()


def scope_choices() -> list[tuple[str, str]]:
    """Every scope an expected result can name, as ("scope:id", label) pairs for a form."""
    choices = [(f"{Scope.ORGANISATION}:0", "Whole organisation")]
    choices += [
        (f"{Scope.DEPARTMENT}:{pk}", f"Department: {name}")
        for pk, name in Department.objects.order_by("name").values_list("pk", "name")
    ]
    choices += [
        (f"{Scope.JOURNEY}:{pk}", f"Journey: {name}")
        for pk, name in Journey.objects.order_by("order", "name").values_list("pk", "name")
    ]
    choices += [
        (f"{Scope.TOUCHPOINT}:{pk}", f"Touch point: {name}")
        for pk, name in Touchpoint.objects.order_by("name").values_list("pk", "name")
    ]
    return choices


@dataclass
class ResultReading:
    """One expected result with the actual monthly scores and the verdict on them."""

    result: ExpectedResult
    label: str
    points: list[ScorePoint]
    verdict: Verdict
    start: date


def result_reading(
    result: ExpectedResult, *, start: date, on: date | None = None, label: str | None = None
) -> ResultReading:
    """Actual scores from the monthly roll-ups, from a year before `start` to the by-date."""
    on = on or today()
    points = score_series(
        metric=result.metric,
        scope=result.scope,
        scope_id=result.scope_id,
        grain=Grain.MONTH,
        # A year of history before the start (or before today, for plans not started yet).
        start=date(min(start, on).year - 1, min(start, on).month, 1),
        end=max(result.by_date, on),
    )
    verdict = result_verdict(
        points=points,
        baseline=result.baseline,
        target=result.target,
        start=start,
        by_date=result.by_date,
        today=on,
        higher_is_better=result.higher_is_better,
    )
    return ResultReading(
        result=result,
        label=label or scope_label(scope=result.scope, scope_id=result.scope_id),
        points=points,
        verdict=verdict,
        start=start,
    )


def expected_result_readings(
    *, initiative: Initiative, on: date | None = None
) -> list[ResultReading]:
    return [
        result_reading(result, start=initiative.start_date, on=on)
        for result in initiative.expected_results.order_by("by_date", "metric")
    ]


# --- The portfolio at a glance (the executive overview's roadmap panel) ----------------------


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


def current_results(*, department_id: int | None = None) -> list[ExpectedResult]:
    """Expected results of the current roadmap's initiatives that were not dropped."""
    results = (
        ExpectedResult.objects.filter(initiative__pillar__roadmap__is_current=True)
        .exclude(initiative__status=Status.DROPPED)
        .select_related("initiative")
        .order_by("by_date", "pk")
    )
    if department_id is not None:
        results = results.filter(initiative__department_id=department_id)
    return list(results)


def milestone_figures(
    *, start: date, end: date, department_id: int | None = None, on: date | None = None
) -> MilestoneFigures:
    """Milestones of the current roadmap, in one query: those due in the range (up to today) and
    done on time; those due this quarter so far and done on time; this quarter's still open."""
    on = on or today()
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
    """The verdict on each expected result, from one query of their monthly roll-ups — the
    same `result_verdict` rule as `result_reading`, for many results at once."""
    if not results:
        return []
    on = on or today()
    earliest = min(result.initiative.start_date for result in results)
    series = monthly_points(
        [(r.metric, r.scope, r.scope_id) for r in results],
        since=date(earliest.year - 1, earliest.month, 1),
    )
    return [
        (
            result,
            result_verdict(
                points=series.get((result.metric, result.scope, result.scope_id), []),
                baseline=result.baseline,
                target=result.target,
                start=result.initiative.start_date,
                by_date=result.by_date,
                today=on,
                higher_is_better=result.higher_is_better,
            ),
        )
        for result in results
    ]
