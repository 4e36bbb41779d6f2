"""The headline score never goes blank because a month just began: the last 30 days, widened
to 90 and then 365 days (and saying so) when fewer than 30 answered."""

from datetime import date, timedelta

import pytest
import time_machine

from metrics.models import Grain, Metric, Rollup, Scope, Touchpoint
from metrics.selectors import headline_window, touchpoint_rows
from metrics.selectors.windows import HEADLINE_WINDOWS
from tests.metrics.factories import TouchpointFactory

TODAY = date(2026, 12, 2)  # two days into a month: a calendar month would be nearly empty

pytestmark = pytest.mark.django_db


def day_rollup(touchpoint: Touchpoint, day: date, *, promoters: int, detractors: int = 0) -> None:
    n = promoters + detractors
    Rollup.objects.create(
        metric=Metric.NPS,
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint.pk,
        grain=Grain.DAY,
        period_start=day,
        n=n,
        promoters=promoters,
        passives=0,
        detractors=detractors,
        total=10 * promoters,
        total_sq=100 * promoters,
    )


def window(touchpoint: Touchpoint):
    return headline_window(
        metric=Metric.NPS, scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk, today=TODAY
    )


def test_thirty_answers_in_the_last_thirty_days_fill_the_headline():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY - timedelta(days=29), promoters=30)  # first day of the window
    headline = window(touchpoint)
    assert (headline.days, headline.widened, headline.current.n) == (30, False, 30)
    assert headline.label == "last 30 days"
    assert headline.note == ""
    assert (headline.current.start, headline.current.end) == (TODAY - timedelta(days=29), TODAY)
    assert headline.current.value == 100.0


def test_twenty_nine_answers_widen_the_window_and_say_why():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY, promoters=29)
    day_rollup(touchpoint, TODAY - timedelta(days=30), promoters=1)  # just outside 30 days
    headline = window(touchpoint)
    assert (headline.days, headline.widened, headline.current.n) == (90, True, 30)
    assert headline.label == "last 90 days"
    assert headline.note == "widened to 90 days: fewer than 30 responses in the last 30"


def test_a_window_widens_to_a_year_and_then_shows_too_few():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY - timedelta(days=89), promoters=20)  # last day of 90
    day_rollup(touchpoint, TODAY - timedelta(days=364), promoters=9)  # last day of 365
    headline = window(touchpoint)
    assert (headline.days, headline.current.n, headline.current.enough) == (365, 29, False)
    day_rollup(touchpoint, TODAY - timedelta(days=200), promoters=1)
    assert window(touchpoint).current.enough


def test_nobody_in_a_year_gives_no_headline_at_all():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY - timedelta(days=365), promoters=50)  # a day too old
    assert window(touchpoint) is None


def test_the_trend_compares_the_window_with_the_one_before_of_the_same_length():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY, promoters=60)
    day_rollup(touchpoint, TODAY - timedelta(days=30), detractors=60, promoters=0)  # previous
    headline = window(touchpoint)
    assert headline.previous.start == TODAY - timedelta(days=59)
    assert headline.previous.end == TODAY - timedelta(days=30)
    assert (headline.current.value, headline.previous.value) == (100.0, -100.0)
    assert headline.trend == "up"


def test_overlapping_intervals_show_no_significant_change():
    touchpoint = TouchpointFactory()
    day_rollup(touchpoint, TODAY, promoters=20, detractors=20)
    day_rollup(touchpoint, TODAY - timedelta(days=31), promoters=21, detractors=19)
    assert window(touchpoint).trend == "flat"


def test_rows_for_many_touch_points_read_once(django_assert_num_queries):
    touchpoints = [TouchpointFactory() for _ in range(3)]
    for touchpoint in touchpoints:
        day_rollup(touchpoint, TODAY, promoters=40)
    with django_assert_num_queries(1):
        rows = touchpoint_rows(touchpoints, today=TODAY)
    assert [row.latest.n for row in rows] == [40, 40, 40]
    assert all(row.window.days == HEADLINE_WINDOWS[0] for row in rows)


@time_machine.travel("2026-12-02 12:00:00+00:00", tick=False)
def test_the_touch_point_pages_name_the_window(client_for, executive):
    touchpoint = TouchpointFactory(nps_floor=0)
    day_rollup(touchpoint, TODAY - timedelta(days=40), promoters=35)  # only in 90 days
    client = client_for(executive)
    detail = client.get(touchpoint.get_absolute_url()).content.decode()
    assert "Last 90 days" in detail
    assert "Widened to 90 days: fewer than 30 responses in the last 30" in detail
    listing = client.get("/metrics/").content.decode()
    assert "NPS, last 30 days" in listing
    assert "(last 90 days)" in listing
