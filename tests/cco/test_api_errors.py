"""The API's one exception handler: every service refusal is worded the same way.

A delete blocked by dependents is a 409 naming them (it used to be a server error); a service's
validation error is a 400 by field; a stale version is a 409 naming who changed the object; a
refused permission is a 403 carrying the service's reason.
"""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import RestrictedError

from cco.api_errors import exception_handler
from cco.errors import VersionConflict
from cco.models import Department
from metrics.models import Journey
from roadmap.models import Pillar
from tests.accountability.factories import ActionItemFactory, CXIssueFactory
from tests.factories import DepartmentFactory
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory
from tests.roadmap.factories import InitiativeFactory, PillarFactory


@pytest.mark.django_db
def test_deleting_a_department_others_depend_on_is_refused_naming_them(api_for, cco, department_a):
    DepartmentFactory(name="Complaints desk", slug="complaints", parent=department_a)
    TouchpointFactory(name="Call centre", department=department_a)
    for title in ("Call back in a day", "Answer emails in an hour"):
        ActionItemFactory(department=department_a, title=title)
    CXIssueFactory(department=department_a, title="Long waits on the phone")

    response = api_for(cco).delete(f"/api/departments/{department_a.pk}/")

    assert response.status_code == 409
    body = response.json()
    names = {row["kind"]: (row["count"], row["names"]) for row in body["dependents"]}
    assert names["action items"] == (2, ["Call back in a day", "Answer emails in an hour"])
    assert names["CX issue"] == (1, ["Long waits on the phone"])
    assert names["department"] == (1, ["Complaints desk"])
    assert names["touchpoint"] == (1, ["Call centre"])
    assert body["detail"].startswith("This department cannot be deleted")
    assert "Call centre" in body["detail"] and "Complaints desk" in body["detail"]
    assert Department.objects.filter(pk=department_a.pk).exists()


@pytest.mark.django_db
def test_deleting_a_journey_whose_stages_hold_touch_points_is_refused_naming_them(api_for, cco):
    stage = JourneyStageFactory()
    TouchpointFactory(stage=stage, name="Checkout page")

    response = api_for(cco).delete(f"/api/journeys/{stage.journey_id}/")

    assert response.status_code == 409
    assert response.json()["dependents"] == [
        {"kind": "touchpoint", "count": 1, "names": ["Checkout page"]}
    ]
    assert response.json()["detail"].startswith("This journey cannot be deleted")
    assert Journey.objects.filter(pk=stage.journey_id).exists()


@pytest.mark.django_db
def test_deleting_a_pillar_with_initiatives_is_refused_naming_them(api_for, cco):
    pillar = PillarFactory()
    InitiativeFactory(pillar=pillar, title="One number for every customer")

    response = api_for(cco).delete(f"/api/pillars/{pillar.pk}/")

    assert response.status_code == 409
    assert response.json()["dependents"] == [
        {"kind": "initiative", "count": 1, "names": ["One number for every customer"]}
    ]
    assert Pillar.objects.filter(pk=pillar.pk).exists()


@pytest.mark.django_db
def test_a_refused_delete_names_a_few_of_many_dependents_and_counts_them_all(api_for, cco):
    pillar = PillarFactory()
    for number in range(7):
        InitiativeFactory(pillar=pillar, title=f"Initiative {number}")

    body = api_for(cco).delete(f"/api/pillars/{pillar.pk}/").json()

    assert body["dependents"][0]["count"] == 7
    assert body["dependents"][0]["names"] == [f"Initiative {number}" for number in range(5)]
    assert (
        "7 initiatives (Initiative 0, Initiative 1, Initiative 2, Initiative 3, Initiative 4, …)"
        in body["detail"]
    )


@pytest.mark.django_db
def test_deleting_what_nothing_depends_on_still_deletes_it(api_for, cco):
    pillar = PillarFactory()

    assert api_for(cco).delete(f"/api/pillars/{pillar.pk}/").status_code == 204
    assert not Pillar.objects.filter(pk=pillar.pk).exists()


def test_a_service_validation_error_is_a_400_by_field():
    response = exception_handler(
        DjangoValidationError({"title": "Say what has to be done.", "due": "Pick a date."}), {}
    )

    assert response is not None and response.status_code == 400
    assert response.data == {"title": ["Say what has to be done."], "due": ["Pick a date."]}


def test_a_validation_error_naming_no_field_is_a_400_above_the_fields():
    response = exception_handler(DjangoValidationError("The meeting is closed."), {})

    assert response is not None and response.status_code == 400
    assert response.data == {"non_field_errors": ["The meeting is closed."]}


def test_a_stale_version_is_a_409_naming_who_changed_it_when_and_the_version_to_retry_on():
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    conflict = VersionConflict(
        what="action item", changed_by="Ada Lovelace", changed_at=at, version=4
    )

    response = exception_handler(conflict, {})

    assert response is not None and response.status_code == 409
    assert response.data == {
        "detail": str(conflict),
        "changed_by": "Ada Lovelace",
        "changed_at": "2026-03-02T09:30:00+00:00",
        "current_version": 4,
    }
    assert "changed by Ada Lovelace" in response.data["detail"]


def test_a_service_refusing_permission_is_a_403_with_its_reason():
    response = exception_handler(PermissionDenied("You may not do this (manage product)."), {})

    assert response is not None and response.status_code == 403
    assert response.data == {"detail": "You may not do this (manage product)."}


@pytest.mark.django_db
def test_a_restricted_delete_is_a_409_naming_the_dependents_like_a_protected_one():
    department = DepartmentFactory(name="Stores")
    error = RestrictedError("restricted", {department})

    response = exception_handler(error, {})

    assert response is not None and response.status_code == 409
    assert response.data["dependents"] == [{"kind": "department", "count": 1, "names": ["Stores"]}]
    assert response.data["detail"].startswith("This record cannot be deleted")


def test_the_schema_documents_the_409_wherever_dependents_can_block_a_delete():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    deletes = {
        path: set(operations["delete"]["responses"])
        for path, operations in schema["paths"].items()
        if "delete" in operations
    }

    # Every operation documents 400, 401, 403 and 404 on a detail route (cco.api_errors.AutoSchema).
    refusals = {"400", "401", "403", "404"}
    assert deletes["/api/departments/{id}/"] == {"204", "409", *refusals}
    # A journey's stages go with it, and their touch points protect them.
    assert deletes["/api/journeys/{id}/"] == {"204", "409", *refusals}
    assert deletes["/api/pillars/{id}/"] == {"204", "409", *refusals}
    assert deletes["/api/milestones/{id}/"] == {"204", *refusals}
