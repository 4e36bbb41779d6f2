"""The admin keeps the roadmap's rules too."""

from datetime import timedelta

import pytest
from django.urls import reverse

from roadmap.models import Dependency, Milestone
from tests.roadmap.factories import (
    DependencyFactory,
    ExpectedResultFactory,
    InitiativeFactory,
    MilestoneFactory,
    PillarFactory,
)

pytestmark = pytest.mark.django_db


def test_every_roadmap_model_has_an_admin_list(client_for, admin):
    ExpectedResultFactory()
    client = client_for(admin)
    for model in ("roadmap", "pillar", "initiative", "milestone", "dependency", "expectedresult",
                  "initiativeupdate"):  # fmt: skip
        assert client.get(reverse(f"admin:roadmap_{model}_changelist")).status_code == 200, model


def test_the_admin_refuses_a_milestone_outside_its_initiative(client_for, admin):
    milestone = MilestoneFactory()
    initiative = milestone.initiative
    response = client_for(admin).post(
        reverse("admin:roadmap_milestone_change", args=[milestone.pk]),
        {
            "initiative": initiative.pk,
            "title": milestone.title,
            "due_date": (initiative.end_date + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "must fall inside the initiative" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.due_date == initiative.end_date


def test_the_admin_refuses_a_dependency_cycle(client_for, admin):
    pillar = PillarFactory()
    a = InitiativeFactory(pillar=pillar, title="Alpha")
    b = InitiativeFactory(pillar=pillar, title="Beta")
    DependencyFactory(initiative=b, depends_on=a)
    response = client_for(admin).post(
        reverse("admin:roadmap_dependency_add"), {"initiative": a.pk, "depends_on": b.pk}
    )
    assert "would make a cycle" in response.content.decode()
    assert Dependency.objects.count() == 1
    assert Milestone.objects.count() == 0
