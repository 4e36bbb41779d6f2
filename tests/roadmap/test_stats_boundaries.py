"""The roadmap's pure rules (roadmap/stats.py, roadmap/windows.py) at their edges: health on the
day a milestone or an initiative falls due, the progress roll-up, the expected-result line, the
measured baseline, the judged window and the verdict, health that follows the verdicts, and the
dependency cycle check. No database: plain values in, a judgement out."""

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from roadmap.stats import (
    ACHIEVED,
    AT_RISK,
    BASELINE_MONTHS,
    BEHIND,
    DONE,
    DROPPED,
    HIGHER_IS_BETTER,
    JUDGED_MONTHS,
    MEASURED,
    NO_BASELINE,
    NOT_STARTED,
    ON_TRACK,
    PENDING,
    TIME_TO_IMPACT_MONTHS,
    TOO_EARLY,
    TOO_FEW_BEFORE,
    TYPED,
    VERDICT_LABELS,
    VERDICT_RAG,
    Baseline,
    DependencyFact,
    Health,
    MilestoneFact,
    ResultFact,
    Verdict,
    expected_on,
    find_cycle,
    initiative_health,
    judged_window,
    measured_baseline,
    result_verdict,
    rolled_up_progress,
)
from roadmap.windows import Reading, add_months, months_label, pooled

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
    results=(),
) -> Health:
    return initiative_health(
        status=status,
        start_date=start,
        end_date=end,
        milestones=milestones,
        dependencies=dependencies,
        today=TODAY,
        results=results,
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


def test_every_score_of_this_product_improves_as_it_rises_and_cost_to_serve_as_it_falls():
    # CES is asked as "the company made it easy" (1–7), so it rises too.
    assert HIGHER_IS_BETTER == {
        "nps": True,
        "csat": True,
        "ces": True,
        "retention": True,
        "revenue": True,
        "cost_to_serve": False,
    }


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


# --- Expected results: windows, baseline, verdict, and health that follows them ---------------
#
# A promise made by an initiative starting 1 Jun 2026: its baseline is Mar–May 2026, it is first
# judged 3 months after the start (1 Sep 2026), on complete months from June on.

PROMISE_START = date(2026, 6, 1)
PROMISE_BY = date(2027, 6, 1)  # 365 days later


@dataclass(frozen=True)
class Month:
    """One month's counts, as a monthly roll-up row holds them."""

    period_start: date
    n: int
    promoters: int
    passives: int = 0
    detractors: int = 0
    total: float = 0.0
    total_sq: float = 0.0


def nps_month(year: int, month: int, *, n: int = 100, nps: float = 20.0) -> Month:
    """A month of `n` NPS answers, promoters and detractors only, scoring `nps`."""
    promoters = round(n * (1 + nps / 100) / 2)
    return Month(date(year, month, 1), n, promoters, 0, n - promoters)


def ces_month(year: int, month: int, *, n: int, mean: float) -> Month:
    """A month of `n` CES answers all giving `mean` (so the interval has no width)."""
    return Month(date(year, month, 1), n, 0, total=n * mean, total_sq=n * mean * mean)


BEFORE = [nps_month(2026, m, nps=10.0) for m in (3, 4, 5)]  # Mar–May: the baseline, 10


def judge(
    months,
    *,
    today,
    baseline=10.0,
    target=30.0,
    start=PROMISE_START,
    by_date=PROMISE_BY,
    time_to_impact=3,
    higher_is_better=True,
    metric="nps",
) -> Verdict:
    return result_verdict(
        metric=metric,
        months=months,
        baseline=baseline,
        target=target,
        start=start,
        by_date=by_date,
        today=today,
        time_to_impact=time_to_impact,
        higher_is_better=higher_is_better,
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
        (date(2026, 6, 1), -18, date(2024, 12, 1)),
    ],
)
def test_months_are_added_in_calendar_months_kept_inside_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_a_window_of_months_is_named_as_a_page_names_it():
    assert months_label(date(2026, 11, 1), date(2026, 12, 1)) == "Nov 2026"
    assert months_label(date(2026, 9, 1), date(2026, 12, 1)) == "Sep–Nov 2026"
    assert months_label(date(2026, 11, 1), date(2027, 1, 1)) == "Nov–Dec 2026"
    assert months_label(date(2025, 12, 1), date(2026, 3, 1)) == "Dec 2025–Feb 2026"
    # A window of no months at all is named by the month it would start with.
    assert months_label(date(2026, 9, 1), date(2026, 9, 1)) == "Sep 2026"


def test_a_pooled_window_sums_its_months_from_the_first_up_to_not_including_the_end():
    months = [
        nps_month(2026, 4, nps=90.0),
        nps_month(2026, 5, nps=0.0),
        nps_month(2026, 6, nps=20.0),
        nps_month(2026, 7, nps=90.0),
        nps_month(2026, 8, nps=90.0),
    ]
    found = pooled("nps", months, start=date(2026, 5, 1), end=date(2026, 7, 1))
    assert (found.n, found.value) == (200, 10.0)
    assert (found.start, found.end, found.label, found.text) == (
        date(2026, 5, 1),
        date(2026, 7, 1),
        "May–Jun 2026",
        "May–Jun 2026, n=200",
    )
    assert found.low is not None and found.high is not None and found.low < 10.0 < found.high
    assert pooled("nps", months, start=date(2026, 9, 1), end=date(2026, 10, 1)).n == 0
    with pytest.raises(TypeError):
        pooled("nps", months, date(2026, 5, 1), date(2026, 7, 1))  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.n = 0  # type: ignore[misc]


def test_a_pooled_mean_reads_every_count_of_its_months():
    months = [ces_month(2026, 5, n=20, mean=5.0), ces_month(2026, 6, n=20, mean=6.0)]
    found = pooled("ces", months, start=date(2026, 5, 1), end=date(2026, 7, 1))
    assert (found.n, found.value) == (40, 5.5)
    assert found.low == pytest.approx(5.338, abs=1e-3)


@pytest.mark.parametrize(("n", "enough"), [(29, False), (30, True)])
def test_a_window_is_read_from_30_responses(n, enough):
    window = pooled("nps", [nps_month(2026, 6, n=n)], start=date(2026, 6, 1), end=date(2026, 7, 1))
    assert window.enough is enough


@pytest.mark.parametrize("start", [date(2026, 6, 1), date(2026, 6, 15), date(2026, 6, 30)])
def test_the_baseline_is_the_three_complete_months_before_the_start(start):
    months = [*BEFORE, nps_month(2026, 2, nps=90.0), nps_month(2026, 6, nps=90.0)]
    baseline = measured_baseline("nps", months, start=start)
    assert (baseline.measured.label, baseline.measured.n) == ("Mar–May 2026", 300)
    assert (baseline.source, baseline.value) == (MEASURED, 10.0)


def test_the_baseline_window_has_the_length_asked_for():
    months = [nps_month(2025, 12, nps=40.0), *BEFORE]
    baseline = measured_baseline("nps", months, start=PROMISE_START, window_months=6)
    assert (baseline.measured.label, baseline.measured.n, baseline.value) == (
        "Dec 2025–May 2026",
        400,
        17.5,
    )


def test_a_baseline_window_with_too_few_responses_measures_nothing_and_says_so():
    short = [nps_month(2026, 3, n=10), nps_month(2026, 4, n=10), nps_month(2026, 5, n=9)]
    baseline = measured_baseline("nps", short, start=PROMISE_START)
    assert (baseline.source, baseline.value, baseline.measured.n) == (TOO_FEW_BEFORE, None, 29)
    assert baseline.text == (
        "Too few responses before the start to measure it: n=29 on Mar–May 2026, 30 needed"
    )
    enough = [*short[:2], nps_month(2026, 5, n=10)]
    assert measured_baseline("nps", enough, start=PROMISE_START).source == MEASURED


def test_a_typed_baseline_overrides_the_measured_one_and_says_both():
    months = [ces_month(2026, m, n=100, mean=5.7) for m in (3, 4, 5)]
    typed = measured_baseline("ces", months, start=PROMISE_START, typed=4.1)
    assert (typed.source, typed.value) == (TYPED, 4.1)
    assert typed.text == (
        "4.1, typed by the CCO (measured: 5.7, measured on Mar–May 2026, n=300, "
        "95 % interval 5.7 to 5.7)"
    )
    measured = measured_baseline("ces", months, start=PROMISE_START)
    assert (measured.source, measured.value) == (MEASURED, pytest.approx(5.7))
    assert measured.text == "5.7, measured on Mar–May 2026, n=300, 95 % interval 5.7 to 5.7"
    assert measured_baseline("ces", [], start=PROMISE_START, typed=0.0).value == 0.0


def test_the_judged_window_is_the_last_three_complete_months_since_the_start():
    months = [*BEFORE, *(nps_month(2026, m) for m in range(6, 12))]
    window = judged_window("nps", months, start=PROMISE_START, today=date(2026, 12, 2))
    assert (window.label, window.n) == ("Sep–Nov 2026", 300)
    # The month under way is not over: never judged.
    window = judged_window("nps", months, start=PROMISE_START, today=date(2026, 11, 30))
    assert window.label == "Aug–Oct 2026"


def test_the_judged_window_never_reaches_before_the_start():
    months = [*BEFORE, nps_month(2026, 6), nps_month(2026, 7)]
    window = judged_window("nps", months, start=PROMISE_START, today=date(2026, 8, 1))
    assert (window.label, window.n) == ("Jun–Jul 2026", 200)
    # A start in mid-June leaves June out: part of it came before the start.
    window = judged_window("nps", months, start=date(2026, 6, 2), today=date(2026, 8, 1))
    assert (window.label, window.n) == ("Jul 2026", 100)
    assert judged_window("nps", months, start=date(2026, 6, 2), today=date(2026, 7, 31)) is None
    assert judged_window("nps", months, start=PROMISE_START, today=date(2026, 7, 1)).n == 100
    assert judged_window("nps", months, start=PROMISE_START, today=date(2026, 6, 30)) is None


def test_a_judged_window_with_too_few_widens_back_to_the_start_until_30_answered():
    months = [
        nps_month(2026, 6, n=4, nps=50.0),
        nps_month(2026, 7, n=6),
        *(nps_month(2026, m, n=8) for m in (8, 9, 10)),
    ]
    window = judged_window("nps", months, start=PROMISE_START, today=date(2026, 11, 1))
    assert (window.label, window.n, window.enough) == ("Jul–Oct 2026", 30, True)
    window = judged_window("nps", months[:4], start=PROMISE_START, today=date(2026, 10, 1))
    assert (window.label, window.n, window.enough) == ("Jun–Sep 2026", 26, False)
    window = judged_window("nps", months, start=PROMISE_START, today=date(2026, 12, 1))
    assert (window.label, window.n) == ("Jul–Nov 2026", 30)  # a quiet November widens it


def test_a_result_is_judged_from_the_day_its_time_to_impact_has_passed():
    months = [*BEFORE, *(nps_month(2026, m, nps=40.0) for m in (6, 7, 8))]
    on_the_day = judge(months, today=date(2026, 9, 1))
    assert (on_the_day.kind, on_the_day.actual, on_the_day.judged_from) == (
        ACHIEVED,
        40.0,
        date(2026, 9, 1),
    )
    assert on_the_day.judged_on == "judged on Jun–Aug 2026, n=300"
    the_day_before = judge(months, today=date(2026, 8, 31))
    assert (the_day_before.kind, the_day_before.actual, the_day_before.expected) == (
        TOO_EARLY,
        None,
        None,
    )
    assert the_day_before.judged_on == "judged from 01 Sep 2026, 3 months after the start"
    assert (the_day_before.label, the_day_before.rag) == ("Too early", "grey")
    one_month = judge(months, today=date(2026, 6, 30), time_to_impact=1)
    assert one_month.judged_on == "judged from 01 Jul 2026, 1 month after the start"


def test_a_time_to_impact_of_none_still_waits_for_a_complete_month_after_the_start():
    found = judge([*BEFORE], today=date(2026, 6, 20), time_to_impact=0)
    assert (found.kind, found.window) == (TOO_EARLY, None)
    assert found.judged_on == "no complete month since the start yet"


@pytest.mark.parametrize(("n", "kind"), [(29, TOO_EARLY), (30, ACHIEVED)])
def test_a_result_needs_30_responses_after_the_start(n, kind):
    months = [*BEFORE, nps_month(2026, 6, n=n, nps=40.0)]
    found = judge(months, today=date(2026, 9, 1))
    assert found.kind == kind
    if kind == TOO_EARLY:
        assert found.judged_on == "29 responses since the start (Jun–Aug 2026); 30 needed"


def test_data_only_before_the_start_never_judges_a_result():
    plenty = [nps_month(2026, m, n=1000, nps=90.0) for m in (1, 2, 3, 4, 5)]
    found = judge(plenty, today=date(2026, 12, 2))
    assert (found.kind, found.window, found.actual) == (TOO_EARLY, None, None)
    assert found.judged_on == "0 responses since the start (Jun–Nov 2026); 30 needed"


def test_an_initiative_starting_tomorrow_is_too_early_whatever_last_month_said():
    months = [nps_month(2026, 11, n=500, nps=-50.0)]
    found = judge(
        months, start=date(2026, 12, 1), by_date=date(2027, 12, 1), today=date(2026, 12, 2)
    )
    assert found.kind == TOO_EARLY


@pytest.mark.parametrize(
    ("promoters", "score", "kind"),
    [(1300, 30.0, ACHIEVED), (1299, 29.9, ON_TRACK), (1150, 15.0, ON_TRACK), (1149, 14.9, BEHIND)],
)
def test_the_judged_score_meets_the_target_the_line_at_the_windows_middle_or_neither(
    promoters, score, kind
):
    # Judged on 15 Sep: Jun–Aug, whose middle (17 Jul, 46 days in) is a quarter of the way
    # along a 184-day line from 10 to 30, where it expects 15.
    months = [*BEFORE, Month(date(2026, 7, 1), 2000, promoters, 0, 2000 - promoters)]
    found = judge(months, by_date=date(2026, 12, 2), today=date(2026, 9, 15))
    assert (found.kind, found.actual, found.expected) == (kind, pytest.approx(score), 15.0)
    assert found.judged_on == "judged on Jun–Aug 2026, n=2000"


@pytest.mark.parametrize(
    ("score", "kind"),
    [(2.0, ACHIEVED), (2.1, ON_TRACK), (3.5, ON_TRACK), (3.51, BEHIND)],
)
def test_where_lower_is_better_the_target_and_the_line_are_met_from_below(score, kind):
    # From 5 down to 2 by 2 Mar 2027: judged on 2 Dec on Sep–Nov, whose middle (16 Oct,
    # 137 of 274 days in) is halfway along the line, at 3.5.
    months = [ces_month(2026, m, n=100, mean=score) for m in (9, 10, 11)]
    found = judge(
        months,
        metric="ces",
        baseline=5.0,
        target=2.0,
        by_date=date(2027, 3, 2),
        today=date(2026, 12, 2),
        higher_is_better=False,
    )
    assert (found.kind, found.expected) == (kind, 3.5)


def test_without_a_baseline_a_result_is_achieved_or_has_no_line_to_judge():
    months = [*(nps_month(2026, m, nps=36.0) for m in (6, 7, 8))]
    achieved = judge(months, baseline=None, today=date(2026, 9, 1))
    assert (achieved.kind, achieved.expected, achieved.actual) == (ACHIEVED, None, 36.0)
    short = judge(months, baseline=None, target=40.0, today=date(2026, 9, 1))
    assert (short.kind, short.expected, short.actual) == (NO_BASELINE, None, 36.0)
    assert short.judged_on == (
        "judged on Jun–Aug 2026, n=300; too few responses before the start to draw the line"
    )
    assert (short.label, short.rag) == ("No baseline", "grey")


def test_verdicts_read_as_labels_and_colours():
    shown = {kind: (VERDICT_LABELS[kind], VERDICT_RAG[kind]) for kind in VERDICT_LABELS}
    assert shown == {
        ACHIEVED: ("Achieved", "green"),
        ON_TRACK: ("On track", "green"),
        BEHIND: ("Behind", "red"),
        TOO_EARLY: ("Too early", "grey"),
        NO_BASELINE: ("No baseline", "grey"),
    }


def judged(kind, *, value=12.0, expected=16.0) -> Verdict:
    window = Reading(date(2026, 9, 1), date(2026, 12, 1), 412, value, value - 2, value + 2)
    if kind == TOO_EARLY:
        return Verdict(TOO_EARLY, None, None, date(2027, 3, 1), "judged from 01 Mar 2027")
    return Verdict(kind, window, expected, date(2026, 9, 1))


def test_an_initiative_on_schedule_with_one_result_behind_is_at_risk_and_says_which():
    results = [
        ResultFact("CES · Touch point: Call centre", judged(BEHIND)),
        ResultFact("NPS · Whole organisation", judged(ON_TRACK, value=20.0)),
    ]
    found = health(results=results)
    assert found.level == AT_RISK
    assert found.reasons == (
        "Expected result “CES · Touch point: Call centre” is behind: 12.0 against 16.0 "
        "expected, judged on Sep–Nov 2026, n=412.",
    )
    assert found.judged_on == (
        "CES · Touch point: Call centre: behind, judged on Sep–Nov 2026, n=412",
        "NPS · Whole organisation: on track, judged on Sep–Nov 2026, n=412",
    )


@pytest.mark.parametrize("kind", [ACHIEVED, ON_TRACK, TOO_EARLY, NO_BASELINE])
def test_a_result_not_behind_leaves_the_schedules_health_as_it_is(kind):
    found = health(results=[ResultFact("NPS · Whole organisation", judged(kind))])
    assert (found.level, found.reasons) == (ON_TRACK, ())
    assert len(found.judged_on) == 1
    late = [MilestoneFact("Pilot", TODAY - DAY, None)]
    assert health(milestones=late, results=[ResultFact("NPS", judged(kind))]).level == AT_RISK


def test_a_result_behind_comes_after_the_schedules_reasons():
    found = health(
        end=TODAY - DAY,
        milestones=[MilestoneFact("A", TODAY - DAY, None)],
        results=[ResultFact("NPS · Whole organisation", judged(BEHIND))],
    )
    assert [reason.split(" ")[0] for reason in found.reasons] == [
        "Milestone",
        "Planned",
        "Expected",
    ]


def test_done_dropped_and_not_started_initiatives_keep_their_level_and_list_their_results():
    behind = [ResultFact("NPS · Whole organisation", judged(BEHIND))]
    assert health(status="done", results=behind).level == DONE
    assert health(status="dropped", results=behind).judged_on == (
        "NPS · Whole organisation: behind, judged on Sep–Nov 2026, n=412",
    )
    early = [ResultFact("NPS · Whole organisation", judged(TOO_EARLY))]
    not_started = health(status="planned", start=TODAY + DAY, results=early)
    assert not_started == Health(
        NOT_STARTED, (), ("NPS · Whole organisation: too early, judged from 01 Mar 2027",)
    )


def test_the_windows_bounds_and_the_day_must_be_named():
    with pytest.raises(TypeError):
        measured_baseline("nps", BEFORE, PROMISE_START)  # type: ignore[misc]
    with pytest.raises(TypeError):
        judged_window("nps", BEFORE, PROMISE_START, date(2026, 9, 1))  # type: ignore[misc]


@pytest.mark.parametrize(
    ("today", "source", "value"),
    [
        (None, MEASURED, 10.0),
        (PROMISE_START - DAY, PENDING, None),
        (PROMISE_START, MEASURED, 10.0),
        (PROMISE_START + DAY, MEASURED, 10.0),
    ],
)
def test_a_baseline_is_pending_until_its_months_are_over(today, source, value):
    found = measured_baseline("nps", BEFORE, start=PROMISE_START, today=today)
    assert (found.source, found.value, found.complete) == (source, value, source == MEASURED)
    if source == PENDING:
        assert (
            found.text
            == "To be measured on Mar–May 2026, once those months are over (n=300 so far)"
        )
        typed = measured_baseline("nps", BEFORE, start=PROMISE_START, today=today, typed=5.0)
        assert (typed.source, typed.value) == (TYPED, 5.0)


def test_a_baseline_is_complete_unless_said_otherwise_and_cannot_be_altered():
    window = Reading(date(2026, 3, 1), date(2026, 6, 1), 40, 5.0, None, 6.0)
    baseline = Baseline(window)
    assert (baseline.source, baseline.value) == (MEASURED, 5.0)
    # Without both ends of the interval none is quoted.
    assert baseline.text == "5.0, measured on Mar–May 2026, n=40"
    with pytest.raises(dataclasses.FrozenInstanceError):
        baseline.typed = 1.0  # type: ignore[misc]


def test_verdicts_and_result_facts_cannot_be_altered_once_made():
    verdict = judged(BEHIND)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.kind = ACHIEVED  # type: ignore[misc]
    fact = ResultFact("NPS", verdict)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.name = "CES"  # type: ignore[misc]


def test_by_default_a_result_rises_and_is_judged_three_months_after_the_start():
    months = [*BEFORE, *(nps_month(2026, m, nps=40.0) for m in (6, 7, 8))]
    found = result_verdict(
        metric="nps",
        months=months,
        baseline=10.0,
        target=30.0,
        start=PROMISE_START,
        by_date=PROMISE_BY,
        today=date(2026, 9, 1),
    )
    assert (found.kind, found.judged_from) == (ACHIEVED, date(2026, 9, 1))
    assert TIME_TO_IMPACT_MONTHS == BASELINE_MONTHS == JUDGED_MONTHS == 3


def test_a_result_with_no_time_to_impact_is_too_early_only_before_its_start():
    found = judge([*BEFORE], today=PROMISE_START - DAY, time_to_impact=0)
    assert found.judged_on == "judged from 01 Jun 2026, 0 months after the start"


def test_the_judged_window_before_the_start_is_none():
    assert judged_window("nps", BEFORE, start=PROMISE_START, today=date(2026, 5, 15)) is None
    assert judged_window("nps", BEFORE, start=PROMISE_START, today=date(2026, 3, 15)) is None


def test_a_verdict_read_from_a_database_row_weighs_the_same():
    behind = dataclasses.replace(judged(BEHIND), kind=as_stored(BEHIND))
    found = health(results=[ResultFact("NPS · Whole organisation", behind)])
    assert found.level == AT_RISK
    early = Verdict(as_stored(TOO_EARLY), None, None, date(2027, 3, 1), "judged from 01 Mar 2027")
    assert (early.actual, early.judged_on) == (None, "judged from 01 Mar 2027")
