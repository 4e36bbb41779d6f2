"""The overview tests' small world: one journey, two stages, known scores."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import Metric, SurveyResponse
from metrics.services.rollups import rollup_rebuild
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory

_ids = iter(range(10**9))


def add_responses(touchpoint, scores, *, days_ago=3, metric=Metric.NPS):
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=metric,
            score=score,
            responded_at=at,
            source="test",
            external_id=f"x{next(_ids)}",
        )
        for score in scores
    )


@pytest.fixture
def journey_world(department_a, department_b):
    """One journey, two stages: 'Buy' (department A, strong) then 'Pay' (department B, weak)."""
    buy = JourneyStageFactory(name="Buy", order=1)
    pay = JourneyStageFactory(name="Pay", order=2, journey=buy.journey)
    shop = TouchpointFactory(stage=buy, department=department_a, name="Shop", nps_target=30.0)
    invoice = TouchpointFactory(stage=pay, department=department_b, name="Invoice", nps_target=30.0)
    # Shop: 60 promoters, 20 passives, 20 detractors → NPS 40.
    add_responses(shop, [10] * 60 + [7] * 20 + [3] * 20)
    # Invoice: 20 promoters, 20 passives, 60 detractors → NPS −40.
    add_responses(invoice, [9] * 20 + [8] * 20 + [0] * 60)
    rollup_rebuild(detect=False)
    return {"journey": buy.journey, "shop": shop, "invoice": invoice}
