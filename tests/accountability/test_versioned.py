"""One versioned update serves action items and CX issues: the same rules hold for both."""

from unittest import mock

import pytest
from django.urls import reverse

from accountability import services
from accountability.models import ActionItemEvent, ActionStatus, CXIssueEvent, CXIssueStatus
from accountability.services.versioned import versioned_update
from cco.errors import VersionConflict
from tests.accountability.factories import ActionItemFactory, CXIssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["action item", "CX issue"])
def versioned(request, department_a):  # type: ignore[no-untyped-def]
    """An action item or a CX issue, as a service reads it before saving."""
    factory = ActionItemFactory if request.param == "action item" else CXIssueFactory
    return factory(department=department_a)


def test_a_status_change_bumps_the_version_and_writes_one_history_row(versioned, head_a):
    obj = versioned
    moved_to = ActionStatus.BLOCKED if hasattr(obj, "completed_on") else CXIssueStatus.PLAN_AGREED

    written = versioned_update(
        obj=obj,
        actor=head_a,
        expected_version=1,
        changes={"status": moved_to},
        note="Waiting on IT",
    )

    assert written is True
    obj.refresh_from_db()
    assert (obj.version, obj.status) == (2, moved_to)
    event = obj.events.get()
    assert (event.kind, event.from_status, event.to_status, event.note, event.actor) == (
        "status",
        "open",
        moved_to,
        "Waiting on IT",
        head_a,
    )


def test_a_note_alone_is_a_write_and_an_edit_is_worded_in_its_own_row(versioned, head_a):
    obj = versioned

    versioned_update(
        obj=obj,
        actor=head_a,
        expected_version=1,
        changes={"title": "Renamed"},
        note="Called the supplier",
        edited="title → Renamed",
    )

    assert [(e.kind, e.note) for e in obj.events.order_by("pk")] == [
        ("note", "Called the supplier"),
        ("edited", "title → Renamed"),
    ]
    obj.refresh_from_db()
    assert (obj.version, obj.title) == (2, "Renamed")


def test_nothing_to_write_writes_nothing(versioned, head_a):
    obj = versioned

    assert versioned_update(obj=obj, actor=head_a, expected_version=1, changes={}) is False
    obj.refresh_from_db()
    assert obj.version == 1 and not obj.events.exists()


def test_a_stale_version_is_refused_naming_the_last_person_who_changed_it(versioned, head_a, cco):
    obj = versioned
    versioned_update(obj=obj, actor=cco, expected_version=1, changes={}, note="First")

    with pytest.raises(VersionConflict) as refused:
        versioned_update(obj=obj, actor=head_a, expected_version=1, changes={}, note="Second")

    assert refused.value.changed_by == str(cco)
    assert refused.value.current_version == 2
    assert str(refused.value).startswith(f"This {obj._meta.verbose_name} was changed by {cco}")
    assert list(obj.events.values_list("note", flat=True)) == ["First"]


def test_a_stale_version_with_nothing_to_write_is_still_refused(versioned, head_a, cco):
    obj = versioned
    versioned_update(obj=obj, actor=cco, expected_version=1, changes={}, note="First")
    obj.refresh_from_db()

    with pytest.raises(VersionConflict):
        versioned_update(obj=obj, actor=head_a, expected_version=1, changes={})


@pytest.mark.parametrize(
    "history, save",
    [
        (
            ActionItemEvent,
            lambda obj, actor: services.action_item_update(
                item_id=obj.pk, actor=actor, expected_version=1, status=ActionStatus.DONE
            ),
        ),
        (
            CXIssueEvent,
            lambda obj, actor: services.cx_issue_update(
                issue_id=obj.pk, actor=actor, expected_version=1, root_cause="Staffing"
            ),
        ),
    ],
    ids=["action item", "CX issue"],
)
def test_a_change_whose_history_cannot_be_written_is_not_saved(department_a, cco, history, save):
    obj = (ActionItemFactory if history is ActionItemEvent else CXIssueFactory)(
        department=department_a
    )

    with (
        mock.patch.object(history, "save", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        save(obj, cco)

    obj.refresh_from_db()
    assert (obj.version, obj.status) == (1, "open")
    assert getattr(obj, "root_cause", "") == ""
    assert not obj.events.exists()


def test_the_issue_page_answers_409_and_keeps_the_persons_text(
    client_for, department_a, head_a, cco
):
    issue = CXIssueFactory(department=department_a)
    services.cx_issue_update(issue_id=issue.pk, actor=cco, expected_version=1, root_cause="A")

    response = client_for(head_a).post(
        reverse("accountability:issue-detail", args=[issue.pk]),
        {
            "status": "open",
            "root_cause": "Tooling",
            "remediation_plan": "",
            "note": "",
            "version": 1,
        },
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert f"changed by {cco}" in body
    assert "Tooling" in body
    assert 'name="version" value="2"' in body
    issue.refresh_from_db()
    assert issue.root_cause == "A"
