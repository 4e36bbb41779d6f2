"""A person who turns the programme's emails off gets no reminder, digest or minutes; everyone
else still does. Each person changes only their own choice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import EmailOptOut
from accountability.services.reminders import email_preference_set
from tests.accountability.factories import (
    ActionItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.conftest import stored

pytestmark = pytest.mark.django_db


def test_the_due_reminder_skips_who_opted_out(department_a, head_a, contributor):
    today = timezone.localdate()
    ActionItemFactory(department=department_a, owner_person=contributor, due=today)
    ActionItemFactory(department=department_a, owner_person=head_a, due=today)
    email_preference_set(person=contributor, receive=False)

    sent = services.reminders_send_daily(today=today)

    assert sent == 1
    assert [message.to for message in mail.outbox] == [[head_a.email]]


def test_opting_back_in_sends_again(department_a, contributor):
    today = timezone.localdate()
    ActionItemFactory(department=department_a, owner_person=contributor, due=today)
    assert email_preference_set(person=contributor, receive=False) is True
    assert email_preference_set(person=contributor, receive=False) is False
    assert email_preference_set(person=contributor, receive=True) is True

    assert services.reminders_send_daily(today=today) == 1


def test_the_digest_skips_a_chair_who_opted_out(cco):
    series = MeetingSeriesFactory(chair=cco)
    MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(hours=20))
    email_preference_set(person=cco, receive=False)

    assert services.reminders_send_daily(today=timezone.localdate()) == 0
    assert mail.outbox == []


def test_the_minutes_skip_who_opted_out(cco, head_a, head_b):
    series = MeetingSeriesFactory(chair=cco)
    series.attendees.set([head_a, head_b])
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    email_preference_set(person=head_b, receive=False)
    mail.outbox.clear()

    services.meeting_close(meeting_id=meeting.pk, actor=cco, summary="")
    sent = services.minutes_send(meeting_id=meeting.pk)

    assert sent == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([cco.email, head_a.email])


@pytest.mark.parametrize("persona", ["cco", "executive", "head_a", "contributor"])
def test_each_person_turns_their_own_emails_off_and_on(request, client_for, persona, head_b):
    person = request.getfixturevalue(persona)
    email_preference_set(person=head_b, receive=False)
    client = client_for(person)
    url = reverse("accountability:email-preferences")

    assert 'name="receive" checked' in client.get(url).content.decode()
    off = client.post(url, {})
    assert off.status_code == 302
    assert set(EmailOptOut.objects.values_list("person", flat=True)) == {person.pk, head_b.pk}
    assert 'name="receive" checked' not in client.get(url).content.decode()
    client.post(url, {"receive": "on"})
    assert set(EmailOptOut.objects.values_list("person", flat=True)) == {head_b.pk}


def test_someone_without_a_role_is_refused_and_nothing_changes(client_for, outsider):
    client = client_for(outsider)
    before = stored()

    response = client.post(reverse("accountability:email-preferences"), {})

    assert response.status_code == 403
    assert stored() == before
