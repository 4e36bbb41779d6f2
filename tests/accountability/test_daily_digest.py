"""Told when it matters: one email a person a day (items due and, for a chair, the meeting's
digest), idempotent on a re-run; every email the programme sends has a plain-text and an HTML
part, and each kind skips a person who opted out."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accountability import services
from accountability.models import ReminderLog
from accountability.services.reminders import email_preference_set
from accountability.tasks import cx_issues_raise_task, reminders_daily_task
from tests.accountability.factories import (
    ActionItemFactory,
    BreachFactory,
    MeetingFactory,
    MeetingSeriesFactory,
)
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def parts(message):
    """(plain text, HTML) of a sent message; fails when either is missing."""
    html = [content for content, kind in message.alternatives if kind == "text/html"]
    assert message.content_subtype == "plain" and message.body.strip()
    assert len(html) == 1 and html[0].lstrip().startswith("<!doctype html>")
    return message.body, html[0]


@pytest.fixture
def chair_with_items(cco, department_a):
    today = timezone.localdate()
    series = MeetingSeriesFactory(chair=cco, name="Weekly accountability")
    MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(hours=20))
    ActionItemFactory(
        department=department_a, owner_person=cco, title="Chair's own late", due=today
    )
    return cco


def test_a_chair_who_owns_items_gets_one_email_with_both_and_a_rerun_sends_nothing(
    chair_with_items, department_a, contributor
):
    today = timezone.localdate()
    ActionItemFactory(department=department_a, owner_person=contributor, due=today)

    first = reminders_daily_task.delay().get()
    second = reminders_daily_task.delay().get()

    assert (first["daily_digests"], second["daily_digests"]) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [chair_with_items.email, contributor.email]
    )
    [chair_mail] = [m for m in mail.outbox if m.to == [chair_with_items.email]]
    text, html = parts(chair_mail)
    assert "Before the meeting: " in text and "Chair's own late" in text
    assert "Before the meeting: " in html and "Chair&#x27;s own late" in html
    assert chair_mail.subject.startswith("Your day: 0 overdue, 1 due soon; before the meeting")
    [contributor_mail] = [m for m in mail.outbox if m.to == [contributor.email]]
    assert "Before the meeting" not in contributor_mail.body  # not a chair
    assert ReminderLog.objects.filter(date=today).count() == 2


def test_the_next_day_is_a_new_digest_but_still_one(chair_with_items):
    today = timezone.localdate()
    assert services.reminders_send_daily(today=today) == 1
    assert services.reminders_send_daily(today=today) == 0
    assert services.reminders_send_daily(today=today + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_a_chair_with_nothing_due_gets_the_meeting_digest_alone(cco):
    series = MeetingSeriesFactory(chair=cco)
    MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(hours=20))

    assert services.reminders_send_daily(today=timezone.localdate()) == 1
    [message] = mail.outbox
    assert message.subject.startswith("Your day: before the meeting")
    assert "Overdue" not in message.body and "Due in the next two days" not in message.body


def test_an_opted_out_chair_gets_neither_part(chair_with_items):
    email_preference_set(person=chair_with_items, receive=False)

    assert services.reminders_send_daily(today=timezone.localdate()) == 0
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_breach_email_has_both_parts_with_the_link(department_b, head_b, settings):
    touchpoint = TouchpointFactory(name="Billing hotline", department=department_b)
    cx_issues_raise_task([BreachFactory(touchpoint=touchpoint).pk])

    [message] = mail.outbox
    text, html = parts(message)
    link = f"{settings.SITE_URL}/accountability/issues/"
    assert link in text and f'href="{link}' in html


def test_the_minutes_have_both_parts_and_skip_who_opted_out(cco, head_a, head_b):
    series = MeetingSeriesFactory(chair=cco)
    series.attendees.set([head_a, head_b])
    meeting = MeetingFactory(series=series)
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    services.decision_record(meeting_id=meeting.pk, actor=cco, text="Refunds <48h>")
    email_preference_set(person=head_b, receive=False)
    mail.outbox.clear()
    services.meeting_close(meeting_id=meeting.pk, actor=cco, summary="")

    assert services.minutes_send(meeting_id=meeting.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cco.email, head_a.email])
    text, html = parts(mail.outbox[0])
    assert "Refunds <48h>" in text and "Refunds &lt;48h&gt;" in html
