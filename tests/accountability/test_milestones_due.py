"""A department head's week lists the milestones due of the initiatives the department owns:
late ones and those due from today through the 13th day after it (roadmap.selectors)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.selectors import milestones_due
from tests.roadmap.factories import InitiativeFactory, MilestoneFactory, PillarFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(("days", "listed"), [(-3, True), (0, True), (13, True), (14, False)])
def test_milestones_due_run_through_the_thirteenth_day_and_keep_the_late_ones(
    department_a, days, listed
):
    initiative = InitiativeFactory(department=department_a)
    milestone = MilestoneFactory(initiative=initiative, due_date=TODAY + timedelta(days))

    assert (milestone in milestones_due(department_id=department_a.pk, on=TODAY)) is listed


def test_done_milestones_closed_initiatives_and_other_departments_are_left_out(
    department_a, department_b
):
    pillar = PillarFactory()  # one roadmap for the three initiatives
    ours = InitiativeFactory(pillar=pillar, department=department_a)
    MilestoneFactory(initiative=ours, title="Done", due_date=TODAY, done_date=TODAY)
    MilestoneFactory(
        initiative=InitiativeFactory(pillar=pillar, department=department_a, status="dropped"),
        title="Dropped",
        due_date=TODAY,
    )
    MilestoneFactory(
        initiative=InitiativeFactory(pillar=pillar, department=department_b),
        title="Theirs",
        due_date=TODAY,
    )
    later = MilestoneFactory(initiative=ours, title="B", due_date=TODAY + timedelta(5))
    sooner = MilestoneFactory(initiative=ours, title="A", due_date=TODAY + timedelta(1))

    assert milestones_due(department_id=department_a.pk, on=TODAY) == [sooner, later]


def test_the_heads_page_lists_them_with_a_link_to_the_initiative(client_for, head_a, department_a):
    today = timezone.localdate()
    initiative = InitiativeFactory(department=department_a, title="Self-service refunds")
    late = MilestoneFactory(initiative=initiative, title="Pilot", due_date=today - timedelta(2))
    MilestoneFactory(initiative=initiative, title="Far away", due_date=today + timedelta(30))

    html = client_for(head_a).get(reverse("accountability:my-department")).content.decode()

    section = html.split('id="milestones-due"', 1)[1].split("</section>", 1)[0]
    assert f'href="{initiative.get_absolute_url()}#milestone-{late.pk}">Pilot</a>' in section
    assert "Self-service refunds" in section and "late</span>" in section
    assert "Far away" not in section
