"""Front-line blockers: raise, voice once, the owning head answers, the agenda takes the loud and
the late ones, a resolved one becomes an action item in one step — every role, checked in the DB."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import blocker_selectors as selectors
from accountability.models import (
    BLOCKER_AGENDA_VOICES,
    ActionItem,
    AgendaItem,
    AgendaKind,
    Blocker,
    BlockerStatus,
    BlockerVoice,
)
from accountability.services import blockers as services
from accountability.services.meetings import agenda_build
from accountability.stats import add_working_days
from cco.models import Role
from tests.accountability.factories import MeetingFactory
from tests.factories import UserFactory
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def _raise(client, **body):
    return client.post(reverse("accountability:blocker-list"), body)


def test_a_contributor_raises_a_blocker_and_their_voice_counts(
    contributor, department_b, client_for
):
    touchpoint = TouchpointFactory(department=department_b)
    response = _raise(
        client_for(contributor),
        title="Refunds need three approvals",
        department=department_b.pk,
        touchpoint=touchpoint.pk,
    )
    assert response.status_code == 302
    blocker = Blocker.objects.get()
    assert (blocker.department, blocker.touchpoint, blocker.raised_by) == (
        department_b,
        touchpoint,
        contributor,
    )
    assert blocker.answer_due == add_working_days(timezone.localdate(), 5)
    assert list(BlockerVoice.objects.values_list("person", flat=True)) == [contributor.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "department": "999"}, "department"),
        ({"title": "x", "department": "billing"}, "department"),
        ({"title": "", "department": "DEPT"}, "title"),
        ({"title": "x", "department": "DEPT", "touchpoint": "999"}, "touchpoint"),
        ({"title": "x", "department": "DEPT", "touchpoint": "OTHER"}, "touchpoint"),
    ],
)
def test_a_bad_blocker_is_400_naming_the_field_and_saves_nothing(
    contributor, department_a, department_b, client_for, body, field
):
    other = TouchpointFactory(department=department_a)
    body = {
        k: str(department_b.pk) if v == "DEPT" else str(other.pk) if v == "OTHER" else v
        for k, v in body.items()
    }
    response = _raise(client_for(contributor), **body)
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert not Blocker.objects.exists() and not BlockerVoice.objects.exists()


def test_outsiders_raise_nothing_and_anonymous_visitors_sign_in_first(
    outsider, department_b, client, client_for
):
    assert _raise(client, title="x", department=department_b.pk).status_code == 302
    assert _raise(client_for(outsider), title="x", department=department_b.pk).status_code == 403
    assert not Blocker.objects.exists()


def _blocker(raiser, department, **kwargs):
    return services.blocker_raise(actor=raiser, title="Refunds wait", department_id=department.pk)


def test_a_voice_is_added_once_per_person_and_the_second_is_409(
    contributor, head_a, department_b, client_for
):
    blocker = _blocker(head_a, department_b)
    url = reverse("accountability:blocker-voice", args=[blocker.pk])
    assert client_for(contributor).post(url).status_code == 302
    assert client_for(contributor).post(url).status_code == 409
    assert BlockerVoice.objects.filter(blocker=blocker).count() == 2
    # The raiser already has theirs.
    assert client_for(head_a).post(url).status_code == 409
    assert BlockerVoice.objects.filter(blocker=blocker).count() == 2


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("cco", True), ("head_b", True), ("head_a", False), ("executive", False),
     ("contributor", False), ("outsider", False)],
)  # fmt: skip
def test_only_the_owning_head_or_the_cco_answers(
    request, head_a, department_b, client_for, who, allowed
):
    blocker = _blocker(head_a, department_b)
    person = request.getfixturevalue(who)
    response = client_for(person).post(
        reverse("accountability:blocker-answer", args=[blocker.pk]),
        {"answer": "One approval from Monday", "resolve": "on"},
    )
    blocker.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert (blocker.status, blocker.answered_by) == (BlockerStatus.RESOLVED, person)
        assert blocker.resolved_at is not None
    else:
        assert response.status_code == 403
        assert (blocker.status, blocker.answer, blocker.answered_at) == (
            BlockerStatus.OPEN,
            "",
            None,
        )


def test_an_empty_answer_is_400(head_a, head_b, department_b, client_for):
    blocker = _blocker(head_a, department_b)
    response = client_for(head_b).post(
        reverse("accountability:blocker-answer", args=[blocker.pk]), {"answer": " "}
    )
    assert response.status_code == 400
    blocker.refresh_from_db()
    assert blocker.status == BlockerStatus.OPEN


def test_a_resolved_blocker_becomes_an_action_item_in_one_step(
    head_a, head_b, department_b, client_for
):
    blocker = _blocker(head_a, department_b)
    url = reverse("accountability:blocker-action", args=[blocker.pk])
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    # Not yet resolved: nothing created.
    assert client_for(head_b).post(url, {"due": due}).status_code == 400
    assert not ActionItem.objects.exists()
    services.blocker_answer(actor=head_b, blocker=blocker, answer="Agreed", resolve=True)
    assert client_for(head_a).post(url, {"due": due}).status_code == 403
    assert client_for(head_b).post(url, {"due": "soon"}).status_code == 400
    assert not ActionItem.objects.exists()
    assert client_for(head_b).post(url, {"due": due, "title": "One approval"}).status_code == 302
    item = ActionItem.objects.get()
    blocker.refresh_from_db()
    assert (item.title, item.department, blocker.action_item) == (
        "One approval",
        department_b,
        item,
    )
    # Twice: refused, still one.
    assert client_for(head_b).post(url, {"due": due}).status_code == 400
    assert ActionItem.objects.count() == 1


# -- the agenda rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voices", "on"), [(BLOCKER_AGENDA_VOICES - 1, False), (BLOCKER_AGENDA_VOICES, True)]
)
def test_a_blocker_goes_on_the_agenda_from_enough_voices(department_b, voices, on):
    people = [UserFactory(username=f"v{i}", role=Role.CONTRIBUTOR) for i in range(voices)]
    blocker = _blocker(people[0], department_b)
    for person in people[1:]:
        services.blocker_voice(actor=person, blocker=blocker)
    meeting = MeetingFactory()
    agenda_build(meeting=meeting)
    lines = AgendaItem.objects.filter(meeting=meeting, kind=AgendaKind.BLOCKER)
    assert lines.filter(source_id=blocker.pk).exists() is on
    if on:
        assert lines.get().severity == float(voices)


@pytest.mark.parametrize(("days_late", "on"), [(0, False), (1, True)])
def test_an_unanswered_blocker_goes_on_the_agenda_the_day_after_its_service_level(
    contributor, department_b, days_late, on
):
    blocker = _blocker(contributor, department_b)
    meeting = MeetingFactory()
    day = timezone.localdate(meeting.scheduled_at)
    Blocker.objects.filter(pk=blocker.pk).update(answer_due=day - timedelta(days=days_late))
    agenda_build(meeting=meeting)
    assert AgendaItem.objects.filter(meeting=meeting, kind=AgendaKind.BLOCKER).exists() is on


@pytest.mark.parametrize(
    ("status", "voices", "late", "on"),
    [("open", 1, True, True), ("answered", 1, True, False), ("answered", 3, False, True),
     ("resolved", 3, True, False)],
)  # fmt: skip
def test_the_agenda_rule_by_status(status, voices, late, on):
    day = timezone.localdate()
    due = day - timedelta(days=1) if late else day
    assert (
        selectors.goes_on_agenda(voices=voices, status=status, answer_due=due, meeting_day=day)
        is on
    )


def test_the_blockers_list_filters_by_status(contributor, head_b, department_b, client_for):
    open_one = _blocker(contributor, department_b)
    done = _blocker(contributor, department_b)
    services.blocker_answer(actor=head_b, blocker=done, answer="Fixed", resolve=True)
    page = client_for(contributor).get(reverse("accountability:blocker-list"))
    assert [b.pk for b in page.context["blockers"]] == [open_one.pk]
    page = client_for(contributor).get(reverse("accountability:blocker-list") + "?show=resolved")
    assert [b.pk for b in page.context["blockers"]] == [done.pk]
