"""Links that hold: a decision or action item recorded on an agenda item inherits its subject
(CX issue, initiative and milestone, KPI, or the reviewed action item's), and the initiative page
follows the chain back (accountability.services.subjects, roadmap's initiative page)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import ActionItem, AgendaItem, AgendaKind, Decision
from tests.accountability.factories import (
    ActionItemFactory,
    CXIssueFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.metrics.factories import KPIFactory
from tests.roadmap.factories import InitiativeFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cco):
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco, duration_minutes=60))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    return meeting


def on_agenda(meeting, kind, source_id):
    return AgendaItem.objects.create(
        meeting=meeting, kind=kind, source_id=source_id, title="t", planned_minutes=3, order=1
    )


def subject_of(row):
    return {
        "cx_issue_id": row.cx_issue_id,
        "initiative_id": row.initiative_id,
        "milestone_id": row.milestone_id,
        "kpi_id": row.kpi_id,
    }


def record_both(client, meeting, item, department):
    client.post(
        reverse("accountability:decision-add", args=[meeting.pk]),
        {"text": "Decided", "agenda_item": item.pk},
    )
    client.post(
        reverse("accountability:meeting-action-add", args=[meeting.pk]),
        {
            "title": "Do it",
            "department": department.pk,
            "due": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "agenda_item": item.pk,
        },
    )
    return Decision.objects.get(agenda_item=item), ActionItem.objects.get(title="Do it")


NOTHING = {"cx_issue_id": None, "initiative_id": None, "milestone_id": None, "kpi_id": None}


def test_a_milestone_item_links_the_milestone_and_its_initiative(
    client_for, cco, meeting, department_a
):
    milestone = MilestoneFactory(initiative=InitiativeFactory(department=department_a))
    item = on_agenda(meeting, AgendaKind.MILESTONE, milestone.pk)

    decision, action = record_both(client_for(cco), meeting, item, department_a)

    expected = {**NOTHING, "initiative_id": milestone.initiative_id, "milestone_id": milestone.pk}
    assert subject_of(decision) == expected and subject_of(action) == expected


def test_a_kpi_item_links_the_kpi(client_for, cco, meeting, department_a):
    kpi = KPIFactory(department=department_a)
    item = on_agenda(meeting, AgendaKind.KPI, kpi.pk)

    decision, action = record_both(client_for(cco), meeting, item, department_a)

    assert subject_of(decision) == subject_of(action) == {**NOTHING, "kpi_id": kpi.pk}


def test_a_cx_issue_item_links_the_issue(client_for, cco, meeting, department_a):
    issue = CXIssueFactory(department=department_a)
    item = on_agenda(meeting, AgendaKind.CX_ISSUE, issue.pk)

    decision, action = record_both(client_for(cco), meeting, item, department_a)

    assert subject_of(decision) == subject_of(action) == {**NOTHING, "cx_issue_id": issue.pk}


def test_a_reviewed_action_item_passes_on_what_it_is_about(client_for, cco, meeting, department_a):
    milestone = MilestoneFactory(initiative=InitiativeFactory(department=department_a))
    reviewed = ActionItemFactory(
        department=department_a,
        title="Reviewed",
        initiative=milestone.initiative,
        milestone=milestone,
    )
    item = on_agenda(meeting, AgendaKind.ACTION_ITEM, reviewed.pk)

    decision, action = record_both(client_for(cco), meeting, item, department_a)

    expected = {**NOTHING, "initiative_id": milestone.initiative_id, "milestone_id": milestone.pk}
    assert subject_of(decision) == expected and subject_of(action) == expected


def test_gone_sources_and_items_by_hand_link_nothing(meeting):
    assert services.agenda_item_subject(on_agenda(meeting, AgendaKind.MILESTONE, 999999)) == {}
    assert services.agenda_item_subject(on_agenda(meeting, AgendaKind.KPI, 999999)) == {}
    assert services.agenda_item_subject(on_agenda(meeting, AgendaKind.ACTION_ITEM, 999999)) == {}
    assert services.agenda_item_subject(on_agenda(meeting, AgendaKind.MANUAL, None)) == {}


def test_the_initiative_page_follows_the_chain_to_the_weekly_work(
    client_for, cco, head_b, meeting, department_a
):
    initiative = InitiativeFactory(department=department_a)
    milestone = MilestoneFactory(initiative=initiative, title="Pilot live")
    item = on_agenda(meeting, AgendaKind.MILESTONE, milestone.pk)
    record_both(client_for(cco), meeting, item, department_a)
    ActionItemFactory(department=department_a, title="Whole-plan task", initiative=initiative)

    for person in (cco, head_b):  # anyone who may read the initiative sees the chain
        html = client_for(person).get(initiative.get_absolute_url()).content.decode()
        row = html.split(f'id="milestone-{milestone.pk}"', 1)[1].split("</li>\n</ul>", 1)[0]
        assert "Action item: <a" in row and ">Do it</a>" in row
        assert "Decision: Decided" in row
        work = html.split('id="initiative-work"', 1)[1].split("</section>", 1)[0]
        assert ">Whole-plan task</a>" in work and "Do it" not in work

    action = ActionItem.objects.get(title="Do it")
    page = client_for(cco).get(action.get_absolute_url()).content.decode()
    assert f'href="{initiative.get_absolute_url()}#milestone-{milestone.pk}"' in page
