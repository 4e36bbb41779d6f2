"""Front-line blockers over the API: raise, voice, answer, resolve into an action item, filter —
with the pages' rules, refusals checked in the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import ActionItem, Blocker, BlockerStatus, BlockerVoice
from accountability.services import blockers as services
from tests.conftest import stored

pytestmark = pytest.mark.django_db

TABLES = (Blocker, BlockerVoice, ActionItem)


def _raise(actor, department, title="Refunds need three approvals"):
    return services.blocker_raise(actor=actor, title=title, department_id=department.pk)


def test_a_contributor_raises_a_blocker_by_department_slug_with_their_voice(
    api_for, contributor, department_b
):
    response = api_for(contributor).post(
        "/api/blockers/",
        {"title": "Refunds need three approvals", "department": department_b.slug},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["department"], body["voices"], body["status"]) == (department_b.pk, 1, "open")
    assert Blocker.objects.get().raised_by == contributor


@pytest.mark.parametrize("department", ["nowhere", "99999"])
def test_an_unknown_department_is_400_naming_it_and_saves_nothing(api_for, contributor, department):
    response = api_for(contributor).post(
        "/api/blockers/", {"title": "Slow refunds", "department": department}, format="json"
    )
    assert response.status_code == 400
    assert department in response.json()["department"][0]
    assert not Blocker.objects.exists()
    assert not BlockerVoice.objects.exists()


def test_an_executive_reads_blockers_but_does_not_raise_one(api_for, executive, department_b):
    response = api_for(executive).post(
        "/api/blockers/", {"title": "Slow refunds", "department": department_b.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Blocker.objects.exists()
    assert api_for(executive).get("/api/blockers/").status_code == 200


def test_a_voice_counts_once_per_person_and_the_second_is_409(
    api_for, contributor, head_b, department_b
):
    blocker = _raise(head_b, department_b)
    api = api_for(contributor)
    first = api.post(f"/api/blockers/{blocker.pk}/voice/")
    assert first.status_code == 200
    assert first.json()["voices"] == 2
    before = stored(*TABLES)
    second = api.post(f"/api/blockers/{blocker.pk}/voice/")
    assert second.status_code == 409
    assert stored(*TABLES) == before


def test_the_owning_head_answers_and_another_head_is_refused_changing_nothing(
    api_for, contributor, head_a, head_b, department_b
):
    blocker = _raise(contributor, department_b)
    before = stored(*TABLES)
    for person in (head_a, contributor):
        refused = api_for(person).post(
            f"/api/blockers/{blocker.pk}/answer/", {"answer": "No"}, format="json"
        )
        assert refused.status_code == 403
    assert stored(*TABLES) == before
    empty = api_for(head_b).post(f"/api/blockers/{blocker.pk}/answer/", {"answer": " "})
    assert empty.status_code == 400
    assert "answer" in empty.json()
    answered = api_for(head_b).post(
        f"/api/blockers/{blocker.pk}/answer/",
        {"answer": "One approval from Monday", "resolve": True},
        format="json",
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == BlockerStatus.RESOLVED


def test_a_resolved_blocker_becomes_an_action_item_once(api_for, cco, contributor, department_b):
    blocker = _raise(contributor, department_b)
    api = api_for(cco)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    early = api.post(f"/api/blockers/{blocker.pk}/action-item/", {"due": due}, format="json")
    assert early.status_code == 400
    assert not ActionItem.objects.exists()
    api.post(f"/api/blockers/{blocker.pk}/answer/", {"answer": "Yes", "resolve": True})
    made = api.post(f"/api/blockers/{blocker.pk}/action-item/", {"due": due}, format="json")
    assert made.status_code == 201
    item = ActionItem.objects.get()
    assert made.json()["action_item"] == item.pk
    assert item.department == department_b
    again = api.post(f"/api/blockers/{blocker.pk}/action-item/", {"due": due}, format="json")
    assert again.status_code == 400
    assert ActionItem.objects.count() == 1


def test_blockers_filter_by_state_and_department(
    api_for, cco, contributor, department_a, department_b
):
    open_b = _raise(contributor, department_b, "B open")
    resolved_a = _raise(contributor, department_a, "A resolved")
    services.blocker_answer(actor=cco, blocker=resolved_a, answer="Done", resolve=True)
    api = api_for(contributor)

    def ids(query):
        return {row["id"] for row in api.get(f"/api/blockers/?{query}").json()["results"]}

    assert ids("show=unresolved") == {open_b.pk}
    assert ids("show=resolved") == {resolved_a.pk}
    assert ids("show=all") == {open_b.pk, resolved_a.pk}
    assert ids(f"department={department_a.slug}") == {resolved_a.pk}
    assert ids(f"department={department_b.pk}") == {open_b.pk}


@pytest.mark.parametrize("pk", ["5e-324", "abc"])
def test_a_voice_on_an_id_that_is_not_a_number_is_404_and_adds_nothing(
    api_for, contributor, head_b, department_b, pk
):
    _raise(head_b, department_b)
    response = api_for(contributor).post(f"/api/blockers/{pk}/voice/", format="json")
    assert response.status_code == 404
    assert BlockerVoice.objects.count() == 1  # the raiser's own


def test_the_schema_says_department_is_sent_as_id_or_slug_and_answered_as_an_id(api_for, cco):
    schema = api_for(cco).get("/api/schema/", {"format": "json"}).json()
    field = schema["components"]["schemas"]["Blocker"]["properties"]["department"]
    assert {"type": "integer"} in field["oneOf"] and {"type": "string"} in field["oneOf"]
