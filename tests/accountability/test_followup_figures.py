"""Close-the-loop rate, median time to first contact and overdue cases: one definition."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.followup_selectors import (
    followup_figures,
    followup_figures_by_department,
    followup_figures_overall,
)
from accountability.models import FollowupCase
from accountability.selectors import scorecard
from tests.metrics.factories import TouchpointFactory

TODAY = date(2026, 12, 3)
OPENED = datetime(2026, 12, 3, 9, tzinfo=timezone.get_current_timezone())


def _figures(rows, *, touchpoint):
    """The overall figures on TODAY of cases given as (due_on, status, outcome, hours to first
    contact or None), all opened on TODAY at 09:00."""
    opened = OPENED
    for number, (due_on, status, outcome, hours) in enumerate(rows):
        FollowupCase.objects.create(
            department=touchpoint.department,
            touchpoint=touchpoint,
            customer_id=f"C-{number}",
            due_on=due_on,
            status=status,
            outcome=outcome,
            closed_at=opened if status == "closed" else None,
            opened_at=opened,
            last_response_at=opened,
            first_contact_at=opened + timedelta(hours=hours) if hours is not None else None,
        )
    return followup_figures_overall(today=TODAY)


@pytest.fixture
def touchpoint(db):
    return TouchpointFactory()


def test_a_case_due_today_is_not_judged_and_one_due_yesterday_is_overdue(touchpoint):
    figures = _figures(
        [(TODAY, "open", "", None), (TODAY - timedelta(days=1), "open", "", None)],
        touchpoint=touchpoint,
    )
    assert (figures.cases, figures.judged, figures.overdue) == (2, 1, 1)
    assert figures.loop_closed_pct == 0.0


@pytest.mark.parametrize(
    "outcome, closes_the_loop",
    [("resolved", True), ("declined", True), ("not_reached", False)],
)
def test_the_loop_is_closed_when_the_customer_was_reached(outcome, closes_the_loop, touchpoint):
    figures = _figures([(TODAY, "closed", outcome, 2.0)], touchpoint=touchpoint)
    assert figures.judged == 1
    assert figures.loop_closed == int(closes_the_loop)
    assert figures.overdue == 0


def test_a_closed_case_counts_even_before_its_due_date(touchpoint):
    figures = _figures(
        [(TODAY + timedelta(days=2), "closed", "resolved", 1.0)], touchpoint=touchpoint
    )
    assert (figures.judged, figures.loop_closed_pct) == (1, 100.0)


def test_the_median_hours_to_first_contact_skips_cases_never_contacted(touchpoint):
    figures = _figures(
        [
            (TODAY, "contacted", "", 1.0),
            (TODAY, "contacted", "", 3.0),
            (TODAY, "contacted", "", 30.0),
            (TODAY, "open", "", None),
        ],
        touchpoint=touchpoint,
    )
    assert figures.median_hours_to_contact == 3.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(touchpoint):
    figures = _figures(
        [(TODAY, "contacted", "", hours) for hours in (30.0, 1.0, 2.0, 4.0)],
        touchpoint=touchpoint,
    )
    assert figures.median_hours_to_contact == 3.0


def test_no_contact_no_median(touchpoint):
    assert (
        _figures([(TODAY, "open", "", None)], touchpoint=touchpoint).median_hours_to_contact is None
    )
    assert followup_figures_overall(today=TODAY) == _figures([], touchpoint=touchpoint)


def test_each_department_has_its_own_median(department_a, department_b):
    first = TouchpointFactory(department=department_a)
    second = TouchpointFactory(department=department_b)
    opened = OPENED
    for touchpoint, hours in [(first, 1), (first, 3), (second, 10), (second, 20), (second, 90)]:
        FollowupCase.objects.create(
            department=touchpoint.department,
            touchpoint=touchpoint,
            customer_id=f"C-{hours}",
            due_on=TODAY,
            status="contacted",
            opened_at=opened,
            last_response_at=opened,
            first_contact_at=opened + timedelta(hours=hours),
        )
    found = followup_figures_by_department(today=TODAY)
    assert found[department_a.pk].median_hours_to_contact == 2.0
    assert found[department_b.pk].median_hours_to_contact == 20.0
    assert followup_figures_overall(today=TODAY).median_hours_to_contact == 10.0


def test_the_figures_take_the_same_queries_whatever_the_number_of_cases(
    django_assert_num_queries, department_a, department_b
):
    """Counts and the median are taken in SQL: two queries for the tile and two for the
    scorecard, for 3 cases or 60."""
    opened = OPENED
    for size in (3, 60):
        for number in range(size):
            department = (department_a, department_b)[number % 2]
            FollowupCase.objects.create(
                department=department,
                touchpoint=TouchpointFactory(department=department),
                customer_id=f"{size}-{number}",
                due_on=TODAY - timedelta(days=number % 3),
                status="contacted",
                opened_at=opened,
                last_response_at=opened,
                first_contact_at=opened + timedelta(hours=number),
            )
        with django_assert_num_queries(2):
            followup_figures_overall(today=TODAY)
        with django_assert_num_queries(2):
            followup_figures_by_department(today=TODAY)


@pytest.mark.django_db
def test_pages_show_the_figures_the_selector_computes(client_for, cco, department_b):
    touchpoint = TouchpointFactory(department=department_b)
    now = timezone.now()
    today = timezone.localdate()
    common = {"department": department_b, "touchpoint": touchpoint, "last_response_at": now}
    FollowupCase.objects.create(
        customer_id="late", due_on=today - timedelta(days=1), opened_at=now, **common
    )
    FollowupCase.objects.create(
        customer_id="done",
        due_on=today,
        opened_at=now - timedelta(hours=5),
        first_contact_at=now - timedelta(hours=1),
        status="closed",
        outcome="resolved",
        closed_at=now,
        **common,
    )

    figures = followup_figures(department_id=department_b.pk)
    assert (figures.loop_closed_pct, figures.median_hours_to_contact, figures.overdue) == (
        50.0,
        4.0,
        1,
    )
    row = next(r for r in scorecard() if r.department == department_b)
    assert row.followups == figures == followup_figures_by_department()[department_b.pk]
    page = client_for(cco).get(reverse("accountability:scorecard")).content.decode()
    assert '50.0% <span class="muted">1/2</span>' in page
    assert "4.0 h" in page
    department_page = client_for(cco).get(department_b.get_absolute_url()).content.decode()
    assert "<strong>50.0%</strong> loop closed" in department_page
    assert "1 overdue" in department_page
    week = client_for(cco).get(
        reverse("accountability:my-department"), {"department": department_b.slug}
    )
    assert "<strong>50.0%</strong> loop closed" in week.content.decode()


@pytest.mark.django_db
def test_a_case_opened_before_the_window_counts_only_while_open(department_b):
    touchpoint = TouchpointFactory(department=department_b)
    long_ago = timezone.now() - timedelta(days=200)
    common = {"department": department_b, "touchpoint": touchpoint, "last_response_at": long_ago}
    FollowupCase.objects.create(
        customer_id="old-open", due_on=long_ago.date(), opened_at=long_ago, **common
    )
    FollowupCase.objects.create(
        customer_id="old-closed",
        due_on=long_ago.date(),
        opened_at=long_ago,
        status="closed",
        outcome="not_reached",
        closed_at=long_ago,
        **common,
    )

    figures = followup_figures(department_id=department_b.pk)
    assert (figures.cases, figures.overdue) == (1, 1)


@pytest.mark.django_db
def test_overdue_cases_put_one_line_per_department_on_the_meeting_agenda(
    client_for, cco, department_a, department_b
):
    from accountability import services
    from tests.accountability.factories import MeetingFactory, MeetingSeriesFactory

    meeting = MeetingFactory(
        series=MeetingSeriesFactory(chair=cco), scheduled_at=timezone.now() + timedelta(hours=1)
    )
    day = timezone.localdate(meeting.scheduled_at)
    touchpoint = TouchpointFactory(department=department_b)
    common = {"touchpoint": touchpoint, "last_response_at": timezone.now()}
    for customer, due in [("a", day - timedelta(days=3)), ("b", day - timedelta(days=1))]:
        FollowupCase.objects.create(
            department=department_b, customer_id=customer, due_on=due, **common
        )
    # Due on the meeting's day: not yet overdue, so department A has no line.
    FollowupCase.objects.create(department=department_a, customer_id="c", due_on=day, **common)

    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)

    lines = list(meeting.agenda.filter(kind="followups"))
    assert [(line.department, line.title, line.severity) for line in lines] == [
        (department_b, "2 follow-up cases overdue", 2.0)
    ]
    assert lines[0].detail == f"Oldest due {day - timedelta(days=3):%d %b}"
    page = client_for(cco).get(reverse("accountability:meeting-run", args=[meeting.pk]))
    assert f"?department={department_b.slug}&amp;show=overdue" in page.content.decode()


@pytest.mark.django_db
def test_the_overview_tile_and_the_digest_add_every_department_up(
    client_for, executive, department_a, department_b
):
    now = timezone.now()
    today = timezone.localdate()
    for department, outcome in [(department_a, "resolved"), (department_b, "not_reached")]:
        FollowupCase.objects.create(
            department=department,
            touchpoint=TouchpointFactory(department=department),
            customer_id="C-1",
            due_on=today,
            opened_at=now,
            last_response_at=now,
            first_contact_at=now,
            status="closed",
            outcome=outcome,
            closed_at=now,
        )

    overall = followup_figures_overall()
    assert (overall.judged, overall.loop_closed, overall.loop_closed_pct) == (2, 1, 50.0)
    assert followup_figures_overall(department_id=department_a.pk).loop_closed_pct == 100.0
    page = client_for(executive).get("/?period=30d&view=overview").content.decode()
    assert "Loop closed with low scorers" in page and "1 of 2 follow-up cases" in page
    # The tile follows the department filter, by the same definition as the department's page.
    for department, shown in [(department_a, "1 of 1 follow-up cases"), (department_b, "0 of 1")]:
        page = client_for(executive).get(f"/?period=30d&department={department.slug}")
        assert shown in page.content.decode()
        assert followup_figures(department_id=department.pk).judged == 1
