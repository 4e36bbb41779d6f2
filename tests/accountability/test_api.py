"""The accountability API: filters, creation through the services, meeting actions, schema."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accountability.models import ActionItem, AgendaKind, CXIssue, Meeting, MeetingStatus
from tests.accountability.factories import (
    ActionItemFactory,
    BreachFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def test_overdue_filter_lists_only_open_items_past_due(api_for, executive, department_a):
    today = timezone.localdate()
    late = ActionItemFactory(department=department_a, due=today - timedelta(days=1))
    ActionItemFactory(department=department_a, due=today + timedelta(days=1))

    response = api_for(executive).get("/api/action-items/", {"overdue": "true"})

    assert [row["id"] for row in response.json()["results"]] == [late.pk]
    assert response.json()["results"][0]["overdue"] is True


def test_creating_an_item_writes_its_history(api_for, head_a, department_a):
    response = api_for(head_a).post(
        "/api/action-items/",
        {
            "title": "Answer in a day",
            "department": department_a.pk,
            "owner_person": head_a.pk,
            "due": str(timezone.localdate()),
        },
        format="json",
    )

    assert response.status_code == 201
    history = api_for(head_a).get(f"/api/action-items/{response.json()['id']}/history/")
    assert [event["kind"] for event in history.json()] == ["created"]


def test_an_owner_outside_the_department_is_refused_by_field(api_for, cco, head_b, department_a):
    response = api_for(cco).post(
        "/api/action-items/",
        {
            "title": "X",
            "department": department_a.pk,
            "owner_person": head_b.pk,
            "due": str(timezone.localdate()),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "owner_person" in response.json()
    assert not ActionItem.objects.exists()


def test_resolving_without_a_plan_is_refused_by_field(api_for, cco, department_a):
    issue = (
        api_for(cco)
        .post(
            "/api/cx-issues/",
            {"title": "Double charges", "department": department_a.pk},
            format="json",
        )
        .json()
    )

    response = api_for(cco).patch(
        f"/api/cx-issues/{issue['id']}/", {"status": "resolved", "version": 1}, format="json"
    )

    assert response.status_code == 400
    stored = CXIssue.objects.get(pk=issue["id"])
    assert (stored.status, stored.version, stored.events.count()) == ("open", 1, 1)
    assert set(response.json()) == {"root_cause", "remediation_plan"}


def test_opening_and_closing_a_meeting_through_the_api(
    api_for, cco, head_a, department_a, django_capture_on_commit_callbacks
):
    series = MeetingSeriesFactory(chair=cco)
    series.attendees.set([head_a])
    BreachFactory(touchpoint=TouchpointFactory(department=department_a))
    meeting = MeetingFactory(series=series)
    api = api_for(cco)

    opened = api.post(f"/api/meetings/{meeting.pk}/open/")
    agenda = api.get("/api/agenda-items/", {"meeting": meeting.pk})
    rated = api.post(
        f"/api/meetings/{meeting.pk}/attendance/",
        {"person": head_a.pk, "present": True, "rating": 7},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        closed = api.post(f"/api/meetings/{meeting.pk}/close/", {"summary": "ok"}, format="json")

    assert opened.json()["status"] == MeetingStatus.IN_PROGRESS
    assert [row["kind"] for row in agenda.json()["results"]] == [AgendaKind.CX_ISSUE]
    assert rated.json()["rating"] == 7
    assert closed.json()["status"] == MeetingStatus.CLOSED
    assert len(mail.outbox) == 2
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count() == 1


def test_a_department_head_cannot_open_a_meeting(api_for, cco, head_a):
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco))

    assert api_for(head_a).post(f"/api/meetings/{meeting.pk}/open/").status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_the_cco_creates_a_series_and_its_first_meeting_is_scheduled(api_for, cco, head_a):
    response = api_for(cco).post(
        "/api/meeting-series/",
        {
            "name": "Weekly accountability",
            "cadence": "weekly",
            "weekday": 1,
            "start_time": "09:30",
            "attendees": [head_a.pk],
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["chair"] == cco.pk
    upcoming = Meeting.objects.get(series_id=response.json()["id"])
    assert timezone.localtime(upcoming.scheduled_at).weekday() == 1
    assert upcoming.scheduled_at > timezone.now()


def test_the_scorecard_endpoint_reads_for_executives(api_for, executive, department_a):
    response = api_for(executive).get("/api/accountability-scorecard/")

    assert response.status_code == 200
    assert response.json()[0]["department_name"] == "Customer service"
