"""Factories for the roadmap's tests. The default roadmap spans the current year ± a few, so
tests read the same whatever year they run in."""

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from metrics.models import Grain, Metric, Rollup, Scope
from roadmap.models import Dependency, ExpectedResult, Initiative, Milestone, Pillar, Roadmap
from roadmap.windows import add_months
from tests.factories import DepartmentFactory
from tests.metrics.factories import TouchpointFactory


def this_year() -> int:
    return timezone.localdate().year


class RoadmapFactory(DjangoModelFactory):
    class Meta:
        model = Roadmap
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Customer experience plan {n}")
    start_year = factory.LazyFunction(lambda: this_year() - 1)
    end_year = factory.LazyFunction(lambda: this_year() + 3)
    is_current = True


class PillarFactory(DjangoModelFactory):
    class Meta:
        model = Pillar

    roadmap = factory.SubFactory(RoadmapFactory)
    name = factory.Sequence(lambda n: f"Pillar {n}")
    order = factory.Sequence(lambda n: n)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    pillar = factory.SubFactory(PillarFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    department = factory.SubFactory(DepartmentFactory)
    start_date = factory.LazyFunction(lambda: date(this_year(), 1, 1))
    end_date = factory.LazyFunction(lambda: date(this_year() + 1, 12, 31))
    status = "planned"


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyAttribute(lambda m: m.initiative.end_date)


class DependencyFactory(DjangoModelFactory):
    class Meta:
        model = Dependency

    initiative = factory.SubFactory(InitiativeFactory)
    depends_on = factory.SubFactory(InitiativeFactory)


class ExpectedResultFactory(DjangoModelFactory):
    class Meta:
        model = ExpectedResult

    initiative = factory.SubFactory(InitiativeFactory)
    metric = Metric.NPS
    scope = Scope.ORGANISATION
    scope_id = 0
    baseline = 10.0
    target = 30.0
    by_date = factory.LazyAttribute(lambda r: r.initiative.end_date)


def nps_rollup(
    *, month: date, n: int, nps: float, scope: str = Scope.ORGANISATION, scope_id: int = 0
) -> Rollup:
    """A monthly NPS roll-up with `n` responses whose NPS is `nps` (promoters and detractors
    only, so the count of promoters is n × (1 + nps/100) / 2)."""
    promoters = round(n * (1 + nps / 100) / 2)
    detractors = n - promoters
    return Rollup.objects.create(
        metric=Metric.NPS,
        scope=scope,
        scope_id=scope_id,
        grain=Grain.MONTH,
        period_start=month.replace(day=1),
        n=n,
        promoters=promoters,
        passives=0,
        detractors=detractors,
        total=promoters * 10,
        total_sq=promoters * 100,
    )


# Monthly scores of the touch points the demo's initiatives move: each level holds from its
# month on. The call centre's NPS falls while its CSAT rises: one initiative there is behind,
# the other on track.
SEEDED = {
    ("help-centre", "nps"): {date(2025, 6, 1): 10.0, date(2026, 1, 1): 25.0},
    ("first-invoice", "nps"): {date(2025, 6, 1): 0.0, date(2026, 3, 1): 10.0},
    ("call-centre", "nps"): {date(2025, 6, 1): 20.0, date(2026, 1, 1): 10.0},
    ("call-centre", "csat"): {date(2025, 6, 1): 70.0, date(2026, 1, 1): 80.0},
    ("mobile-app", "nps"): {date(2025, 6, 1): 20.0, date(2026, 1, 1): 30.0},
    ("complaint-handling", "nps"): {
        date(2025, 6, 1): 10.0,
        date(2026, 6, 1): 25.0,
        date(2027, 1, 1): 35.0,
    },
}


def demo_scores() -> None:
    """Monthly roll-ups of 200 answers from Jun 2025 to May 2027, at the SEEDED levels."""
    slugs = dict.fromkeys(slug for slug, _ in SEEDED)
    touchpoints = {slug: TouchpointFactory(slug=slug, name=slug) for slug in slugs}
    for (slug, metric), levels in SEEDED.items():
        month = date(2025, 6, 1)
        while month < date(2027, 6, 1):
            score = [value for since, value in levels.items() if since <= month][-1]
            scope_id = touchpoints[slug].pk
            if metric == "nps":
                nps_rollup(month=month, n=200, nps=score, scope=Scope.TOUCHPOINT, scope_id=scope_id)
            else:
                satisfied = round(200 * score / 100)
                Rollup.objects.create(
                    metric=metric,
                    scope=Scope.TOUCHPOINT,
                    scope_id=scope_id,
                    grain=Grain.MONTH,
                    period_start=month,
                    n=200,
                    promoters=satisfied,
                    detractors=200 - satisfied,
                )
            month = add_months(month, 1)
