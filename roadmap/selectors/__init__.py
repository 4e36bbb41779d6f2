"""Every roadmap read the pages, the API and other apps share.

Initiative lists load in a fixed number of queries (one for the initiatives, one each for their
milestones and dependencies), whatever the size of the plan. The portfolio at a glance (the
executive overview's roadmap panel) is in `portfolio.py`, and is read through this module too.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    Milestone,
    Pillar,
    Roadmap,
)
from roadmap.scopes import scope_label
from roadmap.selectors.portfolio import (
    DeliveryFigure,
    MilestoneFigures,
    PillarStatuses,
    PortfolioHealth,
    PortfolioStatus,
    RoadmapRef,
    current_results,
    initiative_statuses,
    key_accomplishments,
    milestone_figures,
    portfolio_health,
    portfolio_status,
    result_verdicts,
)
from roadmap.selectors.results import (
    InitiativeReturn,
    ResultReading,
    initiative_returns,
    read_results,
)
from roadmap.stats import (
    TOO_EARLY,
    DependencyFact,
    Health,
    MilestoneFact,
    initiative_health,
    rolled_up_progress,
)
from roadmap.stats.returns import Return, initiative_return

__all__ = [
    "DeliveryFigure",
    "InitiativeReturn",
    "InitiativeRow",
    "MilestoneFigures",
    "PillarStatuses",
    "PortfolioHealth",
    "PortfolioStatus",
    "ResultReading",
    "RoadmapRef",
    "YearSummary",
    "current_results",
    "current_roadmap",
    "department_initiatives",
    "expected_result_readings",
    "initiative_detail",
    "initiative_queryset",
    "initiative_row",
    "initiative_returns",
    "initiative_rows",
    "initiative_statuses",
    "key_accomplishments",
    "milestone_figures",
    "overdue_milestones",
    "milestones_due",
    "portfolio_health",
    "portfolio_status",
    "read_results",
    "result_reading",
    "result_verdicts",
    "roadmap_list",
    "roadmap_pillars",
    "rows_for",
    "scope_label",
    "today",
    "year_view",
]


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
    """An initiative with what pages show next to it: derived health (from its schedule and
    its expected results), progress, and the reading of each expected result."""

    initiative: Initiative
    health: Health
    progress: int
    milestones: list[Milestone]
    depends_on: list[Initiative]
    next_milestone: Milestone | None = None
    dependents: list[Initiative] = field(default_factory=list)
    readings: list[ResultReading] = field(default_factory=list)
    on: date | None = None

    @property
    def health_basis(self) -> str:
        """What the health was judged on, short enough for a list: "schedule on 2 Dec 2026;
        results judged on Sep–Nov 2026, n=412; 1 too early"."""
        parts = [f"schedule on {self.on.day} {self.on:%b %Y}" if self.on else "schedule"]
        windows = []
        for reading in self.readings:
            window = reading.verdict.window
            if reading.verdict.kind != TOO_EARLY and window is not None:
                if window.text not in windows:
                    windows.append(window.text)
        if windows:
            parts.append("results judged on " + "; ".join(windows))
        early = sum(1 for reading in self.readings if reading.verdict.kind == TOO_EARLY)
        if early:
            parts.append(f"{early} result{'s' if early > 1 else ''} too early")
        if not self.readings:
            parts.append("no expected result")
        return "; ".join(parts)

    @property
    def money(self) -> Return:
        """The initiative's return on its budget from its expected results' money values
        (roadmap.stats.returns.initiative_return): the one figure pages, CSVs, the API and the
        board pack show."""
        budget = self.initiative.budget
        return initiative_return(
            [reading.value for reading in self.readings],
            budget=None if budget is None else float(budget),
        )

    @property
    def status_disagrees_with_health(self) -> bool:
        """The typed status says all is well while the facts say it is at risk."""
        return self.health.level == "at_risk" and self.initiative.status != "at_risk"


def initiative_queryset() -> QuerySet[Initiative]:
    return Initiative.objects.select_related(
        "pillar", "pillar__roadmap", "department", "sponsor", "driver"
    ).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "title")),
        Prefetch(
            "dependency_links",
            queryset=Dependency.objects.select_related("depends_on").order_by(
                "depends_on__start_date"
            ),
        ),
        Prefetch(
            "expected_results",
            queryset=ExpectedResult.objects.select_related("kpi").order_by("by_date", "metric"),
        ),
    )


def initiative_row(
    initiative: Initiative,
    *,
    on: date | None = None,
    readings: list[ResultReading] | None = None,
    history_months: int = 0,
) -> InitiativeRow:
    """Derive health and progress from an initiative loaded with initiative_queryset().

    `readings` are its expected results already read (by `initiative_rows`, for many at once);
    without them they are read here, in one query for their roll-ups.
    """
    on = on or today()
    if readings is None:
        readings = read_results(
            list(initiative.expected_results.all()), on=on, history_months=history_months
        )
    milestones = list(initiative.milestones.all())
    depends_on = [link.depends_on for link in initiative.dependency_links.all()]
    health = initiative_health(
        status=initiative.status,
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        milestones=[MilestoneFact(m.title, m.due_date, m.done_date) for m in milestones],
        dependencies=[DependencyFact(d.title, d.end_date, d.status) for d in depends_on],
        today=on,
        results=[reading.fact for reading in readings],
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
        readings=readings,
        on=on,
    )


def rows_for(initiatives: list[Initiative], *, on: date | None = None) -> list[InitiativeRow]:
    """`initiative_row` for many initiatives (loaded with initiative_queryset()), their
    expected results read together: one query for all their roll-ups."""
    on = on or today()
    readings = read_results(
        [result for initiative in initiatives for result in initiative.expected_results.all()],
        on=on,
    )
    by_initiative: dict[int, list[ResultReading]] = {i.pk: [] for i in initiatives}
    for reading in readings:
        by_initiative[reading.result.initiative_id].append(reading)
    return [initiative_row(i, on=on, readings=by_initiative[i.pk]) for i in initiatives]


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
    return rows_for(list(queryset), on=on)


def department_initiatives(*, department_id: int, on: date | None = None) -> list[InitiativeRow]:
    """What one department owns across every roadmap, current roadmap first."""
    queryset = (
        initiative_queryset()
        .filter(department_id=department_id)
        .exclude(status="dropped")
        .order_by("-pillar__roadmap__is_current", "start_date", "title")
    )
    return rows_for(list(queryset), on=on)


# The initiative page's charts show this many months of scores before the baseline window.
CHART_HISTORY_MONTHS = 9


def initiative_detail(*, pk: int, on: date | None = None) -> InitiativeRow:
    initiative = initiative_queryset().get(pk=pk)
    row = initiative_row(initiative, on=on, history_months=CHART_HISTORY_MONTHS)
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


# A department head's page lists the milestones due from today through the 13th day after it.
MILESTONES_DUE_DAYS = 14


def milestones_due(*, department_id: int, on: date | None = None) -> list[Milestone]:
    """Milestones not done of the initiatives the department owns (not done or dropped) that
    are late or due in the next 14 days (today through the 13th day after it), soonest first."""
    on = on or today()
    return list(
        Milestone.objects.select_related("initiative")
        .filter(
            initiative__department_id=department_id,
            done_date__isnull=True,
            due_date__lt=on + timedelta(days=MILESTONES_DUE_DAYS),
        )
        .exclude(initiative__status__in=["done", "dropped"])
        .order_by("due_date", "title")
    )


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


def result_reading(result: ExpectedResult, *, on: date | None = None) -> ResultReading:
    """One expected result (loaded with its initiative) read on `on`, with a chart's history."""
    (reading,) = read_results([result], on=on, history_months=CHART_HISTORY_MONTHS)
    return reading


def expected_result_readings(
    *, initiative: Initiative, on: date | None = None
) -> list[ResultReading]:
    results = list(initiative.expected_results.select_related("kpi").order_by("by_date", "metric"))
    for result in results:
        result.initiative = initiative
    return read_results(results, on=on, history_months=CHART_HISTORY_MONTHS)
