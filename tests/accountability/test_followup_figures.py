"""Close-the-loop rate, median time to first contact and overdue cases: one definition."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import stats
from accountability.followup_selectors import followup_figures, followup_figures_by_department
from accountability.models import FollowupCase
from accountability.selectors import scorecard
from tests.metrics.factories import TouchpointFactory

TODAY = date(2026, 12, 3)


def test_a_case_due_today_is_not_judged_and_one_due_yesterday_is_overdue():
    figures = stats.followup_figures(
        [(TODAY, "open", "", None), (TODAY - timedelta(days=1), "open", "", None)], today=TODAY
    )
    assert (figures.cases, figures.judged, figures.overdue) == (2, 1, 1)
    assert figures.loop_closed_pct == 0.0


@pytest.mark.parametrize(
    "outcome, closes_the_loop",
    [("resolved", True), ("declined", True), ("not_reached", False)],
)
def test_the_loop_is_closed_when_the_customer_was_reached(outcome, closes_the_loop):
    figures = stats.followup_figures([(TODAY, "closed", outcome, 2.0)], today=TODAY)
    assert figures.judged == 1
    assert figures.loop_closed == int(closes_the_loop)
    assert figures.overdue == 0


def test_a_closed_case_counts_even_before_its_due_date():
    figures = stats.followup_figures(
        [(TODAY + timedelta(days=2), "closed", "resolved", 1.0)], today=TODAY
    )
    assert (figures.judged, figures.loop_closed_pct) == (1, 100.0)


def test_the_median_hours_to_first_contact_skips_cases_never_contacted():
    figures = stats.followup_figures(
        [
            (TODAY, "contacted", "", 1.0),
            (TODAY, "contacted", "", 3.0),
            (TODAY, "contacted", "", 30.0),
            (TODAY, "open", "", None),
        ],
        today=TODAY,
    )
    assert figures.median_hours_to_contact == 3.0
    assert stats.followup_figures([], today=TODAY).median_hours_to_contact is None


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
    from accountability.followup_selectors import followup_figures_overall

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
