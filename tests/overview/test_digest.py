from datetime import date, timedelta

import pytest
from django.core import mail

from cco.celery import app
from cco.models import DigestLog
from metrics.models import Metric, SurveyResponse
from metrics.services.rollups import rollup_rebuild
from overview.digest import executive_digest_send
from tests.metrics.factories import TouchpointFactory

TODAY = date(2026, 11, 25)  # a Wednesday: the digest covers Mon 16 – Sun 22 November


def responses(touchpoint, scores, day):
    from datetime import datetime, time

    from django.utils import timezone

    at = timezone.make_aware(datetime.combine(day, time(12)))
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=Metric.NPS,
            score=score,
            responded_at=at,
            source="t",
            external_id=f"{touchpoint.pk}-{day}-{i}",
        )
        for i, score in enumerate(scores)
    )


@pytest.fixture
def week_of_data(department_a):
    shop = TouchpointFactory(department=department_a, name="Shop")
    responses(shop, [0] * 60, date(2026, 11, 10))  # the week before: NPS −100
    responses(shop, [10] * 60, date(2026, 11, 18))  # last week: NPS 100
    rollup_rebuild(detect=False)
    return shop


def test_the_digest_goes_to_the_cco_and_executives_with_tiles_and_movers(
    cco, executive, head_a, week_of_data
):
    assert executive_digest_send(today=TODAY) == 2
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([cco.email, executive.email])
    assert message.subject == "Customer experience: week of 16 Nov 2026"
    assert "Organisation NPS: 100" in message.body
    assert "Shop (Customer service): -100 → 100" in message.body
    html = message.alternatives[0][0]
    assert "Biggest movers" in html


def test_the_digest_is_sent_once_a_week_however_often_beat_fires(cco, week_of_data):
    assert executive_digest_send(today=TODAY) == 1
    assert executive_digest_send(today=TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert DigestLog.objects.get().week_start == date(2026, 11, 16)


def test_every_task_on_the_beat_schedule_exists_and_the_digest_is_on_it(db):
    app.loader.import_default_modules()
    assert (
        app.conf.beat_schedule["executive-digest"]["task"] == "overview.tasks.executive_digest_task"
    )
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_the_digest_skips_who_turned_the_programmes_emails_off(cco, executive, week_of_data):
    from accountability.services.reminders import email_preference_set

    email_preference_set(person=executive, receive=False)

    assert executive_digest_send(today=TODAY) == 1
    [message] = mail.outbox
    assert message.to == [cco.email]
    assert message.body.strip() and message.alternatives[0][1] == "text/html"
