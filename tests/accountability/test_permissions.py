"""Who may do what, for every persona, on the pages and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import ActionItem, ActionStatus, CXIssueStatus, MeetingStatus
from tests.accountability.factories import (
    ActionItemFactory,
    CXIssueFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.conftest import stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_of_a(department_a, contributor):
    return ActionItemFactory(department=department_a, owner_person=contributor, title="Call back")


@pytest.fixture
def issue_of_a(department_a):
    return CXIssueFactory(department=department_a, title="Hold times")


def _update(client, item, status=ActionStatus.IN_PROGRESS):
    return client.post(
        reverse("accountability:action-detail", args=[item.pk]),
        {"status": status, "note": "Started", "version": item.version},
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cco", 302),
        ("head_a", 302),
        ("contributor", 302),  # the named owner
        ("head_b", 403),
        ("executive", 403),
        ("outsider", 403),
    ],
)
def test_who_may_update_an_action_item_on_the_page(
    request, client_for, item_of_a, persona, expected
):
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    response = _update(client, item_of_a)

    assert response.status_code == expected
    item_of_a.refresh_from_db()
    if expected == 302:
        assert item_of_a.status == ActionStatus.IN_PROGRESS
        assert item_of_a.events.get(kind="status").note == "Started"
    else:
        assert stored() == before


def test_anonymous_is_sent_to_sign_in(client, item_of_a):
    before = stored()

    response = _update(client, item_of_a)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert stored() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cco", 200),
        ("head_a", 200),
        ("contributor", 200),
        ("head_b", 403),
        ("executive", 403),
        ("outsider", 403),
    ],
)
def test_who_may_update_an_action_item_through_the_api(
    request, api_for, item_of_a, persona, expected
):
    api = api_for(request.getfixturevalue(persona))
    before = stored()

    response = api.patch(
        f"/api/action-items/{item_of_a.pk}/", {"status": "done", "version": 1}, format="json"
    )

    assert response.status_code == expected
    item_of_a.refresh_from_db()
    if expected == 200:
        assert (item_of_a.status, item_of_a.version) == (ActionStatus.DONE, 2)
        assert item_of_a.completed_on == timezone.localdate()
    else:
        assert stored() == before


def test_the_api_refuses_anonymous_callers(api_for, item_of_a):
    assert api_for(None).get("/api/action-items/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cco", 302),
        ("head_a", 302),
        ("contributor", 403),
        ("head_b", 403),
        ("executive", 403),
        ("outsider", 403),
    ],
)
def test_who_may_write_a_cx_issues_plan(request, client_for, issue_of_a, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    response = client.post(
        reverse("accountability:issue-detail", args=[issue_of_a.pk]),
        {
            "status": CXIssueStatus.PLAN_AGREED,
            "root_cause": "Rota gap",
            "remediation_plan": "Hire",
            "version": 1,
        },
    )

    assert response.status_code == expected
    issue_of_a.refresh_from_db()
    if expected == 302:
        assert issue_of_a.status == CXIssueStatus.PLAN_AGREED
        assert (issue_of_a.root_cause, issue_of_a.remediation_plan) == ("Rota gap", "Hire")
    else:
        assert stored() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cco", 200),
        ("head_a", 403),
        ("contributor", 403),
        ("executive", 403),
        ("outsider", 403),
    ],
)
def test_only_the_cco_opens_the_meeting(request, client_for, cco, persona, expected):
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco))
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    page = client.get(reverse("accountability:meeting-run", args=[meeting.pk]))
    opened = client.post(reverse("accountability:meeting-open", args=[meeting.pk]))

    # Everyone with a role reads the meeting page (read-only unless they run it).
    assert page.status_code == (403 if persona == "outsider" else 200)
    assert opened.status_code == (302 if expected == 200 else 403)
    meeting.refresh_from_db()
    if expected == 200:
        assert meeting.status == MeetingStatus.IN_PROGRESS
        assert meeting.attendance.filter(person=cco).exists()
    else:
        assert stored() == before


@pytest.mark.parametrize(
    ("persona", "department", "expected"),
    [
        ("cco", "department_b", 201),
        ("head_a", "department_a", 201),
        ("head_a", "department_b", 403),
        ("contributor", "department_a", 403),
        ("executive", "department_a", 403),
        ("outsider", "department_a", 403),
    ],
)
def test_who_may_create_an_action_item_through_the_api(
    request, api_for, persona, department, expected
):
    target = request.getfixturevalue(department)
    api = api_for(request.getfixturevalue(persona))
    before = stored()

    response = api.post(
        "/api/action-items/",
        {"title": "Fix it", "department": target.pk, "due": str(timezone.localdate())},
        format="json",
    )

    assert response.status_code == expected
    if expected == 201:
        item = ActionItem.objects.get()
        assert (item.title, item.department, item.due) == ("Fix it", target, timezone.localdate())
    else:
        assert stored() == before


@pytest.mark.parametrize(
    ("persona", "expected"), [("cco", 200), ("executive", 200), ("head_b", 200), ("outsider", 403)]
)
def test_every_role_reads_the_accountability_pages(
    request, client_for, item_of_a, persona, expected
):
    client = client_for(request.getfixturevalue(persona))
    for name in ["home", "scorecard", "issue-list"]:
        assert client.get(reverse(f"accountability:{name}")).status_code == expected
    detail = client.get(reverse("accountability:action-detail", args=[item_of_a.pk]))
    assert detail.status_code == expected


def test_a_department_head_sees_no_save_button_on_another_departments_item(
    client_for, head_b, item_of_a
):
    page = client_for(head_b).get(reverse("accountability:action-detail", args=[item_of_a.pk]))

    assert page.status_code == 200
    assert b'name="version"' not in page.content


def test_a_contributor_sees_only_their_own_items_on_my_department(
    client_for, contributor, department_a, item_of_a
):
    ActionItemFactory(department=department_a, title="Someone else's job")

    page = client_for(contributor).get(reverse("accountability:my-department"))

    assert [item.title for item in page.context["items"]] == ["Call back"]


def test_an_overdue_item_is_marked_overdue(client_for, head_a, department_a):
    ActionItemFactory(department=department_a, due=timezone.localdate() - timedelta(days=2))

    page = client_for(head_a).get(reverse("accountability:my-department"))

    assert b"overdue" in page.content
    assert page.context["work"].overdue_count == 1
