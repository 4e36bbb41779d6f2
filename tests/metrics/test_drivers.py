"""Driver analysis: the touch point that drives the outcome ranks first on known synthetic
data; the minimum of customers and of poor answers at their boundaries; the rebuild task."""

import random
from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone

from metrics.models import CustomerOutcome, DriverAnalysis, Metric, SurveyResponse
from metrics.selectors.drivers import driver_analyses
from metrics.services.drivers import MIN_CUSTOMERS, MIN_POOR, drivers_rebuild, fit_drivers
from tests.metrics.factories import TouchpointFactory

AS_OF = date(2026, 11, 1)


def population(touchpoints, customers, *, seed=7, driver=0, prefix="D"):
    """Every customer answers every touch point once; a poor answer at `driver` makes leaving
    likely (50 % stay against 95 %) and the overall answer poor; the others are noise."""
    chance = random.Random(seed)
    answers, outcomes = [], []
    now = timezone.now()
    for number in range(customers):
        cid = f"{prefix}{number}"
        poor = [chance.random() < 0.3 for _ in touchpoints]
        for position, touchpoint in enumerate(touchpoints):
            # The driver is answered last, so it is the customer's latest answer anywhere.
            days_ago = 1 if position == driver else 10 + position
            answers.append(
                SurveyResponse(
                    touchpoint=touchpoint,
                    metric=Metric.NPS,
                    score=chance.choice([2, 4, 6]) if poor[position] else chance.choice([9, 10]),
                    customer_id=cid,
                    responded_at=now - timedelta(days=days_ago),
                    source="t",
                    external_id=f"{cid}-{touchpoint.pk}",
                )  # fmt: skip
            )
        stays = chance.random() < (0.5 if poor[driver] else 0.95)
        outcomes.append(CustomerOutcome(customer_id=cid, retained=stays, as_of=AS_OF))
    SurveyResponse.objects.bulk_create(answers)
    CustomerOutcome.objects.bulk_create(outcomes)


@pytest.mark.django_db
def test_the_touch_point_that_drives_retention_and_nps_ranks_first():
    touchpoints = [TouchpointFactory() for _ in range(3)]
    population(touchpoints, 600, driver=1)
    drivers_rebuild()
    found = driver_analyses()
    for outcome in ("retention", "nps"):
        drivers = found[outcome]
        assert drivers is not None and drivers.enough and drivers.customers == 600
        assert [row["rank"] for row in drivers.ranked] == [1, 2, 3]
        first, *rest = drivers.ranked
        assert first["touchpoint_id"] == touchpoints[1].pk
        # Its interval is clear of the noise touch points' intervals.
        assert first["importance_low"] > max(row["importance_high"] for row in rest)
    retention = found["retention"].ranked[0]
    # 95 % against 50 % stayed: a poor answer there costs about 45 points of retention.
    assert retention["effect_low"] < -45 < retention["effect_high"]
    assert retention["effect_high"] < -30


def _matrix(customers, poor_at_first):
    poor = np.zeros((customers, 2), dtype=np.int8)
    poor[:poor_at_first, 0] = 1
    poor[::2, 1] = 1
    outcome = np.where(np.arange(customers) % 3 == 0, 0.0, 100.0)
    return poor, outcome


def test_fewer_customers_than_the_minimum_are_refused_with_the_count():
    refusal, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS - 1, 60), [1, 2])
    assert refusal == f"{MIN_CUSTOMERS - 1} customers; at least {MIN_CUSTOMERS} are needed"
    assert drivers == []
    refusal, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS, 60), [1, 2])
    assert refusal == "" and {row["touchpoint_id"] for row in drivers if row["estimated"]} == {1, 2}


def test_a_touch_point_needs_the_minimum_of_poor_answers_to_be_estimated():
    _, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS, MIN_POOR - 1), [1, 2])
    listed = {row["touchpoint_id"]: row for row in drivers}
    assert listed[1]["estimated"] is False and listed[1]["poor"] == MIN_POOR - 1
    assert "importance" not in listed[1] and listed[2]["estimated"] is True
    _, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS, MIN_POOR), [1, 2])
    assert all(row["estimated"] for row in drivers)


def test_a_touch_point_needs_the_minimum_of_good_answers_too():
    _, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS, MIN_CUSTOMERS - MIN_POOR + 1), [1, 2])
    assert {row["touchpoint_id"]: row["estimated"] for row in drivers} == {1: False, 2: True}
    _, drivers = fit_drivers(*_matrix(MIN_CUSTOMERS, MIN_CUSTOMERS - MIN_POOR), [1, 2])
    assert all(row["estimated"] for row in drivers)


def test_the_same_outcome_for_everyone_is_refused():
    poor, _ = _matrix(MIN_CUSTOMERS, 60)
    refusal, _ = fit_drivers(poor, np.full(MIN_CUSTOMERS, 100.0), [1, 2])
    assert refusal == "every customer had the same outcome"


@pytest.mark.django_db
def test_the_rebuild_stores_a_refusal_below_the_minimum_and_replaces_the_last_result():
    touchpoints = [TouchpointFactory() for _ in range(2)]
    population(touchpoints, 50)
    drivers_rebuild()
    drivers_rebuild()  # whole, not added to
    assert DriverAnalysis.objects.count() == 2
    found = driver_analyses()
    assert found["retention"].enough is False
    assert found["retention"].refusal.startswith("50 customers")
    assert found["retention"].ranked == []


@pytest.mark.django_db
def test_nothing_computed_yet_reads_as_none():
    assert driver_analyses() == {"nps": None, "retention": None}


@pytest.mark.django_db
def test_the_task_clears_its_waiting_mark():
    from django.core.cache import cache

    from metrics import tasks

    cache.set(tasks._pending_key(tasks.DRIVERS_TASK), 1)
    tasks.drivers_rebuild_task()
    assert cache.get(tasks._pending_key(tasks.DRIVERS_TASK)) is None
