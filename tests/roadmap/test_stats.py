"""The pure rules: derived health, rolled-up progress, verdicts, dependency cycles."""

from dataclasses import dataclass
from datetime import date

from roadmap.stats import (
    HIGHER_IS_BETTER,
    DependencyFact,
    MilestoneFact,
    expected_on,
    find_cycle,
    initiative_health,
    result_verdict,
    rolled_up_progress,
)

TODAY = date(2027, 6, 15)


def health(**overrides):  # type: ignore[no-untyped-def]
    facts = {
        "status": "in_progress",
        "start_date": date(2027, 1, 1),
        "end_date": date(2028, 12, 31),
        "milestones": [],
        "dependencies": [],
        "today": TODAY,
    }
    facts.update(overrides)
    return initiative_health(**facts)


def test_an_initiative_with_nothing_late_is_on_track():
    result = health(milestones=[MilestoneFact("Pilot", date(2027, 9, 1), None)])
    assert result.level == "on_track"
    assert result.reasons == ()


def test_an_overdue_milestone_puts_the_initiative_at_risk_and_says_which():
    result = health(milestones=[MilestoneFact("Pilot", date(2027, 5, 1), None)])
    assert result.level == "at_risk"
    assert "Pilot" in result.reasons[0]
    assert "01 May 2027" in result.reasons[0]


def test_a_milestone_done_late_is_not_overdue():
    result = health(milestones=[MilestoneFact("Pilot", date(2027, 5, 1), date(2027, 5, 20))])
    assert result.level == "on_track"


def test_a_dependency_ending_after_this_starts_puts_it_at_risk():
    result = health(dependencies=[DependencyFact("New CRM", date(2027, 3, 31), "in_progress")])
    assert result.level == "at_risk"
    assert "New CRM" in result.reasons[0]


def test_a_dependency_ending_before_this_starts_is_fine():
    result = health(dependencies=[DependencyFact("New CRM", date(2026, 12, 31), "done")])
    assert result.level == "on_track"


def test_a_dropped_dependency_does_not_hold_anything_up():
    result = health(dependencies=[DependencyFact("New CRM", date(2027, 9, 30), "dropped")])
    assert result.level == "on_track"


def test_an_initiative_past_its_end_and_not_done_is_at_risk():
    result = health(end_date=date(2027, 6, 1))
    assert result.level == "at_risk"


def test_done_and_dropped_initiatives_are_what_their_status_says_even_with_late_milestones():
    late = [MilestoneFact("Pilot", date(2027, 5, 1), None)]
    assert health(status="done", milestones=late).level == "done"
    assert health(status="dropped", milestones=late).level == "dropped"


def test_a_planned_initiative_that_has_not_started_is_not_started():
    assert health(status="planned", start_date=date(2028, 1, 1)).level == "not_started"


def test_the_typed_status_does_not_hide_an_overdue_milestone():
    result = health(status="planned", milestones=[MilestoneFact("Pilot", date(2027, 5, 1), None)])
    assert result.level == "at_risk"


def test_progress_set_by_people_wins_over_milestones():
    assert rolled_up_progress(progress=40, status="in_progress", milestones_done=3, total=3) == 40


def test_progress_rolls_up_from_milestones_when_not_set():
    assert rolled_up_progress(progress=None, status="in_progress", milestones_done=1, total=3) == 33
    assert rolled_up_progress(progress=None, status="planned", milestones_done=0, total=0) == 0
    assert rolled_up_progress(progress=None, status="done", milestones_done=0, total=0) == 100


@dataclass(frozen=True)
class Month:
    period_start: date
    n: int
    promoters: int
    passives: int = 0
    detractors: int = 0
    total: float = 0.0
    total_sq: float = 0.0


def nps(period_start: date, score: float, n: int = 100) -> Month:
    promoters = round(n * (1 + score / 100) / 2)
    return Month(period_start, n, promoters, 0, n - promoters)


def verdict(months, *, baseline=10.0, target=30.0, higher=True, metric="nps"):  # type: ignore[no-untyped-def]
    # Started 1 Jan 2027, promised by 1 Jan 2028, read on 15 Jun 2027: judged on Mar–May.
    return result_verdict(
        metric=metric,
        months=months,
        baseline=baseline,
        target=target,
        start=date(2027, 1, 1),
        by_date=date(2028, 1, 1),
        today=TODAY,
        higher_is_better=higher,
    )


def test_the_expected_line_runs_straight_from_baseline_to_target():
    start, end = date(2027, 1, 1), date(2028, 1, 1)
    assert expected_on(baseline=10, target=30, start=start, by_date=end, on=start) == 10
    assert expected_on(baseline=10, target=30, start=start, by_date=end, on=end) == 30
    halfway = expected_on(baseline=10, target=30, start=start, by_date=end, on=date(2027, 7, 2))
    assert round(halfway, 1) == 20.0
    assert expected_on(baseline=10, target=30, start=start, by_date=end, on=date(2030, 1, 1)) == 30


def test_a_judged_score_meeting_the_target_is_achieved():
    result = verdict([nps(date(2027, 5, 1), 32.0)])
    assert result.kind == "achieved"
    assert result.actual == 32.0
    assert result.window is not None and result.window.label == "Mar–May 2027"


def test_a_score_above_the_line_but_below_target_is_on_track():
    # The middle of Mar–May (16 Apr) is 105 days in: the line stands at about 15.8.
    result = verdict([nps(date(2027, 5, 1), 20.0)])
    assert result.kind == "on_track"


def test_a_score_below_the_line_is_behind():
    result = verdict([nps(date(2027, 5, 1), 14.0)])
    assert result.kind == "behind"
    assert round(result.expected, 1) == 15.8


def test_months_with_too_few_responses_are_pooled_and_read_together():
    result = verdict([nps(date(2027, 4, 1), 40.0, n=20), nps(date(2027, 5, 1), 40.0, n=20)])
    assert (result.kind, result.window.n) == ("achieved", 40)


def test_fewer_than_30_responses_since_the_start_is_too_early():
    assert verdict([nps(date(2027, 5, 1), 50.0, n=12)]).kind == "too_early"
    assert verdict([]).kind == "too_early"
    assert verdict([nps(date(2026, 12, 1), 50.0, n=1000)]).kind == "too_early"


def test_for_a_metric_where_lower_is_better_the_comparisons_turn_round():
    # A score from 40 down to 30: 29 achieves it; 39 in Mar–May is behind the line (~37.1).
    assert verdict([nps(date(2027, 5, 1), 29.0)], baseline=40, target=30, higher=False).kind == (
        "achieved"
    )
    assert verdict([nps(date(2027, 5, 1), 39.0)], baseline=40, target=30, higher=False).kind == (
        "behind"
    )
    assert verdict([nps(date(2027, 5, 1), 36.0)], baseline=40, target=30, higher=False).kind == (
        "on_track"
    )


def test_a_new_dependency_closing_a_loop_returns_the_cycle():
    edges = {1: [2], 2: [3]}  # 1 depends on 2, 2 depends on 3
    assert find_cycle(edges, new_from=3, new_to=1) == [3, 1, 2, 3]


def test_a_new_dependency_without_a_loop_returns_nothing():
    edges = {1: [2], 2: [3]}
    assert find_cycle(edges, new_from=1, new_to=3) == []
    assert find_cycle(edges, new_from=4, new_to=1) == []


def test_depending_on_itself_is_a_cycle():
    assert find_cycle({}, new_from=5, new_to=5) == [5, 5]


def test_every_metric_of_the_product_rises_when_it_improves_and_cost_to_serve_falls():
    # CES is asked as "the company made it easy" (1–7, higher is easier) by the metrics app.
    assert HIGHER_IS_BETTER == {
        "nps": True,
        "csat": True,
        "ces": True,
        "retention": True,
        "revenue": True,
        "cost_to_serve": False,
    }
