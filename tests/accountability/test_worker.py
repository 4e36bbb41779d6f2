"""The breach → CX issue hand-over through a real Celery worker on Redis and PostgreSQL."""

import time

import pytest

from accountability.models import CXIssue
from metrics.models import Breach
from metrics.signals import breaches_detected
from tests.accountability.factories import BreachFactory
from tests.conftest import requires_postgres, requires_redis
from tests.metrics.factories import TouchpointFactory


@requires_postgres
@requires_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_turns_a_signalled_breach_into_one_issue(celery_worker_process, department_a):
    breach = BreachFactory(touchpoint=TouchpointFactory(department=department_a))

    breaches_detected.send(sender=Breach, breach_ids=[breach.pk])
    breaches_detected.send(sender=Breach, breach_ids=[breach.pk])

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not CXIssue.objects.filter(breach=breach).exists():
        time.sleep(0.2)
    time.sleep(1)  # let the second task finish too
    issues = CXIssue.objects.filter(breach=breach)
    assert issues.count() == 1
    assert issues.get().department == department_a
