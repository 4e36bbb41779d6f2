"""Factories for the accountability app's tests."""

from datetime import time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accountability.models import (
    ActionItem,
    CXIssue,
    IssueOrigin,
    Meeting,
    MeetingSeries,
)
from metrics.models import Breach, BreachRule, Grain, Metric, Scope
from tests.factories import DepartmentFactory, UserFactory
from tests.metrics.factories import TouchpointFactory


def _later_today():
    """Within the hour, but never past local midnight: tests read "today" for due dates and
    days late, and a meeting that fell on tomorrow would shift every such figure by one."""
    now = timezone.localtime()
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=0)
    return min(now + timedelta(hours=1), max(end_of_day, now))


class MeetingSeriesFactory(DjangoModelFactory):
    class Meta:
        model = MeetingSeries

    name = factory.Sequence(lambda n: f"Customer accountability {n}")
    start_time = time(9, 0)
    weekday = 0
    chair = factory.SubFactory(UserFactory, role="cco")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    series = factory.SubFactory(MeetingSeriesFactory)
    scheduled_at = factory.LazyFunction(_later_today)


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"Action {n}")
    department = factory.SubFactory(DepartmentFactory)
    due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class CXIssueFactory(DjangoModelFactory):
    class Meta:
        model = CXIssue

    title = factory.Sequence(lambda n: f"Customers wait too long {n}")
    department = factory.SubFactory(DepartmentFactory)
    origin = IssueOrigin.MANUAL


class BreachFactory(DjangoModelFactory):
    class Meta:
        model = Breach

    metric = Metric.NPS
    scope = Scope.TOUCHPOINT
    touchpoint = factory.SubFactory(TouchpointFactory)
    scope_id = factory.LazyAttribute(lambda breach: breach.touchpoint.pk)
    grain = Grain.WEEK
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))
    value = -12.0
    low = -20.0
    high = -4.0
    n = 180
    rule = BreachRule.BELOW_FLOOR
    reference_value = 10.0
    detected_at = factory.LazyFunction(timezone.now)
