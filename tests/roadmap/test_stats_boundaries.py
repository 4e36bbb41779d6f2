"""The roadmap's pure rules (roadmap/stats.py) at their edges: health on the day a milestone or
an initiative falls due, the progress roll-up, the expected-result line and the dependency cycle
check. No database: plain values in, a judgement out."""

import dataclasses
from datetime import date, timedelta

import pytest

from roadmap.stats import (
    AT_RISK,
    DONE,
    DROPPED,
    HIGHER_IS_BETTER,
    NOT_STARTED,
    ON_TRACK,
    DependencyFact,
    Health,
    MilestoneFact,
    expected_on,
    find_cycle,
    initiative_health,
    rolled_up_progress,
)

TODAY = date(2026, 6, 15)
DAY = timedelta(days=1)


def as_stored(value):
    """A status or id as a database row hands it over: equal to the literal, another object."""
    return "".join(list(value)) if isinstance(value, str) else int(str(value))


def health(
    *,
    status="active",
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    milestones=(),
    dependencies=(),
) -> Health:
    return initiative_health(
        status=status,
        start_date=start,
        end_date=end,
        milestones=milestones,
        dependencies=dependencies,
        today=TODAY,
    )


# --- Health ------------------------------------------------------------------------------------


def test_done_and_dropped_initiatives_are_what_their_status_says_whatever_the_facts():
    late = [MilestoneFact("Pilot", TODAY - DAY, None)]
    assert health(status=as_stored("done"), milestones=late, end=TODAY - DAY) == Health(DONE)
    assert health(status=as_stored("dropped"), milestones=late, end=TODAY - DAY) == (
        Health(DROPPED)
    )
    assert (Health(DONE).label, Health(DONE).rag) == ("Done", "green")
    assert (Health(DROPPED).label, Health(DROPPED).rag) == ("Dropped", "grey")


def test_a_milestone_is_late_from_the_day_after_it_was_due_unless_done():
    assert health(milestones=[MilestoneFact("Pilot", TODAY, None)]) == Health(ON_TRACK)
    assert health(milestones=[MilestoneFact("Pilot", TODAY + DAY, None)]) == Health(ON_TRACK)
    assert health(milestones=[MilestoneFact("Pilot", TODAY - DAY, TODAY)]) == Health(ON_TRACK)
    assert health(milestones=[MilestoneFact("Pilot", TODAY - DAY, None)]) == Health(
        AT_RISK, ("Milestone “Pilot” was due 14 Jun 2026.",)
    )


def test_a_dependency_ending_after_this_starts_puts_it_at_risk_unless_dropped():
    start = date(2026, 3, 1)
    on_time = DependencyFact("Platform", start, "active")
    late = DependencyFact("Platform", start + DAY, "active")
    assert health(start=start, dependencies=[on_time]) == Health(ON_TRACK)
    early = DependencyFact("Platform", start - DAY, "active")
    assert health(start=start, dependencies=[early]) == Health(ON_TRACK)
    for status in ("planned", "proposed", "active", "done"):
        found = health(start=start, dependencies=[DependencyFact("Platform", start + DAY, status)])
        assert found.level == AT_RISK, status
    stored_dropped = DependencyFact("Platform", start + DAY, as_stored("dropped"))
    assert health(start=start, dependencies=[stored_dropped]) == Health(ON_TRACK)
    assert health(
        start=start, dependencies=[DependencyFact("Platform", start + DAY, "dropped")]
    ) == (Health(ON_TRACK))
    assert health(start=start, dependencies=[late]) == Health(
        AT_RISK,
        ("Depends on “Platform”, which ends 02 Mar 2026, after this starts (01 Mar 2026).",),
    )


def test_an_initiative_is_late_from_the_day_after_its_end_date():
    assert health(end=TODAY) == Health(ON_TRACK)
    assert health(end=TODAY - DAY) == Health(
        AT_RISK, ("Planned to end 14 Jun 2026 but is not done.",)
    )


def test_every_reason_for_risk_is_given_in_order():
    found = health(
        start=date(2026, 3, 1),
        end=TODAY - DAY,
        milestones=[
            MilestoneFact("A", TODAY - DAY, None),
            MilestoneFact("B", TODAY - 2 * DAY, None),
        ],
        dependencies=[DependencyFact("C", date(2026, 4, 1), "active")],
    )
    assert found.level == AT_RISK
    assert [reason.split(" ")[0] for reason in found.reasons] == [
        "Milestone",
        "Milestone",
        "Depends",
        "Planned",
    ]
    assert (found.label, found.rag) == ("At risk", "red")


@pytest.mark.parametrize(
    ("status", "start", "level"),
    [
        ("planned", TODAY + DAY, NOT_STARTED),
        ("proposed", TODAY + DAY, NOT_STARTED),
        ("planned", TODAY, ON_TRACK),
        ("active", TODAY + DAY, ON_TRACK),
        ("planned", TODAY - DAY, ON_TRACK),
    ],
)
def test_a_planned_initiative_has_not_started_until_its_start_date(status, start, level):
    assert health(status=status, start=start) == Health(level)


def test_facts_and_health_cannot_be_altered_once_made():
    made = [
        MilestoneFact("Pilot", TODAY, None),
        DependencyFact("Platform", TODAY, "active"),
        Health(ON_TRACK),
    ]
    for fact in made:
        field = dataclasses.fields(fact)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(fact, field, None)


def test_health_levels_read_as_labels_and_colours():
    assert (Health(ON_TRACK).label, Health(ON_TRACK).rag) == ("On track", "green")
    assert (Health(NOT_STARTED).label, Health(NOT_STARTED).rag) == ("Not started", "grey")
    assert Health(ON_TRACK).reasons == ()


# --- Progress ----------------------------------------------------------------------------------


def test_progress_set_by_people_wins_even_when_it_is_zero():
    assert rolled_up_progress(progress=0, status="done", milestones_done=3, total=3) == 0
    assert rolled_up_progress(progress=40, status="active", milestones_done=0, total=3) == 40


def test_without_progress_done_is_100_and_otherwise_the_share_of_milestones_done():
    assert rolled_up_progress(progress=None, status="done", milestones_done=0, total=0) == 100
    assert (
        rolled_up_progress(progress=None, status=as_stored("done"), milestones_done=0, total=2)
        == 100
    )
    for status in ("planned", "proposed", "dropped"):
        assert rolled_up_progress(progress=None, status=status, milestones_done=1, total=4) == 25
    assert rolled_up_progress(progress=None, status="active", milestones_done=0, total=0) == 0
    assert rolled_up_progress(progress=None, status="active", milestones_done=2, total=3) == 67
    assert rolled_up_progress(progress=None, status="active", milestones_done=1, total=3) == 33
    assert rolled_up_progress(progress=None, status="active", milestones_done=3, total=3) == 100


# --- Expected against actual -------------------------------------------------------------------

START, BY = date(2026, 1, 1), date(2026, 4, 11)  # 100 days apart


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (START - DAY, 10.0),
        (START, 10.0),
        (START + 25 * DAY, 15.0),
        (BY - DAY, 29.8),
        (BY, 30.0),
        (BY + DAY, 30.0),
    ],
)
def test_the_expected_line_runs_straight_from_baseline_to_target_and_is_flat_outside(on, expected):
    assert expected_on(baseline=10.0, target=30.0, start=START, by_date=BY, on=on) == (
        pytest.approx(expected)
    )


def test_a_promise_due_at_or_before_its_start_expects_the_target_at_once():
    assert expected_on(baseline=10.0, target=30.0, start=BY, by_date=BY, on=START) == 30.0
    assert expected_on(baseline=10.0, target=30.0, start=BY, by_date=START, on=START) == 30.0
    assert expected_on(baseline=10.0, target=30.0, start=BY, by_date=START, on=BY) == 30.0


def test_a_promise_due_the_day_after_its_start_starts_from_its_baseline():
    assert expected_on(baseline=10.0, target=30.0, start=START, by_date=START + DAY, on=START) == (
        10.0
    )


def test_every_metric_of_this_product_improves_as_it_rises():
    # CES is asked as "the company made it easy" (1–7), so it rises too.
    assert HIGHER_IS_BETTER == {"nps": True, "csat": True, "ces": True}


# --- Dependency cycles -------------------------------------------------------------------------


def test_depending_on_itself_is_a_cycle_of_one():
    assert find_cycle({}, new_from=1, new_to=1) == [1, 1]
    assert find_cycle({}, new_from=as_stored(1001), new_to=as_stored(1001)) == [1001, 1001]
    assert find_cycle({}, new_from=2, new_to=1) == []
    assert find_cycle({}, new_from=1, new_to=2) == []


def test_a_cycle_is_returned_from_the_new_dependency_back_to_its_start():
    edges = {2: [3], 3: [1]}
    assert find_cycle(edges, new_from=1, new_to=2) == [1, 2, 3, 1]
    assert find_cycle({2: [1]}, new_from=1, new_to=2) == [1, 2, 1]
    big = {as_stored(2002): [as_stored(3003)], 3003: [as_stored(1001)]}
    assert find_cycle(big, new_from=as_stored(1001), new_to=as_stored(2002)) == [
        1001,
        2002,
        3003,
        1001,
    ]


def test_a_path_through_smaller_ids_is_no_cycle_unless_it_reaches_the_start():
    assert find_cycle({10: [3], 3: [2]}, new_from=9, new_to=10) == []


def test_a_node_met_twice_is_skipped_and_the_search_goes_on():
    # 5 is reached from 4 and again from 3 before the way back (via 9) is tried.
    edges = {2: [9, 3, 4], 3: [5], 4: [5], 9: [1]}
    assert find_cycle(edges, new_from=1, new_to=2) == [1, 2, 9, 1]


def test_the_dependency_to_check_must_be_named():
    with pytest.raises(TypeError):
        find_cycle({}, 1, 2)  # type: ignore[misc]


def test_no_cycle_when_the_new_dependency_does_not_lead_back():
    diamond = {2: [3, 4], 3: [5], 4: [5], 5: []}
    assert find_cycle(diamond, new_from=1, new_to=2) == []
    assert find_cycle({1: [2]}, new_from=1, new_to=2) == []
    # A loop elsewhere in the graph is walked once, not forever.
    assert find_cycle({2: [3], 3: [2]}, new_from=1, new_to=2) == []
