"""Factories for the roadmap's tests. The default roadmap spans the current year ± a few, so
tests read the same whatever year they run in."""

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from metrics.models import Grain, Metric, Rollup, Scope
from roadmap.models import Dependency, ExpectedResult, Initiative, Milestone, Pillar, Roadmap
from tests.factories import DepartmentFactory


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
