"""A meeting that fits its length: the agenda ranked by severity, time-boxed by section, and the
rest parked (accountability.stats.agenda_plan, accountability/services/agenda.py)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accountability import selectors, services, stats
from accountability.models import AgendaKind
from metrics.models import BreachRule, Metric
from tests.accountability.factories import (
    ActionItemFactory,
    BreachFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.metrics.factories import TouchpointFactory

# --- The pure rules ------------------------------------------------------------------------------


def test_severity_is_customers_affected_times_share_of_the_scale_below_the_floor():
    assert stats.issue_severity([("nps", 100, 10.0, -10.0)]) == 1000.0  # 100 × 20/200 × 100
    assert stats.issue_severity([("ces", 60, 5.0, 4.7)]) == 300.0  # 60 × 0.3/6 × 100
    assert stats.issue_severity([("nps", 100, 10.0, 10.0)]) == 0.0  # on the floor: nothing
    assert stats.issue_severity([("nps", 100, None, 10.0)]) == 0.0
    assert stats.issue_severity([]) == 0.0
    # The worst of an issue's breaches counts.
    assert stats.issue_severity([("nps", 40, 10.0, 0.0), ("nps", 30, 10.0, -10.0)]) == 300.0


def test_days_past_is_zero_until_the_due_date_has_passed():
    due = date(2026, 12, 2)
    assert stats.days_past(due, until=due - timedelta(days=1)) == 0
    assert stats.days_past(due, until=due) == 0
    assert stats.days_past(due, until=due + timedelta(days=1)) == 1


def test_a_sixty_minute_meeting_discusses_twenty_items_and_its_minutes_sum_to_sixty():
    items = [(pk, "action_item", float(pk)) for pk in range(1, 46)]
    plan = stats.agenda_plan(items, meeting_minutes=60)
    active = [pk for pk, minutes in plan.items() if minutes]
    assert len(active) == 20 and sum(plan.values()) == 60
    assert active == list(range(26, 46))  # the most overdue


def test_each_section_gets_its_share_and_gives_away_what_it_cannot_use():
    items = (
        [(pk, "cx_issue", 1.0) for pk in range(1, 31)]
        + [(pk, "action_item", 1.0) for pk in range(31, 61)]
        + [(61, "milestone", 5.0)]
    )
    plan = stats.agenda_plan(items, meeting_minutes=60)
    sections = {"cx_issue": 0, "action_item": 0, "milestone": 0}
    for pk, section, _ in items:
        sections[section] += plan[pk] > 0
    # Shares of 20 places: 8, 6, 4 and 2; one milestone and no KPI leave 5 to go round.
    assert sections == {"cx_issue": 11, "action_item": 8, "milestone": 1}
    assert sum(plan.values()) == 60


def test_items_added_by_hand_are_always_discussed():
    items = [(pk, "cx_issue", 100.0) for pk in range(1, 31)] + [(99, "manual", 0.0)]
    plan = stats.agenda_plan(items, meeting_minutes=60)
    assert plan[99] > 0 and sum(1 for m in plan.values() if m) == 20


def test_a_short_agenda_shares_the_whole_meeting_with_the_remainder_to_the_first_items():
    plan = stats.agenda_plan(
        [(1, "cx_issue", 0.0), (2, "kpi", 0.0), (3, "milestone", 0.0)], meeting_minutes=50
    )
    assert plan == {1: 17, 2: 17, 3: 16}
    assert stats.agenda_plan([], meeting_minutes=60) == {}


# --- The named sections ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "fixed", "agenda"),
    [
        (90, 5, 75),  # capped at five minutes each
        (60, 5, 45),  # a twelfth of an hour: exactly the cap
        (59, 4, 47),  # one minute shorter: a twelfth rounds down to four
        (30, 2, 24),
        (12, 1, 9),  # the shortest meeting with fixed sections
        (11, 0, 11),  # too short for them: all agenda
        (0, 0, 0),
    ],
)
def test_fixed_sections_take_a_twelfth_each_at_most_five_minutes(length, fixed, agenda):
    assert stats.fixed_section_minutes(length) == fixed
    assert stats.agenda_minutes(length) == agenda
    assert 3 * fixed + agenda == length


@pytest.mark.parametrize("length", [11, 12, 30, 59, 60, 90])
def test_the_sections_of_a_planned_agenda_sum_to_the_meeting_length(length):
    items = (
        [(pk, "cx_issue", float(pk)) for pk in range(1, 11)]
        + [(pk, "kpi", 1.0) for pk in range(11, 14)]
        + [(pk, "milestone", 2.0) for pk in range(14, 18)]
        + [(pk, "action_item", 3.0) for pk in range(18, 40)]
        + [(40, "manual", 0.0), (41, "followups", 4.0)]
    )
    kinds = {pk: kind for pk, kind, _ in items}
    plan = stats.agenda_plan(items, meeting_minutes=stats.agenda_minutes(length))
    by_kind: dict[str, int] = {}
    for pk, minutes in plan.items():
        by_kind[kinds[pk]] = by_kind.get(kinds[pk], 0) + minutes
    sections = stats.section_plan(length, by_kind)
    assert [key for key, _, _ in sections] == [
        "check_in",
        "scorecard",
        "milestones",
        "cx_issues",
        "action_items",
        "headlines",
        "wrap_up",
    ]
    assert sum(minutes for _, _, minutes in sections) == length
    fixed = {key: minutes for key, _, minutes in sections if key in stats.FIXED_SECTIONS}
    assert set(fixed.values()) == {stats.fixed_section_minutes(length)}


def test_with_nothing_on_the_agenda_the_issues_section_keeps_the_time():
    sections = {key: minutes for key, _, minutes in stats.section_plan(60, {})}
    assert sections == {
        "check_in": 5,
        "scorecard": 0,
        "milestones": 0,
        "cx_issues": 45,
        "action_items": 0,
        "headlines": 5,
        "wrap_up": 5,
    }


# --- The meeting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_next_meeting_parks_what_does_not_fit_and_the_page_collapses_it(
    cco, department_a, client_for
):
    today = timezone.localdate()
    for days in range(1, 31):
        ActionItemFactory(
            department=department_a, title=f"Late {days}", due=today - timedelta(days)
        )
    touchpoint = TouchpointFactory(department=department_a)
    BreachFactory(touchpoint=touchpoint, metric=Metric.NPS, n=50, value=0.0, reference_value=10.0)
    BreachFactory(
        touchpoint=touchpoint,
        metric=Metric.CSAT,
        n=500,
        value=70.0,
        reference_value=80.0,
        rule=BreachRule.BELOW_FLOOR,
    )
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco, duration_minutes=60))

    services.meeting_open(meeting_id=meeting.pk, actor=cco)

    active = list(meeting.agenda.filter(parked=False).order_by("order"))
    parked = list(meeting.agenda.filter(parked=True).order_by("order"))
    # Check-in, headlines and wrap-up keep 5 minutes each: the items share 45, 15 of them.
    assert len(active) == 15 and len(parked) == 17
    assert sum(item.planned_minutes for item in active) == 45
    assert [item.kind for item in active[:2]] == [AgendaKind.CX_ISSUE] * 2
    assert active[0].severity == 5000.0  # CSAT: 500 × 10/100 × 100, before NPS: 50 × 10/200 × 100
    late = [item.severity for item in active if item.kind == AgendaKind.ACTION_ITEM]
    assert late == sorted(late, reverse=True) and late[0] == 30.0
    assert all(item.severity < late[-1] for item in parked)

    groups = selectors.agenda_groups(meeting=meeting)
    assert [(g.name, g.minutes, len(g.items)) for g in groups] == [
        ("Check-in", 5, 0),
        ("Scorecard and KPIs", 0, 0),
        ("Roadmap milestones", 0, 0),
        ("CX issues to solve", 6, 2),
        ("Action-item review", 39, 13),
        ("Headlines", 5, 0),
        ("Wrap-up", 5, 0),
        ("Parking lot", 0, 17),
    ]
    assert sum(g.minutes for g in groups) == 60
    page = client_for(cco).get(f"/accountability/meetings/{meeting.pk}/")
    html = page.content.decode()
    assert '<details class="agenda-section parking-lot"' in html
    assert "17 items, ranked below the meeting's 60 minutes" in html
    assert 'Action-item review <span class="muted">· 39 min' in html


@pytest.mark.django_db
def test_parked_items_carry_over_to_the_next_meeting(cco, department_a):
    today = timezone.localdate()
    for days in range(8, 40):
        ActionItemFactory(department=department_a, due=today - timedelta(days))
    series = MeetingSeriesFactory(chair=cco, duration_minutes=60)
    first = MeetingFactory(series=series, scheduled_at=timezone.now() - timedelta(days=7))
    services.meeting_open(meeting_id=first.pk, actor=cco)
    parked = set(first.agenda.filter(parked=True).values_list("source_id", flat=True))
    services.meeting_close(meeting_id=first.pk, actor=cco)

    following = series.meetings.exclude(pk=first.pk).get()
    services.meeting_open(meeting_id=following.pk, actor=cco)

    assert len(parked) > 0
    assert parked <= set(following.agenda.values_list("source_id", flat=True))
