"""The live meeting page, read by everyone with a role and changed only by the CCO.

Executives, department heads and contributors read the meeting as it runs (the product's rule:
everyone with a role reads everything); the page then carries no form, and every write
endpoint of the meeting still refuses them with 403 and leaves the database as it was.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import MeetingStatus
from tests.accountability.factories import MeetingFactory, MeetingSeriesFactory
from tests.conftest import stored

pytestmark = pytest.mark.django_db

READERS = ["executive", "head_a", "head_b", "contributor"]


@pytest.fixture
def running(cco, department_b):
    """A meeting in progress with one agenda item, a decision and the CCO on the register."""
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    item = services.agenda_item_add(
        meeting_id=meeting.pk, actor=cco, title="Night rota gap", department=department_b
    )
    services.agenda_item_update(item_id=item.pk, actor=cco, discussed=True, notes="Two agents")
    services.decision_record(
        meeting_id=meeting.pk, actor=cco, text="Hire a night agent", agenda_item_id=item.pk
    )
    meeting.refresh_from_db()
    return meeting, item


def _writes(meeting, item, cco, department_b):
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    return [
        (reverse("accountability:meeting-open", args=[meeting.pk]), {}),
        (reverse("accountability:meeting-close", args=[meeting.pk]), {"summary": "Done"}),
        (
            reverse("accountability:meeting-attendance", args=[meeting.pk, cco.pk]),
            {"present": "on", "rating": "8"},
        ),
        (reverse("accountability:agenda-add", args=[meeting.pk]), {"title": "Peak season"}),
        (reverse("accountability:decision-add", args=[meeting.pk]), {"text": "Add an agent"}),
        (
            reverse("accountability:meeting-action-add", args=[meeting.pk]),
            {"title": "Roster", "department": department_b.pk, "due": due},
        ),
        (reverse("accountability:agenda-update", args=[item.pk]), {"notes": "x", "discussed": ""}),
    ]


@pytest.mark.parametrize("persona", READERS)
def test_a_reader_sees_the_running_meeting_without_a_single_form(
    request, client_for, running, persona
):
    meeting, item = running
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("accountability:meeting-run", args=[meeting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Night rota gap" in html
    assert "Two agents" in html  # the notes, as text
    assert "Hire a night agent" in html
    assert "only the CCO changes it" in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main
    for url, _ in _writes(meeting, item, request.getfixturevalue("cco"), item.department):
        assert f'action="{url}"' not in html
        assert f'hx-post="{url}"' not in html


@pytest.mark.parametrize("persona", READERS)
def test_every_write_of_the_meeting_refuses_a_reader_and_changes_nothing(
    request, client_for, running, cco, department_b, persona
):
    meeting, item = running
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    for url, body in _writes(meeting, item, cco, department_b):
        response = client.post(url, body, HTTP_HX_REQUEST="true")
        assert response.status_code == 403, url

    assert stored() == before
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS


def test_the_cco_still_gets_every_form(client_for, running, cco, department_b):
    meeting, item = running

    html = client_for(cco).get(reverse("accountability:meeting-run", args=[meeting.pk]))
    html = html.content.decode()

    assert "only the CCO changes it" not in html
    for name in ("meeting-close", "decision-add", "agenda-add"):
        assert reverse(f"accountability:{name}", args=[meeting.pk]) in html
    assert reverse("accountability:agenda-update", args=[item.pk]) in html


@pytest.mark.parametrize("persona", ["outsider"])
def test_someone_without_a_role_is_refused_the_meeting(request, client_for, running, persona):
    meeting, _ = running
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("accountability:meeting-run", args=[meeting.pk]))

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, running):
    meeting, _ = running

    response = client.get(reverse("accountability:meeting-run", args=[meeting.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
