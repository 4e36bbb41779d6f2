"""Follow-up case pages and API: who may work a case, the 409 on a stale version, filters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import CXIssue, FollowupCase, FollowupPolicy, FollowupThreshold
from accountability.services.followups import followup_cases_open
from cco.models import Role
from tests.factories import UserFactory
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint(department_b):  # type: ignore[no-untyped-def]
    return TouchpointFactory(department=department_b, name="Invoice query")


@pytest.fixture
def case(touchpoint):  # type: ignore[no-untyped-def]
    SurveyResponseFactory(touchpoint=touchpoint, score=3, customer_id="C-9")
    followup_cases_open()
    return FollowupCase.objects.get()


@pytest.fixture
def agent_b(department_b):  # type: ignore[no-untyped-def]
    return UserFactory(username="agent-b", role=Role.CONTRIBUTOR, department=department_b)


def _stored(case):  # type: ignore[no-untyped-def]
    return FollowupCase.objects.values("version", "contact_attempts", "assignee_id").get(pk=case.pk)


WORKERS = ["cco", "head_b", "agent_b"]
REFUSED = ["executive", "head_a", "contributor", "outsider"]


@pytest.mark.parametrize("persona", WORKERS + REFUSED)
def test_the_department_and_the_cco_record_a_contact_and_everyone_else_is_refused(
    request, client_for, case, persona
):
    person = request.getfixturevalue(persona)
    before = _stored(case)

    response = client_for(person).post(
        reverse("accountability:followup-detail", args=[case.pk]),
        {"version": case.version, "contacted": "on", "note": "Voicemail"},
    )

    if persona in WORKERS:
        assert response.status_code == 302
        assert _stored(case)["contact_attempts"] == 1
    else:
        assert response.status_code == 403
        assert _stored(case) == before


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, case):
    response = client.post(
        reverse("accountability:followup-detail", args=[case.pk]),
        {"version": 1, "contacted": "on"},
    )
    assert response.status_code == 302
    assert _stored(case)["contact_attempts"] == 0


@pytest.mark.parametrize("persona", ["head_b", "cco", "agent_b", "head_a", "executive"])
def test_only_the_owning_head_and_the_cco_assign(request, client_for, case, agent_b, persona):
    person = request.getfixturevalue(persona)

    response = client_for(person).post(
        reverse("accountability:followup-assign", args=[case.pk]),
        {"version": 1, "assignee": agent_b.pk},
    )

    allowed = persona in ("head_b", "cco")
    assert response.status_code == (302 if allowed else 403)
    assert (_stored(case)["assignee_id"] == agent_b.pk) is allowed


def test_a_stale_save_on_the_page_is_409_and_keeps_the_persons_note(client_for, case, agent_b):
    page = client_for(agent_b)
    url = reverse("accountability:followup-detail", args=[case.pk])
    page.post(url, {"version": 1, "contacted": "on"})

    response = page.post(
        url, {"version": 1, "note": "Customer asked for a refund"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    assert "Customer asked for a refund" in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    assert _stored(case)["version"] == 2


def test_an_htmx_record_returns_the_card_alone(client_for, case, agent_b):
    response = client_for(agent_b).post(
        reverse("accountability:followup-detail", args=[case.pk]),
        {"version": 1, "contacted": "on"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<article class="card')
    assert "1 contact attempt" in body


def test_closing_without_a_contact_is_a_400_naming_the_reason(client_for, case, head_b):
    response = client_for(head_b).post(
        reverse("accountability:followup-detail", args=[case.pk]),
        {"version": 1, "outcome": "declined"},
    )

    assert response.status_code == 400
    assert "Record a contact attempt before closing" in response.content.decode()
    assert FollowupCase.objects.get().status == "open"


def test_raising_an_issue_from_the_page_opens_it_linked(client_for, case, head_b):
    response = client_for(head_b).post(
        reverse("accountability:followup-issue", args=[case.pk]), {"version": 1, "title": ""}
    )

    issue = CXIssue.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert FollowupCase.objects.get().cx_issue == issue


def test_the_list_starts_on_a_heads_department_and_filters(client_for, case, head_a, cco):
    url = reverse("accountability:followup-list")
    assert "C-9" not in client_for(head_a).get(url).content.decode()
    assert "C-9" in client_for(cco).get(url).content.decode()
    assert "C-9" not in client_for(cco).get(url, {"show": "closed"}).content.decode()
    assert "C-9" not in client_for(cco).get(url, {"show": "overdue"}).content.decode()


def test_the_list_reads_a_fixed_number_of_queries(
    client_for, cco, touchpoint, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    url = reverse("accountability:followup-list")
    page = client_for(cco)
    for customer in range(3):
        SurveyResponseFactory(touchpoint=touchpoint, score=1, customer_id=f"C-{customer}")
    followup_cases_open()
    page.get(url)
    with django_assert_num_queries(4) as few:
        page.get(url)
    for customer in range(3, 30):
        SurveyResponseFactory(touchpoint=touchpoint, score=1, customer_id=f"C-{customer}")
    followup_cases_open()
    with django_assert_num_queries(len(few.captured_queries)):
        page.get(url)


def test_only_the_cco_configures_thresholds_and_the_service_level(
    client_for, cco, head_b, touchpoint
):
    url = reverse("accountability:followup-settings")
    body = {"touchpoint": touchpoint.pk, "metric": "nps", "at_or_below": 4}

    assert client_for(head_b).post(url, body).status_code == 403
    assert not FollowupThreshold.objects.exists()
    assert client_for(cco).post(url, body).status_code == 302
    assert FollowupThreshold.objects.get().at_or_below == 4
    refused = client_for(cco).post(url, {**body, "at_or_below": 11})
    assert refused.status_code == 400
    assert "NPS scores run 0–10; 11 is off the scale" in refused.content.decode()
    assert (
        client_for(cco)
        .post(url, {"sla_working_days": 0, "dedupe_days": 1, "max_age_days": 1})
        .status_code
        == 400
    )
    assert FollowupPolicy.objects.get().sla_working_days == 2


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_lists_cases_filtered_by_department_and_overdue(api_for, case, executive):
    api = api_for(executive)
    rows = api.get("/api/followup-cases/", {"department": "billing"}).json()["results"]
    assert [row["customer_id"] for row in rows] == ["C-9"]
    assert (
        api.get("/api/followup-cases/", {"department": "customer-service"}).json()["results"] == []
    )
    assert api.get("/api/followup-cases/", {"overdue": "true"}).json()["results"] == []


def test_an_api_record_with_a_stale_version_is_409_and_changes_nothing(api_for, case, agent_b):
    api = api_for(agent_b)
    url = f"/api/followup-cases/{case.pk}/"
    assert api.patch(url, {"version": 1, "contacted": True}, format="json").status_code == 200

    response = api.patch(url, {"version": 1, "outcome": "declined"}, format="json")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert FollowupCase.objects.get().status == "contacted"


@pytest.mark.parametrize("persona", ["head_a", "contributor", "executive"])
def test_the_api_refuses_another_departments_people_and_executives(request, api_for, case, persona):
    api = api_for(request.getfixturevalue(persona))
    url = f"/api/followup-cases/{case.pk}/"

    assert api.patch(url, {"version": 1, "contacted": True}, format="json").status_code == 403
    assert (
        api.post(f"{url}assign/", {"version": 1, "assignee": None}, format="json").status_code
        == 403
    )
    assert _stored(case) == {"version": 1, "contact_attempts": 0, "assignee_id": None}


def test_a_contributor_of_the_department_works_but_does_not_assign_over_the_api(
    api_for, case, agent_b
):
    api = api_for(agent_b)
    url = f"/api/followup-cases/{case.pk}/"

    assert (
        api.post(f"{url}assign/", {"version": 1, "assignee": agent_b.pk}, format="json").status_code
        == 403
    )
    assert (
        api.patch(url, {"version": 1, "contacted": True, "note": "Rang"}, format="json").status_code
        == 200
    )
    history = api.get(f"{url}history/").json()
    assert [event["kind"] for event in history] == ["created", "contact", "status"]


def test_an_api_outcome_off_the_list_is_400_naming_the_field(api_for, case, head_b):
    response = api_for(head_b).patch(
        f"/api/followup-cases/{case.pk}/", {"version": 1, "outcome": "gone"}, format="json"
    )
    assert response.status_code == 400
    assert "outcome" in response.content.decode()
    assert _stored(case)["version"] == 1


def test_the_case_is_overdue_in_the_api_the_day_after_it_is_due(api_for, case, cco):
    FollowupCase.objects.update(due_on=timezone.localdate() - timezone.timedelta(days=1))
    rows = api_for(cco).get("/api/followup-cases/", {"overdue": "true"}).json()["results"]
    assert [row["overdue"] for row in rows] == [True]
    FollowupCase.objects.update(due_on=timezone.localdate())
    assert api_for(cco).get("/api/followup-cases/", {"overdue": "true"}).json()["results"] == []
