"""The demo roadmap: believable, deterministic and safe to re-run."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from cco.demo import DEPARTMENTS
from metrics.models import Scope
from roadmap import demo
from roadmap.models import Dependency, ExpectedResult, Initiative, Milestone, Roadmap
from roadmap.selectors import current_roadmap, expected_result_readings, overdue_milestones
from tests.factories import DepartmentFactory
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import nps_rollup

pytestmark = pytest.mark.django_db


def seed_departments() -> None:
    """The demo's departments, without its people (the roadmap needs only the departments)."""
    for spec in DEPARTMENTS:
        DepartmentFactory(slug=spec.slug, name=spec.name)


def run_seed() -> str:
    out = io.StringIO()
    demo.seed(stdout=out, options={"responses": 0})
    return out.getvalue()


def test_the_demo_builds_a_five_year_plan_and_is_safe_to_rerun():
    seed_departments()
    first = run_seed()
    counts = (Initiative.objects.count(), Milestone.objects.count(), Dependency.objects.count())
    run_seed()
    assert (Initiative.objects.count(), Milestone.objects.count(), Dependency.objects.count()) == (
        counts
    )
    roadmap = current_roadmap()
    assert roadmap is not None and (roadmap.start_year, roadmap.end_year) == (2026, 2030)
    assert Roadmap.objects.count() == 1
    assert 4 <= roadmap.pillars.count() <= 5
    assert counts[0] == 25 and counts[1] == 100 and counts[2] >= 5
    assert Initiative.objects.values("department").distinct().count() >= 6
    assert Milestone.objects.filter(is_key=True).exists()
    assert "25 initiatives" in first
    # Every initiative in progress has stated its expected results first.
    in_progress = Initiative.objects.filter(status="in_progress")
    assert all(initiative.expected_results.exists() for initiative in in_progress)


# The demo plan runs 2026–2030 and reads its milestones and results against today: on a day in
# its second year some milestones are late and results are being measured, whatever the clock.
INSIDE_THE_PLAN = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)


def test_the_demo_has_late_milestones_and_one_result_achieved_and_one_behind(time_machine):
    time_machine.move_to(INSIDE_THE_PLAN)
    seed_departments()
    today = timezone.localdate()
    for slug in ("help-centre", "first-invoice", "call-centre", "mobile-app"):
        touchpoint = TouchpointFactory(slug=slug, name=slug)
        for months_ago in range(1, 4):
            month = (today.replace(day=1) - timedelta(days=28 * months_ago)).replace(day=1)
            nps_rollup(month=month, n=200, nps=20.0, scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk)
    run_seed()
    assert overdue_milestones().exists()
    verdicts = [
        reading.verdict.kind
        for initiative in Initiative.objects.filter(start_date__lte=today)
        for reading in expected_result_readings(initiative=initiative)
        if reading.result.scope == Scope.TOUCHPOINT
    ]
    assert "achieved" in verdicts
    assert "behind" in verdicts
    assert ExpectedResult.objects.filter(by_date__gte=date(2026, 1, 1)).exists()
