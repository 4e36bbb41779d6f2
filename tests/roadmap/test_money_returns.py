"""The return figure, pure: each rule of roadmap.stats.returns at its boundary — the time to
impact (the day before and the day it passes), a complete month since the start, the minimum
customers (29/30) and KPI weeks (3/4), the budget (0 / above 0) — and the money value of each
measure worked by hand."""

from datetime import date

import pytest

from metrics import stats
from roadmap.stats import TOO_EARLY, measured_baseline, result_verdict
from roadmap.stats.returns import (
    MEASURED,
    NO_BASELINE,
    NO_BUDGET,
    NOT_IN_MONEY,
    WEEKS_PER_YEAR,
    initiative_return,
    result_value,
)
from roadmap.windows import Reading

START = date(2026, 1, 1)
BY = date(2027, 1, 1)


def retention_reader(before: tuple[int, int], after: tuple[int, int], base: float = 100_000.0):
    """Retained/customers before the start and after it, whatever the window."""

    def read(start: date, end: date) -> Reading:
        retained, customers = before if end <= START else after
        estimate = stats.wilson(retained, customers)
        return Reading(start, end, customers, estimate.value, estimate.low, estimate.high,
                       noun="customers", minimum=30, base=base)  # fmt: skip

    return read


def kpi_reader(before: float, after: float, weeks: int):
    def read(start: date, end: date) -> Reading:
        value = before if end <= START else after
        return Reading(start, end, weeks, value, value - 100, value + 100, noun="weeks", minimum=4)

    return read


def judge(read, *, today: date, measure: str, target: float, typed: float | None = None):
    baseline = measured_baseline(measure, [], start=START, today=today, typed=typed, read=read)
    verdict = result_verdict(
        metric=measure, months=[], baseline=baseline.value, target=target, start=START,
        by_date=BY, today=today, time_to_impact=3, read=read,
        higher_is_better=measure != "cost_to_serve",
    )  # fmt: skip
    return result_value(measure=measure, verdict=verdict, baseline=baseline, target=target)


def test_a_retention_result_is_too_early_the_day_before_the_time_to_impact_and_measured_on_it():
    read = retention_reader((80, 100), (90, 100))
    before = judge(read, today=date(2026, 3, 31), measure="retention", target=95)
    assert before.kind == TOO_EARLY and "judged from 01 Apr 2026" in before.reason
    on_the_day = judge(read, today=date(2026, 4, 1), measure="retention", target=95)
    assert on_the_day.kind == MEASURED


def test_a_result_is_too_early_until_a_complete_month_since_the_start():
    read = retention_reader((80, 100), (90, 100))
    baseline = measured_baseline("retention", [], start=START, today=date(2026, 1, 31), read=read)
    verdict = result_verdict(metric="retention", months=[], baseline=baseline.value, target=95,
                             start=START, by_date=BY, today=date(2026, 1, 31),
                             time_to_impact=0, read=read)  # fmt: skip
    value = result_value(measure="retention", verdict=verdict, baseline=baseline, target=95)
    assert value.kind == TOO_EARLY and value.reason == "no complete month since the start yet"
    verdict = result_verdict(metric="retention", months=[], baseline=baseline.value, target=95,
                             start=START, by_date=BY, today=date(2026, 2, 1),
                             time_to_impact=0, read=read)  # fmt: skip
    assert result_value(measure="retention", verdict=verdict, baseline=baseline,
                        target=95).kind == MEASURED  # fmt: skip


def test_retention_needs_30_customers_after_the_start_29_are_too_early():
    today = date(2026, 6, 1)
    short = judge(retention_reader((80, 100), (26, 29)), today=today, measure="retention",
                  target=95)  # fmt: skip
    assert short.kind == TOO_EARLY
    assert short.reason == "29 customers since the start (Jan–May 2026); 30 needed"
    enough = judge(retention_reader((80, 100), (27, 30)), today=today, measure="retention",
                   target=95)  # fmt: skip
    assert enough.kind == MEASURED


def test_a_kpi_needs_4_weeks_after_the_start_3_are_too_early():
    today = date(2026, 6, 1)
    three = judge(kpi_reader(52_000, 47_000, 3), today=today, measure="cost_to_serve",
                  target=45_000)  # fmt: skip
    assert three.kind == TOO_EARLY and "3 weeks since the start" in three.reason
    four = judge(kpi_reader(52_000, 47_000, 4), today=today, measure="cost_to_serve",
                 target=45_000)  # fmt: skip
    assert four.kind == MEASURED


def test_retention_change_is_valued_on_the_revenue_at_stake_with_the_interval_carried():
    value = judge(retention_reader((80, 100), (90, 100), base=200_000), today=date(2026, 6, 1),
                  measure="retention", target=95)  # fmt: skip
    # 10 points of 200,000 is 20,000 a year; the target (15 points) would be 30,000.
    assert value.actual.value == pytest.approx(20_000)
    assert value.expected.value == pytest.approx(30_000)
    before, after = stats.wilson(80, 100), stats.wilson(90, 100)
    half = (((after.high - after.low) / 2) ** 2 + ((before.high - before.low) / 2) ** 2) ** 0.5
    assert value.actual.low == pytest.approx((10 - half) / 100 * 200_000)
    assert value.actual.high == pytest.approx((10 + half) / 100 * 200_000)


def test_a_typed_baseline_counts_as_exact_in_the_interval():
    value = judge(retention_reader((80, 100), (90, 100), base=100_000), today=date(2026, 6, 1),
                  measure="retention", target=95, typed=80.0)  # fmt: skip
    after = stats.wilson(90, 100)
    half = (after.high - after.low) / 2
    assert value.actual.low == pytest.approx((10 - half) / 100 * 100_000)


def test_cost_to_serve_saved_is_a_years_worth_of_the_weekly_fall():
    value = judge(kpi_reader(52_000, 47_000, 20), today=date(2026, 6, 1), measure="cost_to_serve",
                  target=45_000)  # fmt: skip
    assert value.actual.value == pytest.approx(5_000 * WEEKS_PER_YEAR)
    assert value.expected.value == pytest.approx(7_000 * WEEKS_PER_YEAR)


def test_revenue_change_is_the_change_per_customer_times_the_customers():
    def read(start: date, end: date) -> Reading:
        mean = 1_000.0 if end <= START else 1_100.0
        return Reading(start, end, 50, mean, None, None, noun="customers", minimum=30)

    value = judge(read, today=date(2026, 6, 1), measure="revenue", target=1_200)
    assert value.actual.value == pytest.approx(100 * 50)
    assert value.actual.low is None and value.expected.value == pytest.approx(200 * 50)


def test_nps_is_not_in_money_and_an_initiative_with_only_scores_has_no_return():
    read = kpi_reader(10, 20, 100)
    value = judge(read, today=date(2026, 6, 1), measure="nps", target=30)
    assert value.kind == NOT_IN_MONEY
    money = initiative_return([value], budget=50_000)
    assert money.kind == NOT_IN_MONEY and money.ratio is None
    assert "no expected result is stated in money" in money.text


def test_no_baseline_means_no_money_value():
    value = judge(retention_reader((5, 10), (90, 100)), today=date(2026, 6, 1),
                  measure="retention", target=95)  # fmt: skip
    assert value.kind == NO_BASELINE


def test_the_return_is_value_less_budget_over_budget_and_needs_a_budget_above_0():
    value = judge(kpi_reader(52_000, 47_000, 20), today=date(2026, 6, 1), measure="cost_to_serve",
                  target=45_000)  # fmt: skip
    money = initiative_return([value], budget=130_000)
    assert money.kind == MEASURED
    assert money.ratio.value == pytest.approx((260_000 - 130_000) / 130_000)
    assert money.expected_ratio == pytest.approx((364_000 - 130_000) / 130_000)
    assert money.text.startswith("+100 %")
    assert initiative_return([value], budget=0).kind == NO_BUDGET
    assert initiative_return([value], budget=None).kind == NO_BUDGET
    assert initiative_return([value], budget=0.01).kind == MEASURED


def test_a_negative_return_reads_with_a_minus_sign():
    value = judge(kpi_reader(52_000, 51_000, 20), today=date(2026, 6, 1), measure="cost_to_serve",
                  target=45_000)  # fmt: skip
    money = initiative_return([value], budget=104_000)
    assert money.ratio.value == pytest.approx(-0.5)
    assert money.text.startswith("−50 %")


def test_one_money_result_too_early_makes_the_initiatives_return_too_early():
    measured = judge(kpi_reader(52_000, 47_000, 20), today=date(2026, 6, 1),
                     measure="cost_to_serve", target=45_000)  # fmt: skip
    early = judge(retention_reader((80, 100), (10, 12)), today=date(2026, 6, 1),
                  measure="retention", target=95)  # fmt: skip
    money = initiative_return([measured, early], budget=100_000)
    assert money.kind == TOO_EARLY and "12 customers since the start" in money.reason
    scores_aside = judge(kpi_reader(1, 2, 100), today=date(2026, 6, 1), measure="nps", target=30)
    both = initiative_return([measured, scores_aside], budget=100_000)
    assert both.kind == MEASURED and both.value.value == pytest.approx(260_000)
