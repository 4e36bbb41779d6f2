"""The current roadmap at a glance: what the executive overview shows of the plan's health."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import Scope
from roadmap.selectors import expected_result_readings, portfolio_health
from roadmap.selectors.portfolio import current_results
from roadmap.windows import add_months
from tests.factories import DepartmentFactory
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import (
    ExpectedResultFactory,
    InitiativeFactory,
    PillarFactory,
    RoadmapFactory,
    nps_rollup,
)

pytestmark = pytest.mark.django_db


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def plan():
    """A current roadmap of two pillars, and an old one whose initiatives never count."""
    roadmap = RoadmapFactory(name="Now")
    know = PillarFactory(roadmap=roadmap, name="Know the customer", order=1)
    fix = PillarFactory(roadmap=roadmap, name="Fix the pits", order=2)
    old = PillarFactory(roadmap=RoadmapFactory(name="Before", is_current=False), name="Old")
    InitiativeFactory(pillar=old, status="in_progress")
    return roadmap, know, fix


def test_initiatives_are_counted_by_status_per_pillar_of_the_current_roadmap_only(plan):
    roadmap, know, fix = plan
    for status in ("in_progress", "in_progress", "at_risk"):
        InitiativeFactory(pillar=know, status=status)
    for status in ("planned", "done", "dropped"):
        InitiativeFactory(pillar=fix, status=status)

    health = portfolio_health()

    assert health.roadmap is not None and health.roadmap.name == "Now"
    assert [(p.name, p.by_status) for p in health.pillars] == [
        ("Know the customer", {"in_progress": 2, "at_risk": 1}),
        ("Fix the pits", {"planned": 1, "done": 1, "dropped": 1}),
    ]


def a_year_ago():
    return add_months(timezone.localdate().replace(day=1), -12)


def test_expected_results_are_counted_by_verdict_and_those_behind_are_listed(plan):
    _, know, _ = plan
    initiative = InitiativeFactory(pillar=know, status="in_progress", start_date=a_year_ago())
    month = last_month()
    achieved = ExpectedResultFactory(initiative=initiative, baseline=10, target=30)
    nps_rollup(month=month, n=200, nps=40)
    slipping_point = TouchpointFactory()
    behind = ExpectedResultFactory(
        initiative=initiative,
        scope=Scope.TOUCHPOINT,
        scope_id=slipping_point.pk,
        baseline=10,
        target=30,
    )
    nps_rollup(month=month, n=200, nps=0, scope=Scope.TOUCHPOINT, scope_id=slipping_point.pk)
    quiet_point = TouchpointFactory()
    ExpectedResultFactory(initiative=initiative, scope=Scope.TOUCHPOINT, scope_id=quiet_point.pk)
    nps_rollup(month=month, n=10, nps=90, scope=Scope.TOUCHPOINT, scope_id=quiet_point.pk)

    health = portfolio_health()

    # Ten responses since the start are too few to judge: too early, not a verdict.
    assert health.verdicts == {"achieved": 1, "behind": 1, "too_early": 1}
    assert [(result.pk, verdict.actual) for result, verdict in health.behind] == [(behind.pk, 0.0)]
    (_, verdict), *_ = health.behind
    assert verdict.judged_on == f"judged on {verdict.window.label}, n=200"
    # One rule: the initiative's own page reads the same verdicts.
    on_the_page = {
        reading.result.pk: reading.verdict.kind
        for reading in expected_result_readings(initiative=initiative)
    }
    assert on_the_page[achieved.pk] == "achieved"
    assert on_the_page[behind.pk] == "behind"


def test_a_department_sees_only_its_own_initiatives_and_results(plan):
    _, know, fix = plan
    ours, theirs = DepartmentFactory(), DepartmentFactory()
    mine = InitiativeFactory(pillar=know, department=ours, status="in_progress")
    InitiativeFactory(pillar=fix, department=theirs, status="in_progress")
    ExpectedResultFactory(initiative=mine)
    ExpectedResultFactory(initiative=InitiativeFactory(pillar=fix, department=theirs))

    health = portfolio_health(department_id=ours.pk)

    assert [(p.name, p.by_status) for p in health.pillars] == [
        ("Know the customer", {"in_progress": 1})
    ]
    assert health.verdicts == {"too_early": 1}


def test_without_a_current_roadmap_the_panel_is_empty():
    RoadmapFactory(is_current=False)
    health = portfolio_health()
    assert (health.roadmap, health.pillars, health.verdicts, health.behind) == (None, [], {}, [])


def test_the_panel_costs_one_query_when_the_results_are_already_read(
    plan, django_assert_num_queries
):
    _, know, fix = plan
    for pillar in (know, fix):
        for _ in range(3):
            ExpectedResultFactory(initiative=InitiativeFactory(pillar=pillar))
    # The results, then their monthly roll-ups (organisation scope: no name to look up).
    with django_assert_num_queries(2):
        results = current_results()
    with django_assert_num_queries(1):
        portfolio_health(results=results)
    with django_assert_num_queries(3):
        portfolio_health()
