"""Breach detection (metrics/services/breaches.py) at its edges: the floor, the 30-response
minimum, the significant drop, which periods are read, and running twice.

Roll-ups are written directly: detection reads nothing else, and each count here is chosen to land
just below, at or just above a threshold. Wednesday 4 March 2026 is "today": the latest complete
week starts Monday 23 February (the one before, 16 February) and the latest complete month is
February (the one before, January).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from metrics import stats
from metrics.models import Breach, BreachRule, Grain, Metric, Rollup, Scope, Touchpoint
from metrics.services import breaches_detect
from metrics.signals import breaches_detected
from tests.metrics.factories import TouchpointFactory

TODAY = date(2026, 3, 4)
WEEK = date(2026, 2, 23)
WEEK_BEFORE = date(2026, 2, 16)
MONTH = date(2026, 2, 1)
MONTH_BEFORE = date(2026, 1, 1)

pytestmark = pytest.mark.django_db


def nps_rollup(
    touchpoint: Touchpoint,
    *,
    promoters: int,
    passives: int,
    detractors: int,
    period_start: date = WEEK,
    grain: str = Grain.WEEK,
    scope: str = Scope.TOUCHPOINT,
    scope_id: int | None = None,
) -> Rollup:
    n = promoters + passives + detractors
    return Rollup.objects.create(
        metric=Metric.NPS,
        scope=scope,
        scope_id=touchpoint.pk if scope_id is None else scope_id,
        grain=grain,
        period_start=period_start,
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        total=10 * promoters + 7 * passives,
        total_sq=100 * promoters + 49 * passives,
    )


def ces_rollup(touchpoint: Touchpoint, scores: list[int], *, period_start: date = WEEK) -> Rollup:
    return Rollup.objects.create(
        metric=Metric.CES,
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint.pk,
        grain=Grain.WEEK,
        period_start=period_start,
        n=len(scores),
        promoters=sum(s >= 5 for s in scores),
        passives=sum(s == 4 for s in scores),
        detractors=sum(s < 4 for s in scores),
        total=sum(scores),
        total_sq=sum(s * s for s in scores),
    )


def rules_found() -> list[tuple[str, str, date]]:
    return sorted(Breach.objects.values_list("rule", "grain", "period_start"))


# --- Below the floor ---------------------------------------------------------------------------


# NPS exactly 0 from 10 promoters, 10 passives and 10 detractors: its 95 % interval's upper
# bound is the edge a floor breach is judged at.
ZERO_HIGH = stats.nps(10, 10, 10).high


@pytest.mark.parametrize(
    ("floor", "breached"),
    [(ZERO_HIGH + 0.1, True), (ZERO_HIGH, False), (ZERO_HIGH - 0.1, False), (0.1, False)],
    ids=[
        "interval-wholly-below-the-floor",
        "upper-bound-at-the-floor",
        "upper-bound-just-above-the-floor",
        "score-below-but-interval-reaches-the-floor",
    ],
)
def test_a_score_breaches_its_floor_only_when_its_whole_interval_is_below_it(floor, breached):
    touchpoint = TouchpointFactory(nps_floor=floor)
    nps_rollup(touchpoint, promoters=10, passives=10, detractors=10)  # NPS exactly 0, n = 30

    new = breaches_detect(today=TODAY)

    assert rules_found() == ([(BreachRule.BELOW_FLOOR, Grain.WEEK, WEEK)] if breached else [])
    assert len(new) == int(breached)


@pytest.mark.parametrize(
    ("passives", "breached"),
    [(8, False), (9, True), (10, True)],
    ids=["29-responses", "30-responses", "31-responses"],
)
def test_a_floor_breach_needs_at_least_30_responses(passives, breached):
    touchpoint = TouchpointFactory(nps_floor=50.0)
    nps_rollup(touchpoint, promoters=1, passives=passives, detractors=20)  # far below the floor

    breaches_detect(today=TODAY)

    assert rules_found() == ([(BreachRule.BELOW_FLOOR, Grain.WEEK, WEEK)] if breached else [])


def test_a_floor_breach_records_the_score_its_interval_its_n_and_the_floor():
    touchpoint = TouchpointFactory(nps_floor=40.0)
    nps_rollup(touchpoint, promoters=10, passives=9, detractors=11)  # NPS −3.3, n = 30

    [breach_id] = breaches_detect(today=TODAY)

    breach = Breach.objects.get(pk=breach_id)
    assert breach.rule == BreachRule.BELOW_FLOOR
    assert breach.metric == Metric.NPS
    assert (breach.scope, breach.scope_id, breach.touchpoint_id) == (
        Scope.TOUCHPOINT,
        touchpoint.pk,
        touchpoint.pk,
    )
    assert (breach.grain, breach.period_start) == (Grain.WEEK, WEEK)
    assert breach.value == pytest.approx(-100 / 30)
    assert breach.n == 30
    assert breach.reference_value == 40.0
    assert breach.previous_value is None
    assert breach.summary == "-3.3, floor 40.0, no score the week before"
    assert breach.low is not None and breach.high is not None
    assert breach.low < breach.value < breach.high
    assert breach.detected_at is not None


def test_a_touch_point_without_a_floor_never_breaches_one():
    touchpoint = TouchpointFactory(nps_floor=None, csat_floor=90.0)
    nps_rollup(touchpoint, promoters=0, passives=0, detractors=40)

    assert breaches_detect(today=TODAY) == []
    assert Breach.objects.count() == 0


def test_each_metric_is_held_to_its_own_floor():
    touchpoint = TouchpointFactory(nps_floor=None, ces_floor=5.0)
    ces_rollup(touchpoint, [4] * 30)  # CES mean 4.0 < 5.0

    breaches_detect(today=TODAY)

    assert list(Breach.objects.values_list("metric", "rule", "value")) == [
        (Metric.CES, BreachRule.BELOW_FLOOR, 4.0)
    ]


def test_the_latest_complete_week_and_month_are_read_and_no_other_period():
    touchpoint = TouchpointFactory(nps_floor=50.0)
    low = {"promoters": 0, "passives": 10, "detractors": 30}
    nps_rollup(touchpoint, **low, period_start=date(2026, 3, 2))  # this week: not complete
    nps_rollup(touchpoint, **low, period_start=date(2026, 2, 9))  # two weeks back
    nps_rollup(touchpoint, **low, period_start=date(2026, 3, 1), grain=Grain.MONTH)  # this month
    nps_rollup(touchpoint, **low, period_start=date(2025, 12, 1), grain=Grain.MONTH)
    nps_rollup(touchpoint, **low, period_start=date(2026, 3, 4), grain=Grain.DAY)
    nps_rollup(touchpoint, **low, period_start=date(2026, 1, 1), grain=Grain.QUARTER)
    assert breaches_detect(today=TODAY) == []

    nps_rollup(touchpoint, **low, period_start=WEEK)
    nps_rollup(touchpoint, **low, period_start=MONTH, grain=Grain.MONTH)
    breaches_detect(today=TODAY)

    assert rules_found() == [
        (BreachRule.BELOW_FLOOR, Grain.MONTH, MONTH),
        (BreachRule.BELOW_FLOOR, Grain.WEEK, WEEK),
    ]


def test_only_touch_point_scores_are_judged_and_only_for_touch_points_that_exist():
    touchpoint = TouchpointFactory(nps_floor=50.0)
    low = {"promoters": 0, "passives": 10, "detractors": 30}
    nps_rollup(touchpoint, **low, scope=Scope.JOURNEY)
    nps_rollup(touchpoint, **low, scope_id=touchpoint.pk + 1000)

    assert breaches_detect(today=TODAY) == []


def test_a_touch_point_skipped_for_want_of_a_complete_period_does_not_stop_the_others():
    quiet = TouchpointFactory(nps_floor=50.0)  # created first: read first
    failing = TouchpointFactory(nps_floor=50.0)
    low = {"promoters": 0, "passives": 10, "detractors": 30}
    nps_rollup(quiet, **low, period_start=WEEK_BEFORE)
    nps_rollup(failing, **low)

    breaches_detect(today=TODAY)

    assert list(Breach.objects.values_list("scope_id", "rule")) == [
        (failing.pk, BreachRule.BELOW_FLOOR)
    ]


def test_running_detection_twice_adds_nothing_the_second_time():
    touchpoint = TouchpointFactory(nps_floor=50.0)
    nps_rollup(touchpoint, promoters=0, passives=10, detractors=30)
    nps_rollup(
        touchpoint, promoters=0, passives=10, detractors=30, period_start=MONTH, grain=Grain.MONTH
    )

    first = breaches_detect(today=TODAY)
    second = breaches_detect(today=TODAY)

    assert len(first) == 2
    assert second == []
    assert sorted(Breach.objects.values_list("pk", flat=True)) == sorted(first)


def test_a_breach_already_recorded_by_hand_is_kept_and_the_other_rules_still_recorded():
    touchpoint = TouchpointFactory(nps_floor=50.0)
    nps_rollup(touchpoint, promoters=40, passives=0, detractors=0, period_start=WEEK_BEFORE)
    nps_rollup(touchpoint, promoters=0, passives=10, detractors=30)
    kept = Breach.objects.create(
        metric=Metric.NPS,
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint.pk,
        touchpoint=touchpoint,
        grain=Grain.WEEK,
        period_start=WEEK,
        value=-75.0,
        n=40,
        rule=BreachRule.BELOW_FLOOR,
        reference_value=50.0,
        detected_at=timezone.now(),
    )

    new = breaches_detect(today=TODAY)

    assert Breach.objects.get(pk=kept.pk).value == -75.0
    assert list(Breach.objects.filter(pk__in=new).values_list("rule", flat=True)) == [
        BreachRule.SIGNIFICANT_DROP
    ]
    assert Breach.objects.count() == 2


def test_the_same_rule_in_another_period_or_touch_point_is_a_new_breach():
    first, second = TouchpointFactory(nps_floor=50.0), TouchpointFactory(nps_floor=50.0)
    low = {"promoters": 0, "passives": 10, "detractors": 30}
    nps_rollup(first, **low)
    nps_rollup(second, **low)
    Breach.objects.create(
        metric=Metric.NPS,
        scope=Scope.TOUCHPOINT,
        scope_id=first.pk,
        touchpoint=first,
        grain=Grain.WEEK,
        period_start=WEEK_BEFORE,
        value=-75.0,
        n=40,
        rule=BreachRule.BELOW_FLOOR,
        detected_at=timezone.now(),
    )

    new = breaches_detect(today=TODAY)

    assert sorted(Breach.objects.filter(pk__in=new).values_list("scope_id", "period_start")) == (
        sorted([(first.pk, WEEK), (second.pk, WEEK)])
    )


# --- Significant drop --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "dropped"),
    [
        (30, 30, True),
        (29, 30, False),
        (30, 29, False),
        (31, 31, True),
    ],
    ids=["30-and-30", "29-before", "29-now", "31-and-31"],
)
def test_a_significant_drop_needs_30_responses_in_both_periods(before, now, dropped):
    touchpoint = TouchpointFactory(nps_floor=None)
    nps_rollup(touchpoint, promoters=before, passives=0, detractors=0, period_start=WEEK_BEFORE)
    nps_rollup(touchpoint, promoters=0, passives=0, detractors=now)

    new = breaches_detect(today=TODAY)

    expected = [(BreachRule.SIGNIFICANT_DROP, Grain.WEEK, WEEK)] if dropped else []
    assert rules_found() == expected
    assert len(new) == len(expected)


def test_a_significant_drop_records_the_previous_score_as_its_reference():
    touchpoint = TouchpointFactory(nps_floor=None)
    nps_rollup(
        touchpoint,
        promoters=30,
        passives=10,
        detractors=0,
        period_start=MONTH_BEFORE,
        grain=Grain.MONTH,
    )
    nps_rollup(
        touchpoint, promoters=0, passives=10, detractors=30, period_start=MONTH, grain=Grain.MONTH
    )

    [breach_id] = breaches_detect(today=TODAY)

    breach = Breach.objects.get(pk=breach_id)
    assert (breach.rule, breach.grain, breach.period_start) == (
        BreachRule.SIGNIFICANT_DROP,
        Grain.MONTH,
        MONTH,
    )
    assert breach.reference_value == pytest.approx(75.0)
    assert breach.value == pytest.approx(-75.0)
    assert breach.n == 40


def test_a_score_that_rises_or_falls_within_the_noise_is_no_drop():
    rising, wobbling = TouchpointFactory(nps_floor=None), TouchpointFactory(nps_floor=None)
    nps_rollup(rising, promoters=0, passives=10, detractors=30, period_start=WEEK_BEFORE)
    nps_rollup(rising, promoters=30, passives=10, detractors=0)
    nps_rollup(wobbling, promoters=20, passives=10, detractors=10, period_start=WEEK_BEFORE)
    nps_rollup(wobbling, promoters=18, passives=10, detractors=12)

    assert breaches_detect(today=TODAY) == []


def test_a_first_period_with_nothing_before_it_is_no_drop():
    touchpoint = TouchpointFactory(nps_floor=None)
    nps_rollup(touchpoint, promoters=0, passives=0, detractors=40)
    nps_rollup(touchpoint, promoters=40, passives=0, detractors=0, period_start=date(2026, 2, 9))

    assert breaches_detect(today=TODAY) == []


def test_a_score_both_below_its_floor_and_dropping_is_two_breaches():
    touchpoint = TouchpointFactory(nps_floor=0.0)
    nps_rollup(touchpoint, promoters=40, passives=0, detractors=0, period_start=WEEK_BEFORE)
    nps_rollup(touchpoint, promoters=0, passives=0, detractors=40)

    breaches_detect(today=TODAY)

    assert rules_found() == [
        (BreachRule.BELOW_FLOOR, Grain.WEEK, WEEK),
        (BreachRule.SIGNIFICANT_DROP, Grain.WEEK, WEEK),
    ]


def test_a_failure_midway_records_no_breach_at_all(monkeypatch):
    touchpoint = TouchpointFactory(nps_floor=0.0)
    nps_rollup(touchpoint, promoters=40, passives=0, detractors=0, period_start=WEEK_BEFORE)
    nps_rollup(touchpoint, promoters=0, passives=0, detractors=40)
    save = Breach.save
    saved: list[int] = []

    def fail_second(self, *args, **kwargs):
        if saved:
            raise RuntimeError("the database went away")
        save(self, *args, **kwargs)
        saved.append(self.pk)

    monkeypatch.setattr(Breach, "save", fail_second)
    with pytest.raises(RuntimeError):
        breaches_detect(today=TODAY)
    monkeypatch.undo()

    assert len(saved) == 1
    assert Breach.objects.count() == 0


# --- What happens after ------------------------------------------------------------------------


def test_new_breaches_are_announced_once_the_detection_commits(django_capture_on_commit_callbacks):
    touchpoint = TouchpointFactory(nps_floor=50.0)
    nps_rollup(touchpoint, promoters=0, passives=10, detractors=30)
    heard: list[list[int]] = []

    def listen(sender, breach_ids, **kwargs):
        heard.append(breach_ids)

    breaches_detected.connect(listen, dispatch_uid="breach-rules-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            new = breaches_detect(today=TODAY)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            breaches_detect(today=TODAY)
    finally:
        breaches_detected.disconnect(dispatch_uid="breach-rules-listener")

    assert heard == [new]
    assert callbacks == []


def test_without_a_date_detection_reads_the_periods_before_today():
    touchpoint = TouchpointFactory(nps_floor=50.0)
    nps_rollup(touchpoint, promoters=0, passives=10, detractors=30)

    noon = datetime(2026, 3, 4, 12, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        breaches_detect()

    assert rules_found() == [(BreachRule.BELOW_FLOOR, Grain.WEEK, WEEK)]


def test_a_breach_names_the_score_the_floor_and_the_period_before():
    touchpoint = TouchpointFactory(nps_floor=40.0)
    nps_rollup(touchpoint, promoters=10, passives=9, detractors=11)  # NPS −3.3
    nps_rollup(touchpoint, promoters=20, passives=5, detractors=5, period_start=WEEK_BEFORE)

    breaches_detect(today=TODAY)

    breach = Breach.objects.get(rule=BreachRule.BELOW_FLOOR, grain=Grain.WEEK)
    assert breach.previous_value == pytest.approx(50.0)
    assert breach.summary == "-3.3, floor 40.0, was 50.0 last week"
