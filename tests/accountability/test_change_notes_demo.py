"""The demo publishes change notes from the resolved CX issue and the delivered initiatives,
under more than one journey and tied to themes; seeding again adds none."""

import pytest

from accountability.models import ChangeNote, CXIssueStatus
from accountability.note_demo import seed_change_notes
from metrics.models import Theme
from roadmap.models import Status
from tests.accountability.factories import CXIssueFactory
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory
from tests.roadmap.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_notes_across_journeys_tied_to_themes(cco, department_a, department_b):
    Theme.objects.create(name="Waiting")
    Theme.objects.create(name="Repeat contact")
    touchpoint = TouchpointFactory(department=department_a)
    TouchpointFactory(department=department_b, stage=JourneyStageFactory())
    issue = CXIssueFactory(
        department=department_a, status=CXIssueStatus.RESOLVED, root_cause="a", remediation_plan="b"
    )
    initiative = InitiativeFactory(department=department_b, status=Status.DONE)
    InitiativeFactory(department=department_b, status=Status.IN_PROGRESS, pillar=initiative.pillar)

    assert seed_change_notes() == 2
    notes = {(note.cx_issue_id, note.initiative_id): note for note in ChangeNote.objects.all()}
    assert set(notes) == {(issue.pk, None), (None, initiative.pk)}
    assert touchpoint in notes[issue.pk, None].touchpoints.all()
    journeys = {tp.stage.journey_id for note in notes.values() for tp in note.touchpoints.all()}
    assert len(journeys) == 2
    assert all(note.themes.exists() for note in notes.values())
    assert seed_change_notes() == 0
    assert ChangeNote.objects.count() == 2
