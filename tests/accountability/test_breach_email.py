"""A breach that raises a CX issue tells the owning department's head once, with a link; an
opted-out head, an issue raised by hand and an old issue are not emailed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accountability import services
from accountability.models import BreachEmail, CXIssue
from accountability.services.reminders import email_preference_set
from accountability.tasks import cx_issues_raise_task, reminders_daily_task
from tests.accountability.factories import BreachFactory
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def breach(department_b):
    touchpoint = TouchpointFactory(name="Billing hotline", department=department_b)
    return BreachFactory(touchpoint=touchpoint)


def test_the_owning_head_is_told_once_with_a_link(breach, head_b, head_a, settings):
    first = cx_issues_raise_task([breach.pk])
    again = services.breach_emails_send()

    issue = CXIssue.objects.get()
    assert (first, again) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [head_b.email]
    assert "Billing hotline" in message.subject
    assert f"{settings.SITE_URL}{issue.get_absolute_url()}" in message.body
    assert BreachEmail.objects.get(issue=issue).to == head_b.email


def test_a_later_breach_on_the_same_open_issue_sends_nothing_more(breach, head_b):
    cx_issues_raise_task([breach.pk])
    later = BreachFactory(
        touchpoint=breach.touchpoint, period_start=breach.period_start + timedelta(days=7)
    )

    cx_issues_raise_task([later.pk])

    assert CXIssue.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_opted_out_head_is_not_emailed_and_never_later(breach, head_b):
    email_preference_set(person=head_b, receive=False)

    cx_issues_raise_task([breach.pk])
    email_preference_set(person=head_b, receive=True)
    reminders_daily_task()

    assert [m for m in mail.outbox if "CX issue" in m.subject] == []
    assert BreachEmail.objects.get().to == ""


def test_an_issue_raised_by_hand_is_not_announced(cco, department_b, head_b):
    services.cx_issue_raise(actor=cco, title="Bills arrive late", department=department_b)

    assert services.breach_emails_send() == 0
    assert mail.outbox == []


def test_the_daily_run_catches_up_within_two_days_only(breach, head_b):
    services.cx_issues_raise_from_breaches(breach_ids=[breach.pk])
    issue = CXIssue.objects.get()
    CXIssue.objects.filter(pk=issue.pk).update(
        raised_at=timezone.now() - timedelta(days=2, minutes=1)
    )
    assert services.breach_emails_send() == 0

    CXIssue.objects.filter(pk=issue.pk).update(
        raised_at=timezone.now() - timedelta(days=2) + timedelta(minutes=1)
    )
    assert services.breach_emails_send() == 1
    assert mail.outbox[0].to == [head_b.email]
