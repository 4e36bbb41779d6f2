"""The accountability app's pure rules (accountability/stats.py) at their edges: the next meeting
day of each cadence, what counts as on time or late, the scorecard's bands. No database."""

import dataclasses
import enum
from datetime import date, timedelta

import pytest

from accountability.stats import (
    DeliveryFigures,
    RagCutoffs,
    agenda_plan,
    combined_delivery,
    days_past,
    delivery_figures,
    issue_escalates,
    issue_severity,
    next_meeting_date,
    on_time_rag,
    open_issues_rag,
    percentage,
)

DAY = timedelta(days=1)
MONDAY, TUESDAY, SUNDAY = 0, 1, 6
TODAY = date(2026, 6, 10)  # a Wednesday


class Weekday(enum.IntEnum):
    """A weekday as a series' choices hold it: equal to the number, but another object."""

    MONDAY = 0
    WEDNESDAY = 2


def as_stored(text: str) -> str:
    """Text as a database row hands it over: equal to the literal, but another object."""
    return "".join(list(text))


# --- The next meeting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 3)),  # the day before March's first Tuesday
        (date(2026, 3, 3), date(2026, 4, 7)),  # on it: strictly after, so April's
        (date(2026, 2, 28), date(2026, 3, 3)),
        (date(2026, 12, 1), date(2027, 1, 5)),  # December's first Tuesday: into the next year
        (date(2026, 12, 31), date(2027, 1, 5)),
        (date(2027, 12, 8), date(2028, 1, 4)),  # from an odd year too
    ],
)
def test_a_monthly_meeting_is_the_next_first_tuesday_strictly_after(after, expected):
    assert next_meeting_date(cadence="monthly", weekday=TUESDAY, after=after) == expected


@pytest.mark.parametrize("weekday", range(7))
def test_a_monthly_meeting_falls_on_the_first_of_its_weekday_in_the_month(weekday):
    found = next_meeting_date(cadence="monthly", weekday=weekday, after=date(2026, 5, 31))
    assert found.weekday() == weekday
    assert found.month == 6 and found.day <= 7


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (TODAY - DAY, TODAY),  # Tuesday → Wednesday
        (TODAY, TODAY + 7 * DAY),  # a Wednesday meeting is next week's, never today's
        (TODAY + DAY, TODAY + 7 * DAY),  # Thursday → next Wednesday
        (date(2026, 6, 14), date(2026, 6, 17)),  # Sunday → Wednesday
    ],
)
def test_a_weekly_meeting_is_the_next_such_weekday_strictly_after(after, expected):
    assert next_meeting_date(cadence="weekly", weekday=TODAY.weekday(), after=after) == expected


@pytest.mark.parametrize(
    ("days_after_anchor", "days_to_next"),
    [(0, 14), (1, 14), (13, 14), (14, 28), (27, 28), (28, 42), (-1, 14), (-20, 14)],
)
def test_a_fortnightly_meeting_keeps_14_days_from_its_last_meeting(days_after_anchor, days_to_next):
    anchor = TODAY
    after = anchor + days_after_anchor * DAY
    assert (
        next_meeting_date(
            cadence="fortnightly", weekday=anchor.weekday(), after=after, anchor=anchor
        )
        == anchor + days_to_next * DAY
    )


def test_a_fortnightly_series_read_from_the_database_keeps_its_rhythm():
    anchor = TODAY
    assert (
        next_meeting_date(
            cadence=as_stored("fortnightly"),
            weekday=Weekday.WEDNESDAY,
            after=anchor + DAY,
            anchor=anchor,
        )
        == anchor + 14 * DAY
    )


def test_a_fortnightly_meeting_without_a_last_meeting_on_its_weekday_is_the_next_such_weekday():
    monday = date(2026, 6, 8)
    assert next_meeting_date(
        cadence="fortnightly", weekday=Weekday.WEDNESDAY, after=TODAY, anchor=monday
    ) == date(2026, 6, 17)
    assert next_meeting_date(cadence="fortnightly", weekday=MONDAY, after=TODAY) == date(
        2026, 6, 15
    )
    assert next_meeting_date(
        cadence="fortnightly", weekday=MONDAY, after=TODAY, anchor=TODAY
    ) == date(2026, 6, 15)
    assert next_meeting_date(cadence="fortnightly", weekday=SUNDAY, after=TODAY) == date(
        2026, 6, 14
    )


def test_a_monthly_series_read_from_the_database_is_monthly():
    assert next_meeting_date(
        cadence=as_stored("monthly"), weekday=TUESDAY, after=date(2026, 3, 2)
    ) == date(2026, 3, 3)


def test_a_weekly_meeting_ignores_the_last_meeting_and_meets_every_week():
    assert (
        next_meeting_date(cadence="weekly", weekday=TODAY.weekday(), after=TODAY, anchor=TODAY)
        == TODAY + 7 * DAY
    )


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="unknown cadence 'daily'"):
        next_meeting_date(cadence="daily", weekday=MONDAY, after=TODAY)
    with pytest.raises(ValueError, match="unknown cadence 'daily'"):
        next_meeting_date(cadence="daily", weekday=TODAY.weekday(), after=TODAY, anchor=TODAY)


# --- On time and late --------------------------------------------------------------------------


def test_an_open_item_counts_from_the_day_after_it_was_due():
    assert delivery_figures([(TODAY, None)], today=TODAY) == DeliveryFigures(0, 0, 0, None, None)
    assert delivery_figures([(TODAY - DAY, None)], today=TODAY) == DeliveryFigures(
        1, 0, 1, 0.0, 1.0
    )


def test_done_on_or_before_its_due_date_is_on_time_and_a_day_later_is_late():
    assert delivery_figures([(TODAY, TODAY)], today=TODAY) == DeliveryFigures(1, 1, 0, 100.0, None)
    assert delivery_figures([(TODAY, TODAY - DAY)], today=TODAY) == DeliveryFigures(
        1, 1, 0, 100.0, None
    )
    assert delivery_figures([(TODAY - 3 * DAY, TODAY - 2 * DAY)], today=TODAY) == DeliveryFigures(
        1, 0, 0, 0.0, 1.0
    )


def test_items_not_yet_due_are_passed_over_wherever_they_come():
    items = [
        (TODAY + DAY, None),
        (TODAY - DAY, TODAY - DAY),
        (TODAY + DAY, None),
        (TODAY - DAY, None),
    ]
    assert delivery_figures(items, today=TODAY) == DeliveryFigures(2, 1, 1, 50.0, 1.0)


def test_the_date_of_today_must_be_named():
    with pytest.raises(TypeError):
        delivery_figures([], TODAY)  # type: ignore[misc]


def test_figures_cannot_be_altered_once_computed():
    figures = delivery_figures([], today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        figures.due_count = 3  # type: ignore[misc]


def test_an_item_done_early_counts_before_its_due_date_comes():
    assert delivery_figures([(TODAY + 9 * DAY, TODAY)], today=TODAY) == DeliveryFigures(
        1, 1, 0, 100.0, None
    )


def test_the_scorecard_averages_lateness_over_late_items_only_to_one_decimal():
    items = [
        (TODAY - 10 * DAY, TODAY - 10 * DAY),  # on time
        (TODAY - 10 * DAY, TODAY - 9 * DAY),  # done 1 day late
        (TODAY - 2 * DAY, None),  # open, 2 days late
        (TODAY - 3 * DAY, None),  # open, 3 days late: 1 + 2 + 3 days over 3 late items
        (TODAY + DAY, None),  # not yet due
    ]
    assert delivery_figures(items, today=TODAY) == DeliveryFigures(4, 1, 2, 25.0, 2.0)
    thirds = [(TODAY - DAY, TODAY - DAY), (TODAY - DAY, None), (TODAY - 3 * DAY, TODAY)]
    assert delivery_figures(thirds, today=TODAY) == DeliveryFigures(3, 1, 1, 33.3, 2.0)
    uneven = [(TODAY - DAY, None), (TODAY - DAY, None), (TODAY - 2 * DAY, None)]
    assert delivery_figures(uneven, today=TODAY).avg_days_late == 1.3
    two_thirds = [(TODAY, TODAY), (TODAY, TODAY), (TODAY - DAY, None)]
    assert delivery_figures(two_thirds, today=TODAY).on_time_pct == 66.7


def test_departments_combine_their_counts_and_weigh_lateness_by_their_late_items():
    first = DeliveryFigures(
        due_count=4, done_on_time=2, overdue=1, on_time_pct=50.0, avg_days_late=3.0
    )
    second = DeliveryFigures(
        due_count=2, done_on_time=1, overdue=0, on_time_pct=50.0, avg_days_late=6.0
    )
    nothing_due = DeliveryFigures(0, 0, 0, None, None)
    assert combined_delivery([first, second, nothing_due]) == DeliveryFigures(6, 3, 1, 50.0, 4.0)
    assert combined_delivery(iter([first, second])) == DeliveryFigures(6, 3, 1, 50.0, 4.0)
    all_on_time = DeliveryFigures(3, 3, 0, 100.0, None)
    assert combined_delivery([all_on_time, nothing_due]) == DeliveryFigures(3, 3, 0, 100.0, None)
    assert combined_delivery([]) == DeliveryFigures(0, 0, 0, None, None)


def test_combined_lateness_is_rounded_to_one_decimal_and_a_zero_mean_stays_zero():
    late_1 = DeliveryFigures(3, 0, 3, 0.0, 1.0)
    late_2 = DeliveryFigures(1, 0, 1, 0.0, 2.0)
    assert combined_delivery([late_1, late_2]).avg_days_late == 1.2  # 5 days over 4 items
    zero = DeliveryFigures(2, 1, 0, 50.0, 0.0)
    assert combined_delivery([zero]).avg_days_late == 0.0
    assert combined_delivery([zero, late_2]).avg_days_late == 1.0
    thirds = DeliveryFigures(3, 1, 2, 33.3, 1.0)
    assert combined_delivery([thirds]).on_time_pct == 33.3


# --- Bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "colour"),
    [
        (100.0, "green"),
        (80.0, "green"),
        (79.9, "amber"),
        (60.0, "amber"),
        (59.9, "red"),
        (0.0, "red"),
        (None, "grey"),
    ],
)
def test_on_time_is_green_from_80_percent_amber_from_60_and_red_below(pct, colour):
    assert on_time_rag(pct, RagCutoffs(green=80.0, amber=60.0)) == colour


@pytest.mark.parametrize(
    ("count", "colour"), [(0, "green"), (1, "amber"), (2, "amber"), (3, "red"), (9, "red")]
)
def test_open_issues_are_green_at_none_amber_up_to_two_and_red_from_three(count, colour):
    assert open_issues_rag(count, RagCutoffs(green=0, amber=2)) == colour


@pytest.mark.parametrize(
    ("count", "colour"), [(1, "green"), (2, "amber"), (3, "amber"), (4, "red")]
)
def test_open_issues_follow_the_cutoffs_given(count, colour):
    assert open_issues_rag(count, RagCutoffs(green=1, amber=3)) == colour


def test_a_percentage_is_rounded_to_one_decimal_and_of_nothing_is_none():
    assert percentage(1, 3) == 33.3
    assert percentage(2, 3) == 66.7
    assert percentage(3, 3) == 100.0
    assert percentage(0, 0) is None
    assert percentage(0, 5) == 0.0


# --- Escalating an open CX issue -----------------------------------------------------------------


@pytest.mark.parametrize(("count", "escalates"), [(2, False), (3, True), (4, True)])
def test_an_issue_escalates_from_its_third_breach(count, escalates):
    assert issue_escalates(breach_count=count, first_value=10.0, latest_value=10.0) is escalates


@pytest.mark.parametrize(("latest", "escalates"), [(9.9, True), (10.0, False), (10.1, False)])
def test_an_issue_escalates_when_the_latest_breach_is_worse_than_the_first(latest, escalates):
    assert issue_escalates(breach_count=1, first_value=10.0, latest_value=latest) is escalates


def test_escalation_is_asked_with_named_figures():
    with pytest.raises(TypeError):
        issue_escalates(3, 10.0, 10.0)  # type: ignore[misc]


# --- The agenda: severity, lateness and the time box ---------------------------------------------


def test_an_issues_severity_is_respondents_times_points_of_the_scale_below_its_reference():
    assert issue_severity([]) == 0.0
    assert issue_severity([("nps", 40, 20.0, 10.0)]) == 200.0  # 40 × 10 of 200 points
    assert issue_severity([("csat", 40, 80.0, 70.0)]) == 400.0  # 40 × 10 of 100
    assert issue_severity([("ces", 30, 5.0, 4.0)]) == 500.0  # 30 × 1 of 6
    assert issue_severity([("kpi", 10, 5.0, 4.0)]) == 10.0  # an unknown scale counts as 100
    assert issue_severity([("ces", 1, 5.0, 4.99)]) == 0.2  # rounded to one decimal


def test_only_breaches_below_their_reference_count_and_the_worst_one_decides():
    assert issue_severity([("nps", 40, 20.0, 20.0)]) == 0.0
    assert issue_severity([("nps", 40, 20.0, 20.1)]) == 0.0
    assert issue_severity([("nps", 40, None, 10.0)]) == 0.0
    worse, milder = ("csat", 40, 80.0, 70.0), ("nps", 40, 20.0, 10.0)
    assert issue_severity([worse, milder]) == issue_severity([milder, worse]) == 400.0
    assert issue_severity([("nps", 40, None, 10.0), milder]) == 200.0


def test_days_past_count_from_the_day_after_the_due_date():
    assert days_past(TODAY, until=TODAY) == 0
    assert days_past(TODAY, until=TODAY - DAY) == 0
    assert days_past(TODAY, until=TODAY + 3 * DAY) == 3


def test_a_short_agenda_shares_the_whole_meeting_the_remainder_to_the_first_items():
    items = [(1, "cx_issue", 1.0), (2, "cx_issue", 2.0), (3, "cx_issue", 3.0)]
    assert agenda_plan(items, meeting_minutes=10) == {1: 4, 2: 3, 3: 3}
    assert agenda_plan([], meeting_minutes=60) == {}


def test_what_does_not_fit_is_parked_and_the_most_severe_items_are_discussed():
    items = [(1, "cx_issue", 1.0), (2, "cx_issue", 5.0), (3, "cx_issue", 3.0)]
    assert agenda_plan(items, meeting_minutes=6) == {1: 0, 2: 3, 3: 3}
    # Under three minutes there is still one item.
    assert agenda_plan(items, meeting_minutes=2) == {1: 0, 2: 2, 3: 0}


def test_items_added_by_hand_are_discussed_even_past_the_time_box():
    items = [(10, "manual", 0.0), (11, "manual", 0.0), (1, "cx_issue", 9.0)]
    assert agenda_plan(items, meeting_minutes=3) == {10: 2, 11: 1, 1: 0}


def test_each_section_takes_its_share_of_the_places_by_severity():
    items = [
        (section_index * 100 + rank, section, float(rank))
        for section_index, section in enumerate(["cx_issue", "action_item", "milestone", "kpi"])
        for rank in range(10)
    ]
    planned = agenda_plan(items, meeting_minutes=30)  # 10 places: 4, 3, 2 and 1
    discussed = sorted(key for key, minutes in planned.items() if minutes)
    assert discussed == [6, 7, 8, 9, 107, 108, 109, 208, 209, 309]
    assert {planned[key] for key in discussed} == {3}


def test_places_a_section_cannot_use_go_round_the_others():
    items = [(1, "cx_issue", 1.0), (2, "cx_issue", 2.0)] + [
        (100 + rank, "action_item", float(rank)) for rank in range(10)
    ]
    planned = agenda_plan(items, meeting_minutes=30)  # 10 places: 2 issues, 8 actions
    assert sorted(key for key, minutes in planned.items() if minutes) == [1, 2] + list(
        range(102, 110)
    )
    unknown = [(1, "other", 1.0), (2, "other", 2.0)]
    assert agenda_plan(unknown, meeting_minutes=3) == {1: 0, 2: 3}


def test_a_section_without_a_share_gets_only_the_places_left_over():
    items = [(rank, "cx_issue", float(rank)) for rank in range(10)] + [
        (100 + rank, "other", float(rank)) for rank in range(10)
    ]
    planned = agenda_plan(items, meeting_minutes=30)  # 4 by share, then 3 more each in turn
    assert sorted(key for key, minutes in planned.items() if minutes) == list(range(3, 10)) + [
        107,
        108,
        109,
    ]


def test_the_meetings_length_is_given_by_name():
    with pytest.raises(TypeError):
        agenda_plan([], 60)  # type: ignore[misc]
    with pytest.raises(TypeError):
        days_past(TODAY, TODAY)  # type: ignore[misc]


def test_a_meeting_holds_whole_three_minute_places_only():
    items = [(rank, "cx_issue", float(rank)) for rank in range(5)]
    planned = agenda_plan(items, meeting_minutes=10)  # three places, not 3⅓
    assert sorted(key for key, minutes in planned.items() if minutes) == [2, 3, 4]


def test_items_added_by_hand_take_their_places_from_the_time_box():
    items = [(-1, "manual", 0.0), (-2, "manual", 0.0)] + [
        (rank, "cx_issue", float(rank)) for rank in range(30)
    ]
    planned = agenda_plan(items, meeting_minutes=60)  # 20 places: 2 by hand, 18 issues
    assert sorted(key for key, minutes in planned.items() if minutes) == [-2, -1] + list(
        range(12, 30)
    )


def test_a_short_agenda_leaves_places_empty_and_stops_handing_them_out():
    assert agenda_plan([(1, "cx_issue", 1.0), (2, "kpi", 1.0)], meeting_minutes=60) == {
        1: 30,
        2: 30,
    }


def test_the_last_spare_place_goes_to_the_next_section_in_turn_and_no_further():
    items = [(rank, "cx_issue", float(rank)) for rank in range(10)] + [
        (100 + rank, "other", float(rank)) for rank in range(10)
    ]
    planned = agenda_plan(items, meeting_minutes=24)  # 8 places: 3 by share, 5 in turn
    assert sorted(key for key, minutes in planned.items() if minutes) == [
        4,
        5,
        6,
        7,
        8,
        9,
        108,
        109,
    ]
