"""Bugs met with the demo data: system actors in history, past due dates, and decisions and
actions on a roadmap milestone's agenda item."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability import services
from accountability.models import ActionItem, AgendaItem, AgendaKind, Decision
from tests.accountability.factories import BreachFactory, MeetingFactory, MeetingSeriesFactory
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def test_the_history_api_names_no_one_for_an_issue_the_system_raised(api_for, cco, department_a):
    BreachFactory(touchpoint=TouchpointFactory(department=department_a))
    [issue] = services.cx_issues_raise_from_breaches()

    response = api_for(cco).get(f"/api/cx-issues/{issue.pk}/history/")

    assert response.status_code == 200
    assert [event["actor"] for event in response.json()] == [None]


def test_an_action_item_due_yesterday_is_refused_through_the_api(api_for, cco, department_a):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = api_for(cco).post(
        "/api/action-items/",
        {"title": "Late already", "department": department_a.pk, "due": str(yesterday)},
        format="json",
    )

    assert response.status_code == 400
    assert "due" in str(response.json())
    assert not ActionItem.objects.exists()


def test_an_action_item_due_today_is_accepted_through_the_api(api_for, cco, department_a):
    response = api_for(cco).post(
        "/api/action-items/",
        {"title": "Today", "department": department_a.pk, "due": str(timezone.localdate())},
        format="json",
    )
    assert response.status_code == 201


def test_an_action_item_due_in_2020_is_refused_on_the_page(client_for, cco, department_a):
    response = client_for(cco).post(
        "/accountability/actions/new/",
        {"title": "Old", "department": department_a.pk, "due": "2020-03-01"},
    )

    assert "The due date cannot be before today" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_a_decision_and_an_action_on_a_milestone_item_belong_to_its_initiative(
    client_for, cco, department_a
):
    milestone = MilestoneFactory()
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    item = AgendaItem.objects.create(
        meeting=meeting, kind=AgendaKind.MILESTONE, source_id=milestone.pk, title="Pilot"
    )

    decision = services.decision_record(
        meeting_id=meeting.pk, actor=cco, text="Move the pilot", agenda_item_id=item.pk
    )
    client_for(cco).post(
        f"/accountability/meetings/{meeting.pk}/actions/",
        {
            "title": "Re-plan the pilot",
            "department": department_a.pk,
            "due": str(timezone.localdate() + timedelta(days=7)),
            "agenda_item": item.pk,
        },
    )

    assert Decision.objects.get(pk=decision.pk).initiative_id == milestone.initiative_id
    assert ActionItem.objects.get().initiative_id == milestone.initiative_id


def test_action_items_filter_by_department_slug_or_id_and_honour_page_size(
    api_for, cco, department_a, department_b
):
    from tests.accountability.factories import ActionItemFactory

    for _ in range(3):
        ActionItemFactory(department=department_a)
    ActionItemFactory(department=department_b)
    client = api_for(cco)

    by_slug = client.get(f"/api/action-items/?department={department_a.slug}")
    by_id = client.get(f"/api/action-items/?department={department_a.pk}")
    paged = client.get("/api/action-items/?page_size=2")
    issues = client.get(f"/api/cx-issues/?department={department_b.slug}")

    assert by_slug.status_code == by_id.status_code == issues.status_code == 200
    assert by_slug.json()["count"] == by_id.json()["count"] == 3
    assert (paged.json()["count"], len(paged.json()["results"])) == (4, 2)
