"""The loop: a breach becomes one CX issue, lands on the agenda, and open items carry over."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accountability import services
from accountability.models import (
    ActionStatus,
    AgendaKind,
    CXIssue,
    CXIssueStatus,
    Meeting,
    MeetingStatus,
)
from metrics.models import Breach
from metrics.signals import breaches_detected
from tests.accountability.factories import (
    ActionItemFactory,
    BreachFactory,
    CXIssueFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.metrics.factories import KPIFactory, KPIObservationFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(cco, head_a, head_b):
    series = MeetingSeriesFactory(chair=cco)
    series.attendees.set([head_a, head_b])
    return series


def test_a_breach_becomes_exactly_one_issue_for_the_touchpoints_department(department_a):
    breach = BreachFactory(touchpoint=TouchpointFactory(department=department_a, name="Call us"))

    first = services.cx_issues_raise_from_breaches()
    again = services.cx_issues_raise_from_breaches()
    services.cx_issues_raise_from_breaches(breach_ids=[breach.pk])

    assert len(first) == 1 and again == []
    issue = CXIssue.objects.get()
    assert issue.breach == breach
    assert issue.department == department_a
    assert issue.title.startswith("Call us: NPS below the floor")
    assert issue.events.count() == 1


def test_the_breach_signal_raises_the_issue_after_commit(
    department_a, django_capture_on_commit_callbacks
):
    breach = BreachFactory(touchpoint=TouchpointFactory(department=department_a))

    with django_capture_on_commit_callbacks(execute=True):
        breaches_detected.send(sender=Breach, breach_ids=[breach.pk])
    with django_capture_on_commit_callbacks(execute=True):
        breaches_detected.send(sender=Breach, breach_ids=[breach.pk])

    assert CXIssue.objects.filter(breach=breach).count() == 1


def test_opening_a_meeting_raises_missed_breaches_and_puts_them_on_the_agenda(
    series, cco, department_a
):
    BreachFactory(touchpoint=TouchpointFactory(department=department_a))
    meeting = MeetingFactory(series=series)

    services.meeting_open(meeting_id=meeting.pk, actor=cco)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS
    issue_items = meeting.agenda.filter(kind=AgendaKind.CX_ISSUE)
    assert issue_items.count() == 1
    assert issue_items.get().department == department_a
    assert issue_items.get().detail == "New since the last meeting"
    assert set(meeting.attendance.values_list("person__username", flat=True)) == {
        "the-cco",
        "head-a",
        "head-b",
    }


def test_the_agenda_lists_issues_red_kpis_and_overdue_items_by_section(
    series, cco, department_a, department_b
):
    today = timezone.localdate()
    ActionItemFactory(department=department_b, title="Refund backlog", due=today - timedelta(3))
    ActionItemFactory(department=department_a, title="Not due yet", due=today + timedelta(20))
    ActionItemFactory(
        department=department_a,
        title="Done already",
        due=today - timedelta(5),
        status=ActionStatus.DONE,
        completed_on=today,
    )
    kpi = KPIFactory(department=department_a, name="First-contact resolution", goal=80)
    KPIObservationFactory(kpi=kpi, week_start=today - timedelta(days=today.weekday() + 7), value=50)
    CXIssueFactory(department=department_a, title="Hold music")
    meeting = MeetingFactory(series=series)

    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)  # topping up never duplicates

    agenda = list(meeting.agenda.order_by("order").values_list("department__name", "title"))
    assert agenda == [
        ("Customer service", "Hold music"),
        ("Customer service", "First-contact resolution is red"),
        ("Billing", "Refund backlog"),
    ]


def test_open_action_items_from_a_meeting_carry_over_until_done(series, cco, department_a):
    first = MeetingFactory(series=series, scheduled_at=timezone.now() - timedelta(days=7))
    services.meeting_open(meeting_id=first.pk, actor=cco)
    kept = services.action_item_create(
        actor=cco,
        title="Call back every complaint",
        department=department_a,
        due=timezone.localdate() + timedelta(days=30),
        meeting=first,
    )
    finished = services.action_item_create(
        actor=cco,
        title="Fix the IVR menu",
        department=department_a,
        due=timezone.localdate() + timedelta(days=30),
        meeting=first,
    )
    services.action_item_update(
        item_id=finished.pk, actor=cco, expected_version=1, status=ActionStatus.DONE
    )
    services.meeting_close(meeting_id=first.pk, actor=cco)

    second = Meeting.objects.get(series=series, status=MeetingStatus.SCHEDULED)
    services.meeting_open(meeting_id=second.pk, actor=cco)

    carried = second.agenda.filter(kind=AgendaKind.ACTION_ITEM)
    assert list(carried.values_list("source_id", flat=True)) == [kept.pk]
    assert carried.get().detail.startswith("Carried over")


def test_undiscussed_hand_added_items_move_to_the_next_meeting(series, cco):
    meeting = MeetingFactory(series=series, scheduled_at=timezone.now() - timedelta(days=1))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    talked = services.agenda_item_add(meeting_id=meeting.pk, actor=cco, title="Peak season plan")
    services.agenda_item_add(meeting_id=meeting.pk, actor=cco, title="Store opening hours")
    services.agenda_item_update(item_id=talked.pk, actor=cco, discussed=True)

    services.meeting_close(meeting_id=meeting.pk, actor=cco)

    following = Meeting.objects.get(series=series, status=MeetingStatus.SCHEDULED)
    assert list(following.agenda.values_list("title", flat=True)) == ["Store opening hours"]
    assert following.scheduled_at > meeting.scheduled_at


def test_closing_sends_the_minutes_to_every_attendee_once(
    series, cco, head_a, department_a, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    services.attendance_mark(
        meeting_id=meeting.pk, actor=cco, person=head_a, present=True, rating=8
    )
    services.decision_record(meeting_id=meeting.pk, actor=cco, text="Hire two more agents")
    services.action_item_create(
        actor=cco,
        title="Post the job ads",
        department=department_a,
        owner_person=head_a,
        due=timezone.localdate() + timedelta(days=7),
        meeting=meeting,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_close(meeting_id=meeting.pk, actor=cco)
    services.minutes_send(meeting_id=meeting.pk)  # a retry sends nothing more

    assert sorted(message.to[0] for message in mail.outbox) == [
        "head-a@example.com",
        "head-b@example.com",
        "the-cco@example.com",
    ]
    body = mail.outbox[0].body
    assert "Hire two more agents" in body
    assert "Post the job ads" in body
    assert "Average rating: 8" in body


def test_an_issue_cannot_be_resolved_without_root_cause_and_plan(cco, department_a):
    issue = CXIssueFactory(department=department_a)

    with pytest.raises(ValidationError) as refused:
        services.cx_issue_update(
            issue_id=issue.pk, actor=cco, expected_version=1, status=CXIssueStatus.RESOLVED
        )

    assert set(refused.value.message_dict) == {"root_cause", "remediation_plan"}
    issue.refresh_from_db()
    assert issue.status == CXIssueStatus.OPEN and issue.version == 1

    resolved = services.cx_issue_update(
        issue_id=issue.pk,
        actor=cco,
        expected_version=1,
        status=CXIssueStatus.RESOLVED,
        root_cause="One agent on nights",
        remediation_plan="Roster a second agent",
    )
    assert resolved.status == CXIssueStatus.RESOLVED and resolved.resolved_at is not None


def test_the_database_refuses_a_resolved_issue_without_a_plan(department_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CXIssueFactory(department=department_a, status=CXIssueStatus.RESOLVED)


def test_a_closed_meeting_refuses_new_decisions(series, cco):
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    services.meeting_close(meeting_id=meeting.pk, actor=cco)

    with pytest.raises(ValidationError, match="closed"):
        services.decision_record(meeting_id=meeting.pk, actor=cco, text="Too late")


def test_a_rating_outside_one_to_ten_is_refused(series, cco, head_a):
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)

    with pytest.raises(ValidationError, match="from 1 to 10"):
        services.attendance_mark(meeting_id=meeting.pk, actor=cco, person=head_a, rating=11)
