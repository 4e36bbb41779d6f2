"""The metrics demo, seeded once for this module (the last 70 days of the default history, at
the same daily volume; each test reads it inside its own rolled-back transaction):

- its scores are read, not greyed out as "too few";
- its segments and channels differ beyond noise, so the overview's breakdowns have something
  to show.
"""

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cco.demo import seed_organisation
from metrics import demo as metrics_demo
from metrics.models import Grain, Metric, Rollup, Scope, Touchpoint
from metrics.selectors import latest_complete_period
from metrics.selectors.segments import breakdown
from metrics.stats import MIN_RESPONSES


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), transaction.atomic():
        seed_organisation()
        metrics_demo.seed(stdout=io.StringIO(), options={"days": 70})
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: None, db: None) -> None:
    """The seeded demo, for a test that reads it in a transaction of its own."""


def test_most_touch_points_read_with_enough_answers_in_the_latest_week_and_month(demo):
    """The demo's point: its scores are read, not greyed out as "too few" (n < 30).

    The last 70 days of the default history, at the same daily volume, hold the latest
    complete week and month whatever today is, at a quarter of the full seed's cost.
    """
    today = timezone.localdate()
    touchpoints = Touchpoint.objects.count()
    assert touchpoints == 40
    for grain in (Grain.WEEK, Grain.MONTH):
        period = latest_complete_period(grain, today)
        for metric in (Metric.NPS, Metric.CSAT, Metric.CES):
            enough = Rollup.objects.filter(
                scope=Scope.TOUCHPOINT,
                grain=grain,
                metric=metric,
                period_start=period,
                n__gte=MIN_RESPONSES,
            ).count()
            assert enough >= 0.9 * touchpoints, (grain, metric, enough)


def test_the_demo_segments_and_channels_differ_beyond_their_intervals(demo):
    today = timezone.localdate()
    span = {"scope": Scope.ORGANISATION, "scope_id": 0, "start": today - timedelta(days=89),
            "end": today, "metrics": ("nps",)}  # fmt: skip
    segments = {row.group: row.estimate for row in breakdown("segment", **span)}
    assert set(segments) == {"consumer", "enterprise", "small business"}
    assert all(estimate.enough for estimate in segments.values())
    # Enterprises answer warmest and small businesses coldest, beyond each other's interval.
    assert segments["enterprise"].low > segments["consumer"].high
    assert segments["consumer"].low > segments["small business"].high
    channels = sorted(
        (row.estimate for row in breakdown("channel", **span)), key=lambda e: e.value or 0
    )
    assert len(channels) == 7 and all(estimate.enough for estimate in channels)
    assert channels[-1].low > channels[0].high
