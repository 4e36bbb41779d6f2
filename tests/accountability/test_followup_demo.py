"""The demo's follow-up cases: a modest number, some worked and closed, history not flooded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.followup_demo import DEMO_CASES, seed_followups
from accountability.models import FollowupCase, FollowupWatermark
from accountability.services.followups import followup_cases_open
from cco.models import Role
from metrics.webhook_demo import seed_webhook_source
from tests.factories import UserFactory
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def test_the_demo_opens_a_modest_number_of_cases_and_works_the_older_ones(department_b):
    UserFactory(role=Role.CONTRIBUTOR, department=department_b)
    touchpoint = TouchpointFactory(department=department_b)
    now = timezone.now()
    for index in range(150):
        SurveyResponseFactory(
            touchpoint=touchpoint,
            score=index % 7,
            customer_id=f"C-{index}",
            responded_at=now - timedelta(days=index % 20, hours=1),
        )
    old = SurveyResponseFactory(
        touchpoint=touchpoint, score=0, customer_id="C-old", responded_at=now - timedelta(days=25)
    )

    counts = seed_followups()

    assert counts["cases"] == FollowupCase.objects.count() == DEMO_CASES
    assert 0 < counts["closed"] < DEMO_CASES
    assert FollowupWatermark.objects.get().last_response_id >= old.pk
    assert followup_cases_open() == []  # the catch-up run finds nothing left over
    assert seed_followups() == {"cases": 0, "closed": 0}


def test_the_demo_webhook_source_has_mapped_questions(department_b):
    TouchpointFactory(department=department_b)
    secret = seed_webhook_source()
    assert secret.startswith("whsec_")
    assert seed_webhook_source() == secret
