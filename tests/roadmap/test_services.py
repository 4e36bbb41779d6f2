"""The plan's rules, each refused with a clear message and nothing saved."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from roadmap import services
from roadmap.models import Dependency, Initiative, InitiativeUpdate, Milestone, Roadmap
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import (
    DependencyFactory,
    ExpectedResultFactory,
    InitiativeFactory,
    MilestoneFactory,
    PillarFactory,
    RoadmapFactory,
    this_year,
)

pytestmark = pytest.mark.django_db


def test_the_cco_adds_an_initiative_and_its_creation_is_recorded(cco, department_a):
    pillar = PillarFactory()
    initiative = services.initiative_create(
        actor=cco,
        pillar=pillar,
        title="Fix the first call",
        department=department_a,
        start_date=date(this_year(), 3, 1),
        end_date=date(this_year() + 1, 6, 30),
    )
    assert initiative.updates.get().summary.startswith("Created")


def test_an_initiative_must_end_after_it_starts(cco, department_a):
    pillar = PillarFactory()
    with pytest.raises(ValidationError) as caught:
        services.initiative_create(
            actor=cco,
            pillar=pillar,
            title="Backwards",
            department=department_a,
            start_date=date(this_year(), 6, 1),
            end_date=date(this_year(), 5, 1),
        )
    assert "must be after the start date" in caught.value.message_dict["end_date"][0]
    assert not Initiative.objects.exists()


def test_an_initiative_must_fit_inside_the_roadmap(cco, department_a):
    pillar = PillarFactory()
    roadmap = pillar.roadmap
    with pytest.raises(ValidationError) as caught:
        services.initiative_create(
            actor=cco,
            pillar=pillar,
            title="Too long",
            department=department_a,
            start_date=date(this_year(), 1, 1),
            end_date=date(roadmap.end_year + 1, 3, 1),
        )
    assert f"{roadmap.start_year}–{roadmap.end_year}" in caught.value.message_dict["end_date"][0]
    assert not Initiative.objects.exists()


def test_a_milestone_must_fall_inside_its_initiative(cco):
    initiative = InitiativeFactory()
    milestone = Milestone(
        initiative=initiative, title="Late", due_date=initiative.end_date + timedelta(days=1)
    )
    with pytest.raises(ValidationError) as caught:
        services.milestone_save(actor=cco, milestone=milestone)
    assert "must fall inside the initiative" in caught.value.message_dict["due_date"][0]
    assert not Milestone.objects.exists()


def test_moving_an_initiatives_end_before_a_milestone_is_refused_naming_it(cco):
    initiative = InitiativeFactory()
    MilestoneFactory(initiative=initiative, title="Launch", due_date=initiative.end_date)
    with pytest.raises(ValidationError) as caught:
        services.initiative_update(
            actor=cco,
            initiative=initiative,
            changes={"end_date": initiative.end_date - timedelta(days=60)},
        )
    assert "Launch" in caught.value.message_dict["end_date"][0]
    initiative.refresh_from_db()
    assert initiative.end_date == date(this_year() + 1, 12, 31)


def test_an_initiative_cannot_move_to_in_progress_without_an_expected_result(cco):
    initiative = InitiativeFactory(status="planned")
    with pytest.raises(ValidationError) as caught:
        services.initiative_update(
            actor=cco, initiative=initiative, changes={"status": "in_progress"}
        )
    assert "expected result" in caught.value.message_dict["status"][0]
    initiative.refresh_from_db()
    assert initiative.status == "planned"
    assert not initiative.updates.exists()


def test_with_an_expected_result_the_initiative_moves_to_in_progress_and_history_says_so(cco):
    initiative = InitiativeFactory(status="planned")
    ExpectedResultFactory(initiative=initiative)
    services.initiative_update(actor=cco, initiative=initiative, changes={"status": "in_progress"})
    initiative.refresh_from_db()
    assert initiative.status == "in_progress"
    assert initiative.updates.get().summary == "Status Planned → In progress"
    assert initiative.updates.get().author == cco


def test_a_dependency_that_would_make_a_cycle_is_refused_naming_the_cycle(cco):
    pillar = PillarFactory()
    a = InitiativeFactory(pillar=pillar, title="Customer data platform")
    b = InitiativeFactory(pillar=pillar, title="Next best action")
    c = InitiativeFactory(pillar=pillar, title="Personalised journeys")
    DependencyFactory(initiative=b, depends_on=a)
    DependencyFactory(initiative=c, depends_on=b)
    with pytest.raises(ValidationError) as caught:
        services.dependency_add(actor=cco, initiative=a, depends_on=c)
    message = caught.value.message_dict["depends_on"][0]
    assert (
        "“Customer data platform” → “Personalised journeys” → “Next best action” → "
        "“Customer data platform”"
    ) in message
    assert Dependency.objects.count() == 2


def test_a_dependency_without_a_cycle_is_recorded(cco):
    pillar = PillarFactory()
    a, b = InitiativeFactory(pillar=pillar), InitiativeFactory(pillar=pillar)
    services.dependency_add(actor=cco, initiative=b, depends_on=a)
    assert list(b.depends_on.all()) == [a]


def test_an_expected_result_must_name_an_existing_scope(cco):
    initiative = InitiativeFactory()
    result = ExpectedResultFactory.build(initiative=initiative, scope="touchpoint", scope_id=9999)
    with pytest.raises(ValidationError) as caught:
        services.expected_result_save(actor=cco, result=result)
    assert "no touch point with id 9999" in caught.value.message_dict["scope_id"][0]


def test_an_expected_result_on_a_touch_point_is_labelled_by_its_name(cco):
    touchpoint = TouchpointFactory(name="Phone support")
    result = ExpectedResultFactory.build(
        initiative=InitiativeFactory(), scope="touchpoint", scope_id=touchpoint.pk
    )
    services.expected_result_save(actor=cco, result=result)
    assert result.scope_label == "Touch point: Phone support"


def test_an_expected_result_must_be_on_the_metrics_scale(cco):
    result = ExpectedResultFactory.build(initiative=InitiativeFactory(), metric="ces", target=9)
    with pytest.raises(ValidationError) as caught:
        services.expected_result_save(actor=cco, result=result)
    assert "CES runs from 1 to 7" in caught.value.message_dict["baseline"][0]


def test_a_department_head_updates_progress_and_notes_of_their_own_initiative(head_a):
    initiative = InitiativeFactory(department=head_a.department)
    services.initiative_update(
        actor=head_a,
        initiative=initiative,
        changes={"progress": 40, "notes": "Pilot in two regions"},
        note="Pilot started",
    )
    initiative.refresh_from_db()
    assert initiative.progress == 40
    update = InitiativeUpdate.objects.get(initiative=initiative)
    assert update.note == "Pilot started"
    assert update.summary == "Progress rolled up from milestones → 40%; notes updated"


def test_a_department_head_cannot_change_the_dates_of_their_own_initiative(head_a):
    initiative = InitiativeFactory(department=head_a.department)
    with pytest.raises(PermissionDenied, match="progress and notes only"):
        services.initiative_update(
            actor=head_a,
            initiative=initiative,
            changes={"end_date": initiative.end_date - timedelta(days=1)},
        )


def test_a_department_head_cannot_update_another_departments_initiative(head_b, department_a):
    initiative = InitiativeFactory(department=department_a)
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=head_b, initiative=initiative, changes={"progress": 5})


def test_ticking_a_milestone_records_today_and_who(head_a):
    milestone = MilestoneFactory(initiative=InitiativeFactory(department=head_a.department))
    services.milestone_set_done(actor=head_a, milestone=milestone, done=True)
    milestone.refresh_from_db()
    assert milestone.done_date == timezone.localdate()
    assert "done" in milestone.initiative.updates.get().summary


def test_marking_a_roadmap_current_unmarks_the_previous_one(cco):
    old = RoadmapFactory(name="Old plan")
    new = Roadmap(
        name="New plan", start_year=this_year(), end_year=this_year() + 4, is_current=True
    )
    services.roadmap_save(actor=cco, roadmap=new)
    old.refresh_from_db()
    assert not old.is_current
    assert Roadmap.objects.get(is_current=True) == new


def test_a_roadmap_cannot_shrink_past_its_initiatives(cco):
    initiative = InitiativeFactory()
    roadmap = initiative.pillar.roadmap
    roadmap.end_year = this_year()
    with pytest.raises(ValidationError) as caught:
        services.roadmap_save(actor=cco, roadmap=roadmap)
    assert initiative.title in caught.value.message_dict["start_year"][0]


def test_the_only_expected_result_of_an_initiative_in_progress_cannot_be_removed(cco):
    result = ExpectedResultFactory()
    Initiative.objects.filter(pk=result.initiative_id).update(status="in_progress")
    result.initiative.refresh_from_db()
    with pytest.raises(ValidationError, match="only expected result"):
        services.expected_result_delete(actor=cco, result=result)
