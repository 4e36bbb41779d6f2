"""No lost updates: the second of two saves on the same version is refused and told who won."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accountability import services
from accountability.models import ActionItem, ActionStatus, CXIssue
from tests.accountability.factories import ActionItemFactory, CXIssueFactory
from tests.conftest import requires_postgres


@pytest.fixture
def item(department_a, contributor):
    return ActionItemFactory(department=department_a, owner_person=contributor, title="Refunds")


@pytest.mark.django_db
def test_a_stale_save_is_refused_naming_who_changed_it(item, head_a, contributor):
    services.action_item_update(
        item_id=item.pk, actor=head_a, expected_version=1, status=ActionStatus.IN_PROGRESS
    )

    with pytest.raises(services.Conflict) as refused:
        services.action_item_update(
            item_id=item.pk, actor=contributor, expected_version=1, note="My note"
        )

    assert str(head_a) in str(refused.value)
    assert "since you opened it" in str(refused.value)
    item.refresh_from_db()
    assert item.version == 2
    assert list(item.events.values_list("kind", flat=True)) == ["status"]


@pytest.mark.django_db
def test_the_page_answers_409_and_keeps_the_persons_note(client_for, item, head_a, contributor):
    services.action_item_update(
        item_id=item.pk,
        actor=head_a,
        expected_version=1,
        status=ActionStatus.BLOCKED,
        note="Waiting on IT",
    )

    response = client_for(contributor).post(
        reverse("accountability:action-detail", args=[item.pk]),
        {"status": ActionStatus.DONE, "note": "All refunds sent", "version": 1},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert f"changed by {head_a}" in body
    assert "All refunds sent" in body
    assert 'name="version" value="2"' in body
    item.refresh_from_db()
    assert item.status == ActionStatus.BLOCKED


@pytest.mark.django_db
def test_the_api_answers_409_with_who_and_the_current_version(api_for, item, head_a, contributor):
    services.action_item_update(item_id=item.pk, actor=head_a, expected_version=1, note="First")

    response = api_for(contributor).patch(
        f"/api/action-items/{item.pk}/", {"note": "Second", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["changed_by"] == str(head_a)
    assert response.json()["current_version"] == 2
    item.refresh_from_db()
    assert item.version == 2
    assert not item.events.filter(note="Second").exists()
    retry = api_for(contributor).patch(
        f"/api/action-items/{item.pk}/", {"note": "Second", "version": 2}, format="json"
    )
    assert retry.status_code == 200 and retry.json()["version"] == 3


@pytest.mark.django_db
def test_a_cx_issue_plan_conflicts_the_same_way(api_for, department_a, head_a, cco):
    issue = CXIssueFactory(department=department_a)
    services.cx_issue_update(issue_id=issue.pk, actor=cco, expected_version=1, root_cause="A")

    response = api_for(head_a).patch(
        f"/api/cx-issues/{issue.pk}/", {"root_cause": "B", "version": 1}, format="json"
    )

    assert response.status_code == 409
    issue.refresh_from_db()
    assert issue.root_cause == "A"


def _concurrent(save_a, save_b):  # type: ignore[no-untyped-def]
    """Run two saves at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(save):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            save()
            outcomes.append("saved")
        except services.Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(save,)) for save in (save_a, save_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_item_at_once_never_overwrite_each_other(
    department_a, head_a, contributor
):
    for _ in range(10):
        item = ActionItemFactory(department=department_a, owner_person=contributor)

        outcomes = _concurrent(
            lambda item=item: services.action_item_update(
                item_id=item.pk,
                actor=head_a,
                expected_version=1,
                status=ActionStatus.BLOCKED,
                note="Blocked by IT",
            ),
            lambda item=item: services.action_item_update(
                item_id=item.pk,
                actor=contributor,
                expected_version=1,
                status=ActionStatus.DONE,
                note="Done",
            ),
        )

        assert outcomes == ["conflict", "saved"]
        item = ActionItem.objects.get(pk=item.pk)
        assert item.version == 2
        assert item.events.exclude(kind="created").count() == 1
        assert item.events.exclude(kind="created").get().to_status == item.status


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_issue_at_once_never_overwrite_each_other(
    department_a, head_a, cco
):
    issue = CXIssueFactory(department=department_a)

    outcomes = _concurrent(
        lambda: services.cx_issue_update(
            issue_id=issue.pk, actor=cco, expected_version=1, root_cause="Staffing"
        ),
        lambda: services.cx_issue_update(
            issue_id=issue.pk, actor=head_a, expected_version=1, root_cause="Tooling"
        ),
    )

    assert outcomes == ["conflict", "saved"]
    issue = CXIssue.objects.get(pk=issue.pk)
    assert issue.version == 2 and issue.root_cause in {"Staffing", "Tooling"}
