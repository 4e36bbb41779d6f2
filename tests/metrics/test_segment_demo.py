"""The demo's segments and channels differ beyond noise, so the overview's breakdowns have
something to show."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cco.demo import seed_organisation
from metrics import demo as metrics_demo
from metrics.models import Scope
from metrics.selectors.segments import breakdown


@pytest.mark.django_db
def test_the_demo_segments_and_channels_differ_beyond_their_intervals():
    seed_organisation()
    metrics_demo.seed(stdout=io.StringIO(), options={"days": 70})
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
