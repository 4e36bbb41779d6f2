"""The pages people use: run the meeting without reloads, minutes, my department, calendar."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import (
    ActionItem,
    ActionStatus,
    AgendaKind,
    CalendarFeed,
    CXIssueStatus,
    Meeting,
    MeetingStatus,
)
from tests.accountability.factories import (
    ActionItemFactory,
    CXIssueFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.conftest import stored
from tests.roadmap.factories import InitiativeFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def series(cco, head_a, head_b):
    series = MeetingSeriesFactory(chair=cco, name="Customer accountability session")
    series.attendees.set([head_a, head_b])
    return series


@pytest.fixture
def running(series, cco, department_a):
    CXIssueFactory(department=department_a, title="Hold music loops forever")
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    return meeting


def test_the_cco_runs_a_whole_meeting_through_htmx_partials(
    client_for, cco, head_a, department_a, running, django_capture_on_commit_callbacks
):
    client = client_for(cco)
    page = client.get(reverse("accountability:meeting-run", args=[running.pk]))
    assert page.status_code == 200
    assert b"Hold music loops forever" in page.content
    assert b"accountability/meeting.js" in page.content
    issue_item = running.agenda.get(kind=AgendaKind.CX_ISSUE)

    attendance = client.post(
        reverse("accountability:meeting-attendance", args=[running.pk, head_a.pk]),
        {"present": "on", "rating": "9"},
        **HTMX,
    )
    notes = client.post(
        reverse("accountability:agenda-update", args=[issue_item.pk]),
        {"notes": "Head of A explains the rota gap", "discussed": "on"},
        **HTMX,
    )
    decision = client.post(
        reverse("accountability:decision-add", args=[running.pk]),
        {"text": "Add a second night agent", "agenda_item": issue_item.pk},
        **HTMX,
    )
    action = client.post(
        reverse("accountability:meeting-action-add", args=[running.pk]),
        {
            "title": "Roster a second night agent",
            "department": department_a.pk,
            "owner_person": head_a.pk,
            "due": str(timezone.localdate() + timedelta(days=7)),
            "agenda_item": issue_item.pk,
        },
        **HTMX,
    )

    assert attendance.status_code == 200 and b'value="9"' in attendance.content
    assert b"<html" not in attendance.content  # a partial, not a page
    assert notes.status_code == 200 and b"discussed" in notes.content
    assert decision.status_code == 200 and b"Add a second night agent" in decision.content
    assert action.status_code == 200 and b"Roster a second night agent" in action.content
    created = ActionItem.objects.get(title="Roster a second night agent")
    assert created.cx_issue_id == issue_item.source_id and created.meeting == running

    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(
            reverse("accountability:meeting-close", args=[running.pk]),
            {"summary": "Rota fixed next week"},
        )

    assert closed.status_code == 302
    minutes = client.get(closed["Location"])
    assert b"Rota fixed next week" in minutes.content
    assert b"Add a second night agent" in minutes.content
    assert {m.to[0] for m in mail.outbox} == {
        "the-cco@example.com",
        "head-a@example.com",
        "head-b@example.com",
    }
    assert Meeting.objects.filter(series=running.series, status=MeetingStatus.SCHEDULED).exists()


def test_a_rating_out_of_range_is_refused_with_a_message_naming_the_person(
    client_for, cco, head_a, running
):
    client = client_for(cco)
    before = stored()

    response = client.post(
        reverse("accountability:meeting-attendance", args=[running.pk, head_a.pk]),
        {"present": "on", "rating": "12"},
        **HTMX,
    )

    assert response.status_code == 400
    assert f"Rating for {head_a}" in response.content.decode()
    assert running.attendance.get(person=head_a).rating is None
    assert stored() == before


def test_an_action_item_without_a_due_date_is_refused_and_the_title_kept(
    client_for, cco, department_a, running
):
    client = client_for(cco)
    before = stored()

    response = client.post(
        reverse("accountability:meeting-action-add", args=[running.pk]),
        {"title": "Write to every detractor", "department": department_a.pk, "due": ""},
        **HTMX,
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Due: This field is required." in body
    assert "Write to every detractor" in body
    assert not ActionItem.objects.exists()
    assert stored() == before


def test_an_owner_from_another_department_is_refused(
    client_for, cco, head_b, department_a, running
):
    client = client_for(cco)
    before = stored()

    response = client.post(
        reverse("accountability:meeting-action-add", args=[running.pk]),
        {
            "title": "X",
            "department": department_a.pk,
            "owner_person": head_b.pk,
            "due": str(timezone.localdate()),
        },
        **HTMX,
    )

    assert response.status_code == 400
    assert "is not in Customer service" in response.content.decode()
    assert not ActionItem.objects.exists()
    assert stored() == before


def test_adding_an_agenda_item_by_hand_returns_just_that_item(client_for, cco, running):
    response = client_for(cco).post(
        reverse("accountability:agenda-add", args=[running.pk]),
        {"title": "Peak season readiness"},
        **HTMX,
    )

    assert response.status_code == 200
    assert response.content.decode().count('class="card agenda-item') == 1
    assert running.agenda.filter(kind=AgendaKind.MANUAL, title="Peak season readiness").exists()


def test_late_roadmap_milestones_land_on_the_agenda(client_for, cco, series, department_b):
    today = timezone.localdate()
    initiative = InitiativeFactory(department=department_b, title="Self-service billing")
    MilestoneFactory(initiative=initiative, title="Beta live", due_date=today - timedelta(days=3))
    MilestoneFactory(initiative=initiative, title="Far away", due_date=today + timedelta(days=90))
    meeting = MeetingFactory(series=series)

    client_for(cco).post(reverse("accountability:meeting-open", args=[meeting.pk]))

    milestones = meeting.agenda.filter(kind=AgendaKind.MILESTONE)
    assert [(m.title, m.department) for m in milestones] == [
        ("Self-service billing: Beta live", department_b)
    ]


def test_resolving_an_issue_on_the_page_without_a_plan_names_the_missing_fields(
    client_for, head_a, department_a
):
    issue = CXIssueFactory(department=department_a)
    client = client_for(head_a)
    before = stored()

    response = client.post(
        reverse("accountability:issue-detail", args=[issue.pk]),
        {
            "status": CXIssueStatus.RESOLVED,
            "root_cause": "Rota gap",
            "remediation_plan": "",
            "version": 1,
        },
    )

    assert response.status_code == 400
    assert "cannot be resolved without a remediation plan" in response.content.decode()
    assert "Rota gap" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == CXIssueStatus.OPEN and issue.root_cause == ""
    assert stored() == before


def test_my_department_lists_open_items_due_soonest_first(client_for, head_a, department_a):
    today = timezone.localdate()
    ActionItemFactory(department=department_a, title="Later", due=today + timedelta(days=9))
    ActionItemFactory(department=department_a, title="Sooner", due=today + timedelta(days=1))
    ActionItemFactory(
        department=department_a,
        title="Done",
        due=today,
        status=ActionStatus.DONE,
        completed_on=today,
    )

    page = client_for(head_a).get(reverse("accountability:my-department"))

    assert [item.title for item in page.context["items"]] == ["Sooner", "Later"]


def test_the_department_page_shows_the_accountability_section(client_for, executive, department_a):
    ActionItemFactory(department=department_a, title="Answer within a day")
    CXIssueFactory(department=department_a, title="Billing errors")

    page = client_for(executive).get(department_a.get_absolute_url())

    assert b"Answer within a day" in page.content and b"Billing errors" in page.content


def _seed_history(series, cco, departments, meetings):  # type: ignore[no-untyped-def]
    now = timezone.now()
    for week in range(meetings):
        meeting = MeetingFactory(series=series, scheduled_at=now - timedelta(days=7 * (week + 1)))
        services.meeting_open(meeting_id=meeting.pk, actor=cco)
        for department in departments:
            ActionItemFactory(
                department=department,
                meeting=meeting,
                due=timezone.localdate() - timedelta(days=week),
            )
        services.decision_record(meeting_id=meeting.pk, actor=cco, text="Decided")
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED)


@pytest.mark.parametrize("meetings", [2, 8])
def test_the_series_page_costs_the_same_queries_at_any_history_length(
    client_for, cco, series, department_a, department_b, meetings, django_assert_num_queries
):
    _seed_history(series, cco, [department_a, department_b], meetings)
    client = client_for(cco)
    client.get(series.get_absolute_url())

    # session, user, series, attendees, upcoming, history (one aggregate query)
    with django_assert_num_queries(6):
        page = client.get(series.get_absolute_url())
    assert len(page.context["history"]) == meetings


@pytest.mark.parametrize("items", [3, 30])
def test_the_scorecard_and_my_department_cost_the_same_at_any_size(
    client_for, cco, head_a, department_a, department_b, items, django_assert_num_queries
):
    for index in range(items):
        ActionItemFactory(
            department=department_a if index % 2 else department_b,
            due=timezone.localdate() - timedelta(days=index),
        )
    client = client_for(cco)
    client.get(reverse("accountability:scorecard"))
    # ... and two for the follow-up case figures (their counts, then the median time to first
    # contact: both in SQL, so constant in the number of cases; it was one query reading them all);
    # +3: the front line's departments, latest closed pulse round (none here) and blocker counts
    with django_assert_num_queries(11):
        client.get(reverse("accountability:scorecard"))
    head = client_for(head_a)
    # session, user, the head's department, open items, open issues, the header's department,
    # the people who may own a new item, the department's KPIs with their latest values, the
    # KPIs' red/amber/green cut-offs (read once, then cached), the follow-up case figures;
    # +1: the milestones due of the department's initiatives (issue 16), one query at any size;
    # +1: the follow-up figures' median is a query of its own beside their counts
    # +2: the compliments for the reader and the team's latest (one query each at any size)
    with django_assert_num_queries(14):
        page = head.get(reverse("accountability:my-department"))
    assert len(page.context["items"]) == items // 2


def test_the_scorecard_counts_on_time_late_and_overdue_work(client_for, cco, department_a):
    today = timezone.localdate()
    ActionItemFactory(
        department=department_a,
        due=today - timedelta(days=10),
        status=ActionStatus.DONE,
        completed_on=today - timedelta(days=12),
    )
    ActionItemFactory(
        department=department_a,
        due=today - timedelta(days=10),
        status=ActionStatus.DONE,
        completed_on=today - timedelta(days=6),
    )
    ActionItemFactory(department=department_a, due=today - timedelta(days=2))
    ActionItemFactory(department=department_a, due=today + timedelta(days=5))

    page = client_for(cco).get(reverse("accountability:scorecard"))

    row = next(r for r in page.context["rows"] if r.department == department_a)
    assert (row.due_count, row.done_on_time, row.overdue) == (3, 1, 1)
    assert row.on_time_pct == 33.3
    assert row.avg_days_late == 3.0  # (4 days late + 2 days overdue) / 2
    assert page.context["figure"]["data"][0]["x"] == [33.3]


def test_the_calendar_feed_is_valid_ics_reachable_with_the_secret_address(
    client, client_for, head_a, series
):
    MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(days=3))
    subscribe = client_for(head_a).get(reverse("accountability:calendar"))
    feed_url = subscribe.context["feed_url"]
    client.logout()

    response = client.get(feed_url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Customer accountability session" in text
    assert re.search(r"DTSTART:\d{8}T\d{6}Z\r\n", text)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_a_wrong_or_reset_calendar_address_finds_nothing(client, client_for, head_a, series):
    client_for(head_a).get(reverse("accountability:calendar"))
    old = CalendarFeed.objects.get(person=head_a).token
    client_for(head_a).post(reverse("accountability:calendar"))
    client.logout()

    assert client.get(reverse("accountability:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("accountability:calendar-feed", args=["nope"])).status_code == 404


def test_a_department_head_lands_on_a_summary_of_their_department(client_for, head_a, department_a):
    ActionItemFactory(department=department_a, due=timezone.localdate() - timedelta(days=1))

    page = client_for(head_a).get(reverse("accountability:home"))

    assert page.context["my_work"].department == department_a
    assert b"1 overdue" in page.content


def test_saving_on_my_department_returns_the_updated_card_only(client_for, head_a, department_a):
    item = ActionItemFactory(department=department_a, title="Shorter hold times")

    response = client_for(head_a).post(
        reverse("accountability:action-detail", args=[item.pk]),
        {"status": ActionStatus.IN_PROGRESS, "note": "Two agents hired", "version": 1},
        **HTMX,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<article class="card action-item" id="action-{item.pk}">')
    assert "In progress" in body and 'name="version" value="2"' in body
    assert item.events.get(kind="status").note == "Two agents hired"


@pytest.mark.parametrize("issues", [2, 12])
def test_the_run_page_costs_the_same_queries_at_any_agenda_length(
    client_for, cco, series, department_a, department_b, issues, django_assert_num_queries
):
    for index in range(issues):
        CXIssueFactory(department=department_a if index % 2 else department_b)
        ActionItemFactory(department=department_a, due=timezone.localdate() - timedelta(days=1))
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    client = client_for(cco)
    url = reverse("accountability:meeting-run", args=[meeting.pk])
    client.get(url)

    # session, user, meeting, agenda, its issues, its action items, attendance, decisions,
    # new action items, departments, owners
    with django_assert_num_queries(11):
        page = client.get(url)
    shown = sum(len(section.items) for section in page.context["sections"])
    assert shown + page.context["parked_count"] == 2 * issues
