"""Factories for the metrics app's tests."""

import itertools
from datetime import date, datetime, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from metrics.models import (
    KPI,
    Channel,
    Journey,
    JourneyStage,
    KPIObservation,
    Metric,
    SurveyResponse,
    Touchpoint,
)
from tests.factories import DepartmentFactory

_external_ids = itertools.count(1)


class JourneyFactory(DjangoModelFactory):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")
    slug = factory.Sequence(lambda n: f"journey-{n}")


class JourneyStageFactory(DjangoModelFactory):
    class Meta:
        model = JourneyStage

    journey = factory.SubFactory(JourneyFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: n)


class TouchpointFactory(DjangoModelFactory):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(JourneyStageFactory)
    name = factory.Sequence(lambda n: f"Touch point {n}")
    slug = factory.Sequence(lambda n: f"touch-point-{n}")
    channel = Channel.PHONE
    department = factory.SubFactory(DepartmentFactory)


class SurveyResponseFactory(DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    touchpoint = factory.SubFactory(TouchpointFactory)
    metric = Metric.NPS
    score = 9
    responded_at = factory.LazyFunction(
        lambda: timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    )
    source = "test"
    external_id = factory.LazyFunction(lambda: f"r{next(_external_ids)}")


class KPIFactory(DjangoModelFactory):
    class Meta:
        model = KPI

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    goal = 80.0


class KPIObservationFactory(DjangoModelFactory):
    class Meta:
        model = KPIObservation

    kpi = factory.SubFactory(KPIFactory)
    week_start = factory.Sequence(lambda n: date(2025, 1, 6) + timedelta(weeks=n))
    value = 80.0


def responses(touchpoint: Touchpoint, metric: str, scores: list[int], when: datetime) -> None:
    """Save one response per score, all at `when`."""
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=metric,
            score=score,
            responded_at=when,
            source="test",
            external_id=f"r{next(_external_ids)}",
        )
        for score in scores
    )


def response_table_structures() -> set[str]:
    """Every index, constraint and column default of the response table, as PostgreSQL defines
    them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'metrics_surveyresponse'::regclass UNION ALL "
            "SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'metrics_surveyresponse'::regclass UNION ALL "
            "SELECT a.attname || ' DEFAULT ' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '-') "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d "
            "  ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = 'metrics_surveyresponse'::regclass AND a.attnum > 0 "
            "AND NOT a.attisdropped"
        )
        return {row[0] for row in cursor.fetchall()}
