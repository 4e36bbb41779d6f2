"""Scores and intervals computed by hand."""

import math

import pytest

from metrics import stats


def test_nps_is_promoters_minus_detractors_with_the_adjusted_wald_interval() -> None:
    # 5 promoters, 3 passives, 2 detractors: NPS = 100 · (5 − 2)/10 = 30.
    # n' = 13, p' = 5.75/13, d' = 2.75/13, centre = 3/13 = 0.230769
    # var = (8.5/13 − (3/13)²)/13 = (0.653846 − 0.053254)/13 = 0.046199; √ = 0.214940
    estimate = stats.nps(5, 3, 2)
    assert estimate.value == pytest.approx(30.0)
    assert estimate.low == pytest.approx(100 * (3 / 13 - 1.959964 * 0.214940), abs=0.01)
    assert estimate.high == pytest.approx(100 * (3 / 13 + 1.959964 * 0.214940), abs=0.01)
    assert estimate.low == pytest.approx(-19.05, abs=0.01)
    assert not estimate.enough


def test_nps_interval_of_unanimous_promoters_still_has_width_and_stays_on_scale() -> None:
    estimate = stats.nps(4, 0, 0)
    assert estimate.value == 100
    assert estimate.high == 100.0  # clamped
    assert estimate.low is not None and estimate.low < 60


def test_csat_top_two_box_uses_the_agresti_coull_interval() -> None:
    # 40 of 50 satisfied: 80 %. ñ = 53.8415, p̃ = 41.9207/53.8415 = 0.778593
    estimate = stats.proportion(40, 50)
    half = 1.959964 * math.sqrt(0.778593 * (1 - 0.778593) / 53.8415)
    assert estimate.value == pytest.approx(80.0)
    assert estimate.low == pytest.approx(100 * (0.778593 - half), abs=0.01)
    assert estimate.enough


def test_ces_mean_has_a_t_interval_from_sums() -> None:
    # scores 3, 5, 7: mean 5, s² = 4, se = 2/√3, t(0.975, 2) = 4.303
    estimate = stats.mean(3, 15, 9 + 25 + 49)
    assert estimate.value == pytest.approx(5.0)
    assert estimate.high == pytest.approx(5 + 4.303 * 2 / math.sqrt(3), abs=1e-3)


def test_t_quantile_beyond_the_table_is_close_to_the_known_value() -> None:
    assert stats.t_quantile_975(60) == pytest.approx(2.0003, abs=1e-3)
    assert stats.t_quantile_975(1000) == pytest.approx(1.9623, abs=1e-3)


def test_no_responses_gives_no_score() -> None:
    assert stats.nps(0, 0, 0).value is None
    assert stats.mean(0, 0, 0).low is None


def test_a_drop_is_significant_only_when_the_intervals_do_not_overlap() -> None:
    before = stats.Estimate(40, 30, 50, 100)
    assert stats.intervals_separate(before, stats.Estimate(10, 0, 25, 100))
    assert not stats.intervals_separate(before, stats.Estimate(25, 15, 35, 100))
    assert not stats.intervals_separate(before, stats.Estimate(10, 0, 25, 10))  # too few
