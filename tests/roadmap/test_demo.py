"""The demo roadmap: believable, deterministic and safe to re-run."""

import io
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from cco.demo import DEPARTMENTS
from roadmap import demo
from roadmap.models import Dependency, ExpectedResult, Initiative, Milestone, Roadmap
from roadmap.selectors import current_roadmap, initiative_rows, overdue_milestones
from tests.factories import DepartmentFactory
from tests.roadmap.factories import demo_scores

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


def test_the_demo_measures_baselines_and_shows_every_verdict_with_one_behind(time_machine):
    time_machine.move_to(INSIDE_THE_PLAN)
    seed_departments()
    demo_scores()
    run_seed()
    assert overdue_milestones().exists()
    roadmap = current_roadmap()
    assert roadmap is not None
    rows = {row.initiative.title: row for row in initiative_rows(roadmap=roadmap)}
    readings = [reading for row in rows.values() for reading in row.readings]
    # The three results in money (test_money_demo.py) aside, the scores show every verdict.
    scores = [r for r in readings if r.result.metric in ("nps", "csat", "ces")]
    kinds = Counter(reading.verdict.kind for reading in scores)
    assert kinds == {"achieved": 4, "on_track": 2, "behind": 1, "too_early": 15}
    assert len(readings) - len(scores) == 3
    # Baselines are measured, never typed, and read before the start; verdicts after it.
    assert not ExpectedResult.objects.filter(baseline__isnull=False).exists()
    for reading in readings:
        start = reading.result.initiative.start_date
        assert reading.baseline.measured.end <= start
        if reading.verdict.kind != "too_early":
            assert reading.baseline.source == "measured"
            assert reading.verdict.window.start >= start
    # The example: First-call resolution is behind, so the initiative is not on track.
    first_call = rows["First-call resolution"]
    (reading,) = [r for r in first_call.readings if r.result.metric == "nps"]
    assert (reading.verdict.kind, reading.baseline.value) == ("behind", 20.0)
    assert reading.verdict.judged_on == "judged on Mar–May 2027, n=600"
    assert first_call.health.level == "at_risk"
    assert first_call.health.reasons[-1] == (
        "Expected result “NPS · Touch point: call-centre” is behind: 10.0 against "
        f"{reading.verdict.expected:.1f} expected, judged on Mar–May 2027, n=600."
    )
    assert ExpectedResult.objects.filter(by_date__gte=date(2026, 1, 1)).exists()
