"""The score statistics of metrics/stats.py at their edges: the 30-response minimum, the t table
and its expansion, each interval with its clamps, the NPS categories, the drop and change tests
and the red/amber/green bands.

Pure functions, so no database: the reference figures are the documented formulas worked by hand
(or Student's t itself, integrated numerically), never the module's own output.
"""

import dataclasses
import math

import pytest

from metrics.stats import (
    CATEGORY_THRESHOLDS,
    MIN_RESPONSES,
    Z95,
    Estimate,
    change_is_significant,
    intervals_separate,
    mean,
    nps,
    nps_category,
    proportion,
    score,
    score_rag,
    standard_error,
    t_quantile_975,
    wholly_below,
)

approx = pytest.approx


def enough(value: float | None, low: float | None, high: float | None) -> Estimate:
    return Estimate(value, low, high, MIN_RESPONSES)


# --- The minimum sample --------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "is_enough"), [(0, False), (29, False), (30, True), (31, True)])
def test_a_score_is_read_from_30_responses_on(n, is_enough):
    assert MIN_RESPONSES == 30
    assert Estimate(1.0, 0.0, 2.0, n).enough is is_enough


# --- Student's t -------------------------------------------------------------------------------


def t_density(t: float, df: int) -> float:
    scale = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return scale * (1 + t * t / df) ** (-(df + 1) / 2)


def t_cdf(t: float, df: int, panels: int = 400) -> float:
    """P(T ≤ t) for t ≥ 0, by Simpson's rule on the density from 0 (the density is symmetric)."""
    h = t / panels
    odd = sum(t_density((2 * i - 1) * h, df) for i in range(1, panels // 2 + 1))
    even = sum(t_density(2 * i * h, df) for i in range(1, panels // 2))
    return 0.5 + (t_density(0, df) + 4 * odd + 2 * even + t_density(t, df)) * h / 3


@pytest.mark.parametrize("df", range(1, 31))
def test_the_t_table_holds_the_975_quantile_of_each_degree_of_freedom_to_three_decimals(df):
    tabled = t_quantile_975(df)
    assert round(tabled, 3) == tabled
    assert t_cdf(tabled - 0.0005, df) < 0.975 < t_cdf(tabled + 0.0005, df)


# Student's t 97.5 % quantiles to seven decimals (the density above, integrated and inverted).
T975_BEYOND_TABLE = {31: 2.0395134, 40: 2.0210754, 60: 2.0002978, 120: 1.9799304}


@pytest.mark.parametrize(("df", "exact"), T975_BEYOND_TABLE.items())
def test_beyond_the_table_the_expansion_misses_the_quantile_by_its_next_term_only(df, exact):
    """Abramowitz & Stegun 26.7.5: the two terms used, plus g3/df³, give t to within 3e-6."""
    z = Z95
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    assert t_quantile_975(df) + g3 / df**3 == approx(exact, abs=3e-6)


def test_the_table_ends_at_30_degrees_of_freedom_and_the_expansion_takes_over_at_31():
    assert t_quantile_975(30) == 2.042
    assert t_quantile_975(1) == 12.706
    assert t_quantile_975(31) != 2.042
    assert 1.96 < t_quantile_975(10_000) < 1.9603


@pytest.mark.parametrize("df", [0, -1])
def test_fewer_than_one_degree_of_freedom_is_refused(df):
    with pytest.raises(ValueError, match="at least 1"):
        t_quantile_975(df)


# --- NPS ---------------------------------------------------------------------------------------


def test_nps_is_promoters_minus_detractors_with_the_adjusted_wald_interval():
    # n = 100 → n' = 103, p' = 50.75/103, d' = 20.75/103.
    estimate = nps(50, 30, 20)
    assert estimate == Estimate(
        30.0, approx(14.0511302, abs=1e-6), approx(44.2012970, abs=1e-6), 100
    )


def test_nps_is_not_rounded_to_a_whole_number():
    assert nps(2, 0, 1).value == approx(100 / 3)
    assert nps(1, 1, 1).n == 3


def test_nps_of_an_evenly_split_sample_is_zero_with_a_symmetric_interval():
    estimate = nps(1, 1, 1)
    assert estimate.value == 0.0
    assert estimate.low == approx(-61.1126143, abs=1e-6)
    assert estimate.high == approx(61.1126143, abs=1e-6)


def test_an_nps_interval_is_clamped_to_plus_and_minus_100():
    assert nps(5, 0, 0) == Estimate(100.0, approx(17.4914530, abs=1e-6), 100.0, 5)
    assert nps(0, 0, 5) == Estimate(-100.0, -100.0, approx(-17.4914530, abs=1e-6), 5)
    assert nps(30, 0, 0) == Estimate(100.0, approx(78.6977239, abs=1e-6), 100.0, 30)


def test_an_estimate_cannot_be_altered_once_computed():
    estimate = nps(1, 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.value = 50.0  # type: ignore[misc]


def test_nps_of_no_responses_is_unknown():
    assert nps(0, 0, 0) == Estimate(None, None, None, 0)


@pytest.mark.parametrize(
    ("score_given", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_nps_categories_start_at_7_and_at_9(score_given, category):
    assert nps_category(score_given) == category


def test_category_thresholds_put_each_metrics_top_scores_first():
    nps_promoter, nps_passive = CATEGORY_THRESHOLDS["nps"]
    for value in range(11):
        category = (
            "promoter"
            if value >= nps_promoter
            else "passive"
            if value >= nps_passive
            else "detractor"
        )
        assert category == nps_category(value)
    # CSAT: the top-two box (4–5), then 3. CES (1–7, higher is easier): 5–7, then 4.
    assert CATEGORY_THRESHOLDS["csat"] == (4, 3)
    assert CATEGORY_THRESHOLDS["ces"] == (5, 4)
    assert set(CATEGORY_THRESHOLDS) == {"nps", "csat", "ces"}


# --- Proportions and means ---------------------------------------------------------------------


def test_a_proportion_has_the_agresti_coull_interval():
    # ñ = 60 + z², p̃ = (45 + z²/2)/ñ.
    assert proportion(45, 60) == Estimate(
        75.0, approx(62.6692604, abs=1e-6), approx(84.3221470, abs=1e-6), 60
    )
    assert proportion(3, 4) == Estimate(
        75.0, approx(28.9140661, abs=1e-6), approx(96.5913921, abs=1e-6), 4
    )


def test_a_proportion_is_not_rounded_to_a_whole_number():
    assert proportion(1, 3).value == approx(100 / 3)


def test_a_proportion_interval_is_clamped_to_0_and_100():
    assert proportion(0, 10) == Estimate(0.0, 0.0, approx(32.0887306, abs=1e-6), 10)
    assert proportion(10, 10) == Estimate(100.0, approx(67.9112694, abs=1e-6), 100.0, 10)


def test_a_proportion_of_no_responses_is_unknown():
    assert proportion(0, 0) == Estimate(None, None, None, 0)


def test_a_mean_has_the_t_interval_from_its_sums():
    # Scores 2, 4, 6: mean 4, s² = (56 − 12²/3)/2 = 4, half width t(2) · 2/√3.
    half = 4.303 * 2 / math.sqrt(3)
    assert mean(3, 12, 56) == Estimate(4.0, approx(4 - half), approx(4 + half), 3)
    # Scores 1, 2, 4: mean 7/3, s² = (21 − 7²/3)/2 = 7/3.
    half = 4.303 * math.sqrt(7 / 3 / 3)
    assert mean(3, 7, 21) == Estimate(approx(7 / 3), approx(7 / 3 - half), approx(7 / 3 + half), 3)
    # Two responses, 1 and 7: one degree of freedom.
    half = 12.706 * math.sqrt(18 / 2)
    assert mean(2, 8, 50) == Estimate(4.0, approx(4 - half), approx(4 + half), 2)


def test_a_mean_of_identical_scores_has_no_width_and_rounding_never_makes_it_negative():
    assert mean(31, 31 * 5, 31 * 25) == Estimate(5.0, 5.0, 5.0, 31)
    # Sums a hair inconsistent (as float rounding can leave them) read as zero spread.
    assert mean(2, 10, 49.9999) == Estimate(5.0, 5.0, 5.0, 2)


def test_a_mean_of_one_response_has_no_interval_and_of_none_no_value():
    assert mean(1, 6, 36) == Estimate(6.0, None, None, 1)
    assert mean(0, 0, 0) == Estimate(None, None, None, 0)


def as_stored(text: str) -> str:
    """The text as a database row hands it over: equal to the literal, but another object."""
    return "".join(list(text))


def test_each_metric_is_scored_on_its_own_scale():
    counts = {"n": 4, "promoters": 3, "passives": 0, "detractors": 1, "total": 14, "total_sq": 54}
    assert score(as_stored("nps"), **counts) == nps(3, 0, 1)
    assert score(as_stored("csat"), **counts) == proportion(3, 4)
    assert score(as_stored("ces"), **counts) == mean(4, 14, 54)
    # Unknown metrics sorting before, between and after the known ones.
    for unknown in ("aaa", "kpi", "rating"):
        with pytest.raises(ValueError, match=f"unknown metric '{unknown}'"):
            score(unknown, **counts)
    with pytest.raises(TypeError):
        score("nps", 4, 3, 0, 1, 14, 54)  # type: ignore[misc]


# --- A significant drop (breach detection) ------------------------------------------------------


def test_a_drop_is_significant_only_when_the_intervals_do_not_touch():
    earlier = enough(50.0, 40.0, 60.0)
    assert intervals_separate(earlier, enough(30.0, 20.0, 39.9)) is True
    assert intervals_separate(earlier, enough(30.0, 20.0, 40.0)) is False
    assert intervals_separate(earlier, enough(35.0, 25.0, 45.0)) is False
    # A rise is no drop, however large.
    assert intervals_separate(earlier, enough(80.0, 70.0, 90.0)) is False


@pytest.mark.parametrize(("n_before", "n_now"), [(29, 30), (30, 29)])
def test_a_drop_needs_30_responses_on_both_sides(n_before, n_now):
    assert (
        intervals_separate(Estimate(50.0, 40.0, 60.0, n_before), Estimate(10.0, 0.0, 20.0, n_now))
        is False
    )
    assert intervals_separate(Estimate(50.0, 40.0, 60.0, 30), Estimate(10.0, 0.0, 20.0, 30))


def test_a_drop_without_an_interval_is_never_significant():
    assert intervals_separate(enough(50.0, None, 60.0), enough(10.0, 0.0, 20.0)) is False
    assert intervals_separate(enough(50.0, 40.0, 60.0), enough(10.0, 0.0, None)) is False


# --- Below a floor (breach detection) ------------------------------------------------------------


def test_a_score_is_below_its_floor_only_when_its_whole_interval_is():
    assert wholly_below(enough(30.0, 20.0, 39.9), 40.0) is True
    assert wholly_below(enough(30.0, 20.0, 40.0), 40.0) is False
    assert wholly_below(enough(30.0, 20.0, 40.1), 40.0) is False
    # The score itself under the floor is not enough while its interval reaches it.
    assert wholly_below(enough(30.0, 20.0, 45.0), 40.0) is False


@pytest.mark.parametrize(("n", "below"), [(29, False), (30, True), (31, True)])
def test_a_score_is_below_its_floor_from_30_responses_on(n, below):
    assert wholly_below(Estimate(30.0, 20.0, 39.0, n), 40.0) is below


def test_a_score_without_an_interval_is_never_below_its_floor():
    assert wholly_below(enough(30.0, 20.0, None), 40.0) is False
    assert wholly_below(enough(None, None, None), 40.0) is False


# --- A significant change (the overview's arrows) ------------------------------------------------


def test_the_standard_error_is_read_back_from_a_95_percent_interval():
    assert standard_error(enough(10.0, 10.0 - 3 * Z95, 10.0 + 3 * Z95)) == approx(3.0)
    assert standard_error(enough(10.0, 4.0, 16.0)) == approx(12 / (2 * Z95))
    assert standard_error(enough(10.0, None, 16.0)) is None
    assert standard_error(enough(10.0, 4.0, None)) is None


def around(value: float, se: float, n: int = MIN_RESPONSES) -> Estimate:
    return Estimate(value, value - Z95 * se, value + Z95 * se, n)


def test_a_change_is_significant_beyond_1_96_combined_standard_errors_either_way():
    # se 3 and 4 combine to 5: the change must exceed 1.96 × 5 = 9.8.
    bar = Z95 * 5
    assert change_is_significant(around(50, 3), around(50 + bar * 1.001, 4)) is True
    assert change_is_significant(around(50, 3), around(50 - bar * 1.001, 4)) is True
    assert change_is_significant(around(50, 3), around(50 + bar * 0.999, 4)) is False
    assert change_is_significant(around(50, 3), around(50 - bar * 0.999, 4)) is False


def test_a_change_exactly_at_the_bar_is_not_significant():
    previous, current = around(0.0, 3.0), around(Z95 * 5, 4.0)
    bar = Z95 * math.hypot(standard_error(previous), standard_error(current))
    assert current.value - previous.value == bar  # the sums land exactly on the bar
    assert change_is_significant(previous, current) is False


@pytest.mark.parametrize(("n_before", "n_now"), [(29, 30), (30, 29)])
def test_a_change_needs_30_responses_on_both_sides(n_before, n_now):
    assert change_is_significant(around(0, 1, n_before), around(50, 1, n_now)) is False
    assert change_is_significant(around(0, 1, 30), around(50, 1, 30)) is True


def test_a_change_without_a_score_or_an_interval_is_never_significant():
    big = around(90, 1)
    assert change_is_significant(Estimate(None, 0.0, 2.0, 30), big) is False
    assert change_is_significant(big, Estimate(None, 0.0, 2.0, 30)) is False
    assert change_is_significant(Estimate(0.0, None, 2.0, 30), big) is False
    assert change_is_significant(big, Estimate(0.0, 0.0, None, 30)) is False


# --- Red, amber, green -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "colour"),
    [(50.1, "green"), (50.0, "green"), (49.9, "amber"), (45.0, "amber"), (44.9, "red")],
)
def test_a_score_is_green_at_its_target_amber_within_its_band_below_and_red_further(value, colour):
    assert score_rag(enough(value, value - 1, value + 1), 50.0, amber_band=5.0) == colour


@pytest.mark.parametrize(
    ("value", "colour"), [(50.0, "green"), (49.5, "amber"), (49.0, "amber"), (48.9, "red")]
)
def test_the_amber_band_is_the_one_given_not_a_constant(value, colour):
    assert score_rag(enough(value, value - 1, value + 1), 50.0, amber_band=1.0) == colour


def test_a_score_is_grey_without_a_target_a_value_or_enough_responses():
    assert score_rag(enough(60.0, 50.0, 70.0), None, amber_band=5.0) == "grey"
    assert score_rag(enough(None, None, None), 50.0, amber_band=5.0) == "grey"
    assert score_rag(Estimate(60.0, 50.0, 70.0, 29), 50.0, amber_band=5.0) == "grey"
    assert score_rag(Estimate(60.0, 50.0, 70.0, 30), 50.0, amber_band=5.0) == "green"
