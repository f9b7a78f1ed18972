"""Tests for outsidein.analytics.stats: hand-worked examples, edge cases, properties.

Pure functions, no database. Hand computations use z(95%) = 1.959964 and are written out in
the comments so a reviewer can redo them on a calculator.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from outsidein.analytics.stats import (
    MINIMUM_N,
    Change,
    Estimate,
    compare_means,
    compare_nps,
    compare_proportions,
    mean,
    nps,
    nps_from_scores,
    proportion,
    response_rate,
)

# Deterministic and quick: the same examples every run, no deadline flakiness.
quick = settings(derandomize=True, max_examples=100, deadline=None, database=None)


def sums(values: list[float]) -> tuple[int, float, float]:
    """(n, Σx, Σx²) the way rollups keep them."""
    return len(values), float(sum(values)), float(sum(v * v for v in values))


def no_nan(obj: Estimate | Change) -> bool:
    return not any(isinstance(v, float) and math.isnan(v) for v in obj.to_dict().values())


# --------------------------------------------------------------------------- NPS


def test_nps_hand_worked_adjusted_wald() -> None:
    # P=50, passives=30, D=20 → n=100, NPS = 100 * (50 - 20) / 100 = 30.
    # Adjusted-Wald (Rocks 2016): n' = 103
    #   p' = 50.75 / 103 = 0.492718,  d' = 20.75 / 103 = 0.201456,  nps' = 30 / 103 = 0.291262
    #   p' + d' - nps'^2 = 0.694175 - 0.084834 = 0.609341
    #   se = sqrt(0.609341 / 103) = sqrt(0.0059159) = 0.076915
    #   z * se = 1.959964 * 0.076915 = 0.150750
    #   bounds = 100 * (0.291262 ∓ 0.150750) = 14.05 .. 44.20
    est = nps(50, 30, 20)
    assert est.value == pytest.approx(30.0)
    assert est.low == pytest.approx(14.05, abs=0.005)
    assert est.high == pytest.approx(44.20, abs=0.005)
    assert est.n == 100
    assert est.enough is True
    assert est.confidence == 0.95


def test_nps_all_promoters_is_clipped_at_100() -> None:
    # P=100: n'=103, p'=100.75/103=0.978155, d'=0.75/103=0.007282, nps'=100/103=0.970874
    #   p'+d'-nps'^2 = 0.985437 - 0.942596 = 0.042841; se = sqrt(0.042841/103) = 0.020394
    #   low = 100 * (0.970874 - 1.959964 * 0.020394) = 93.09; high 100 * 1.0108 → clipped 100
    est = nps(100, 0, 0)
    assert est.value == 100.0
    assert est.low == pytest.approx(93.09, abs=0.005)
    assert est.high == 100.0


def test_nps_all_detractors_mirrors_all_promoters() -> None:
    up, down = nps(100, 0, 0), nps(0, 0, 100)
    assert down.value == -100.0
    assert down.low == -100.0
    assert down.high == pytest.approx(-up.low)  # type: ignore[operator]


def test_nps_single_response_interval_widened_to_include_value() -> None:
    # n=1 promoter: n'=4, p'=0.4375, d'=0.1875, nps'=0.25,
    #   se = sqrt((0.625 - 0.0625)/4) = 0.375, high = 100*(0.25 + 1.959964*0.375) = 98.50 < 100.
    # The adjusted centre is shrunk to 0 so far that the interval would miss the observed 100;
    # it is widened to include it.
    est = nps(1, 0, 0)
    assert est.value == 100.0
    assert est.high == 100.0
    assert est.low == pytest.approx(100 * (0.25 - 1.959964 * 0.375), abs=1e-3)
    assert est.enough is False


def test_nps_no_responses() -> None:
    est = nps(0, 0, 0)
    assert est == Estimate(value=None, low=None, high=None, n=0, enough=False)
    assert est.to_dict() == {
        "value": None,
        "low": None,
        "high": None,
        "n": 0,
        "enough": False,
        "confidence": 0.95,
    }


def test_nps_minimum_n_boundary() -> None:
    assert nps(10, 10, 9).enough is False  # n = 29
    assert nps(10, 10, 10).enough is True  # n = 30 == MINIMUM_N
    assert MINIMUM_N == 30
    assert nps(1, 1, 1, minimum_n=3).enough is True


def test_nps_higher_confidence_is_wider() -> None:
    narrow, wide = nps(50, 30, 20, confidence=0.90), nps(50, 30, 20, confidence=0.99)
    assert wide.low < narrow.low < narrow.high < wide.high  # type: ignore[operator]


def test_nps_accepts_numpy_integers() -> None:
    counts = np.array([50, 30, 20])
    assert nps(*counts).value == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((-1, 0, 0), {}),
        ((1.5, 0, 0), {}),
        ((True, 0, 0), {}),
        ((1, 0, 0), {"confidence": 1.0}),
        ((1, 0, 0), {"confidence": 0.0}),
        ((1, 0, 0), {"confidence": 95}),
    ],
)
def test_nps_rejects_bad_input(args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        nps(*args, **kwargs)  # type: ignore[arg-type]


def test_nps_from_scores_buckets() -> None:
    # 9-10 promoter, 7-8 passive, 0-6 detractor
    assert nps_from_scores([10, 9, 8, 7, 6, 0, 5, 9]) == (3, 2, 3)
    assert nps_from_scores([]) == (0, 0, 0)
    assert nps_from_scores(iter(range(11))) == (2, 2, 7)
    assert nps_from_scores(np.array([9, 7, 3])) == (1, 1, 1)


@pytest.mark.parametrize("bad", [-1, 11, 7.5, "9", None, True])
def test_nps_from_scores_rejects_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError):
        nps_from_scores([9, bad])  # type: ignore[list-item]


def test_compare_nps_hand_worked() -> None:
    # a = (40, 30, 30): p=0.40, d=0.30, NPS 10;  b = (50, 30, 20): p=0.50, d=0.20, NPS 30
    # Var_a = (0.40 + 0.30 - 0.10^2) / 100 = 0.0069;  Var_b = (0.50 + 0.20 - 0.30^2) / 100 = 0.0061
    # se = sqrt(0.0130) = 0.114018 → 11.4018 points;  z = 20 / 11.4018 = 1.75411
    # p = 2 * (1 - Φ(1.75411)) = 0.0794  → not significant at 5%
    # interval = 20 ∓ 1.959964 * 11.4018 = 20 ∓ 22.3471 = -2.35 .. 42.35
    change = compare_nps((40, 30, 30), (50, 30, 20))
    assert change.difference == pytest.approx(20.0)
    assert change.p_value == pytest.approx(0.0794, abs=5e-5)
    assert change.low == pytest.approx(-2.35, abs=0.005)
    assert change.high == pytest.approx(42.35, abs=0.005)
    assert change.significant is False
    # Same shares at four times the n: se halves → z = 3.508, p = 0.00045, significant.
    bigger = compare_nps((160, 120, 120), (200, 120, 80))
    assert bigger.p_value == pytest.approx(2 * scipy_stats.norm.sf(20 / (11.4018 / 2)), rel=1e-4)
    assert bigger.significant is True


def test_compare_nps_too_small_group() -> None:
    empty = Change(difference=None, low=None, high=None, p_value=None, significant=False)
    assert compare_nps((10, 5, 5), (50, 30, 20)) == empty  # a has n = 20 < 30
    assert compare_nps((50, 30, 20), (0, 0, 0)) == empty
    assert compare_nps((0, 0, 0), (0, 0, 0), minimum_n=0) == empty
    assert compare_nps((10, 5, 5), (50, 30, 20), minimum_n=20).difference is not None


def test_compare_nps_zero_variance() -> None:
    # Everyone a promoter in both periods: no spread, no change → p = 1.
    same = compare_nps((40, 0, 0), (50, 0, 0))
    assert same.difference == 0.0
    assert same.p_value == 1.0
    assert (same.low, same.high) == (0.0, 0.0)
    assert same.significant is False
    # All detractors, then all promoters: +200 with no spread at all.
    flip = compare_nps((0, 0, 40), (50, 0, 0))
    assert flip.difference == 200.0
    assert flip.p_value == 0.0
    assert flip.significant is True


# --------------------------------------------------------------------------- proportions


def test_proportion_wilson_hand_worked() -> None:
    # 45 of 50 top-2-box: p = 0.9, z^2 = 3.841459
    #   denominator = 1 + 3.841459/50 = 1.076829
    #   centre = (0.9 + 3.841459/100) / 1.076829 = 0.938415 / 1.076829 = 0.871462
    #   half = 1.959964 * sqrt(0.9*0.1/50 + 3.841459/10000) / 1.076829
    #        = 1.959964 * sqrt(0.0021841) / 1.076829 = 0.091598 / 1.076829 = 0.085063
    #   → 78.64 % .. 95.65 %
    est = proportion(45, 50)
    assert est.value == pytest.approx(90.0)
    assert est.low == pytest.approx(78.64, abs=0.005)
    assert est.high == pytest.approx(95.65, abs=0.005)
    assert est.n == 50
    assert est.enough is True


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score)
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.00, 16.11),
        (1, 29, 0.61, 17.18),
    ],
)
def test_proportion_matches_newcombe_table(x: int, n: int, low: float, high: float) -> None:
    est = proportion(x, n)
    assert est.low == pytest.approx(low, abs=0.005)
    assert est.high == pytest.approx(high, abs=0.005)


def test_proportion_edges() -> None:
    assert proportion(0, 0) == Estimate(value=None, low=None, high=None, n=0, enough=False)
    full = proportion(40, 40)
    assert full.value == 100.0 and full.high == 100.0 and full.low < 100.0  # type: ignore[operator]
    none = proportion(0, 40)
    assert none.value == 0.0 and none.low == 0.0 and none.high > 0.0  # type: ignore[operator]
    with pytest.raises(ValueError, match="cannot exceed"):
        proportion(5, 4)
    with pytest.raises(ValueError):
        proportion(-1, 4)


def test_response_rate() -> None:
    est = response_rate(120, 400)
    assert est.value == pytest.approx(30.0)
    assert est.n == 400
    assert (est.low, est.high) == (proportion(120, 400).low, proportion(120, 400).high)
    assert response_rate(0, 0).value is None
    assert response_rate(0, 0).enough is False
    with pytest.raises(ValueError, match="cannot exceed invited"):
        response_rate(5, 3)


def test_compare_proportions_newcombe_example() -> None:
    # Newcombe (1998b), Statistics in Medicine 17:873-890, example (a): 56/70 vs 48/80.
    # a = 48/80 = 0.60 (earlier), b = 56/70 = 0.80 → difference +20 points.
    # Unpooled se = sqrt(0.6*0.4/80 + 0.8*0.2/70) = sqrt(0.003 + 0.0022857) = 0.072703
    #   interval = 0.2 ∓ 1.959964 * 0.072703 = 0.0575 .. 0.3425 (Newcombe's method 1)
    # Pooled P = 104/150 = 0.693333; se0 = sqrt(0.693333*0.306667*(1/80 + 1/70)) = 0.075467
    #   z = 0.2 / 0.075467 = 2.65016;  p = 2 * (1 - Φ(2.65016)) = 0.00805
    change = compare_proportions((48, 80), (56, 70))
    assert change.difference == pytest.approx(20.0)
    assert change.low == pytest.approx(5.75, abs=0.005)
    assert change.high == pytest.approx(34.25, abs=0.005)
    assert change.p_value == pytest.approx(0.00805, abs=5e-6)
    assert change.significant is True


def test_compare_proportions_edges() -> None:
    assert compare_proportions((5, 10), (20, 40)).difference is None  # a too small
    assert compare_proportions((5, 10), (20, 40)).significant is False
    both_full = compare_proportions((40, 40), (50, 50))
    assert both_full.difference == 0.0 and both_full.p_value == 1.0
    with pytest.raises(ValueError, match="cannot exceed"):
        compare_proportions((41, 40), (50, 50))


# --------------------------------------------------------------------------- means

SAMPLE = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]


def test_mean_t_interval_hand_worked_and_against_scipy() -> None:
    # n=8, Σx = 40, Σx² = 4 + 3*16 + 2*25 + 49 + 81 = 232 → mean 5
    # s² = (232 - 40²/8) / 7 = 32 / 7 = 4.571429;  se = sqrt(4.571429 / 8) = 0.755929
    # t(0.975, 7) = 2.364624;  half = 1.787485 → 3.2125 .. 6.7875
    n, total, total_sq = sums(SAMPLE)
    assert (n, total, total_sq) == (8, 40.0, 232.0)
    est = mean(n, total, total_sq)
    assert est.value == pytest.approx(5.0)
    assert est.low == pytest.approx(3.2125, abs=5e-5)
    assert est.high == pytest.approx(6.7875, abs=5e-5)
    low, high = scipy_stats.t.interval(
        0.95, df=7, loc=np.mean(SAMPLE), scale=scipy_stats.sem(SAMPLE)
    )
    assert est.low == pytest.approx(low, rel=1e-12)
    assert est.high == pytest.approx(high, rel=1e-12)
    assert est.enough is False


def test_mean_edges() -> None:
    assert mean(0, 0.0, 0.0) == Estimate(value=None, low=None, high=None, n=0, enough=False)
    single = mean(1, 4.0, 16.0)
    assert (single.value, single.low, single.high, single.n) == (4.0, None, None, 1)
    flat = mean(*sums([3.0] * 40))
    assert (flat.value, flat.low, flat.high, flat.enough) == (3.0, 3.0, 3.0, True)


def test_mean_float_residue_counts_as_zero_variance() -> None:
    # 0.1 + 0.1 + 0.1 = 0.30000000000000004 and Σx² - (Σx)²/n leaves a ~1e-18 residue.
    est = mean(*sums([0.1, 0.1, 0.1]))
    assert est.low == est.value == est.high


def test_mean_rejects_inconsistent_sums() -> None:
    with pytest.raises(ValueError, match="total_sq"):
        mean(3, 30.0, 10.0)  # Σx² must be at least (Σx)²/n = 300
    with pytest.raises(ValueError):
        mean(0, 5.0, 25.0)
    with pytest.raises(ValueError):
        mean(3, math.nan, 1.0)
    with pytest.raises(ValueError):
        mean(-1, 0.0, 0.0)


def test_compare_means_matches_scipy_welch() -> None:
    rng = np.random.default_rng(20240611)
    before = rng.integers(1, 8, size=45).astype(float)  # CES 1..7
    after = np.clip(rng.integers(1, 8, size=38) + 1, 1, 7).astype(float)
    change = compare_means(sums(before.tolist()), sums(after.tolist()))
    # ttest_ind(x, y) tests mean(x) - mean(y); ours is b - a, so x = after, y = before.
    ref = scipy_stats.ttest_ind(after, before, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert change.difference == pytest.approx(after.mean() - before.mean(), rel=1e-12)
    assert change.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert change.low == pytest.approx(ci.low, rel=1e-9)
    assert change.high == pytest.approx(ci.high, rel=1e-9)
    assert change.significant is bool(ref.pvalue < 0.05)


def test_compare_means_edges() -> None:
    a = sums(SAMPLE * 4)  # n = 32
    assert compare_means(sums(SAMPLE), a).difference is None  # n = 8 < 30
    assert compare_means(sums(SAMPLE), a, minimum_n=2).difference is not None
    # minimum_n below 2 still needs two values per group for a variance.
    assert compare_means(sums([5.0]), a, minimum_n=0).p_value is None
    flat = compare_means(sums([4.0] * 30), sums([4.0] * 30))
    assert (flat.difference, flat.p_value, flat.significant) == (0.0, 1.0, False)
    # One group without spread: df = n_other - 1, still a proper test.
    one_flat = compare_means(sums([5.0] * 32), a, minimum_n=2)
    ref = scipy_stats.ttest_ind(SAMPLE * 4, [5.0] * 32, equal_var=False)
    assert one_flat.p_value == pytest.approx(ref.pvalue, rel=1e-9)


# --------------------------------------------------------------------------- properties

counts = st.integers(min_value=0, max_value=2000)
confidences = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])


@quick
@given(counts, counts, counts, confidences)
def test_nps_bounds_contain_value_and_stay_in_range(
    p: int, pa: int, d: int, confidence: float
) -> None:
    est = nps(p, pa, d, confidence=confidence)
    assert no_nan(est)
    if p + pa + d == 0:
        assert est.value is est.low is est.high is None
        return
    assert est.low is not None and est.high is not None and est.value is not None
    assert -100.0 <= est.low <= est.value <= est.high <= 100.0


@quick
@given(st.integers(0, 2000), st.integers(0, 2000), confidences)
def test_proportion_bounds_contain_value_and_stay_in_range(
    x: int, extra: int, confidence: float
) -> None:
    est = proportion(x, x + extra, confidence=confidence)
    assert no_nan(est)
    if x + extra == 0:
        assert est.value is None
        return
    assert est.low is not None and est.high is not None and est.value is not None
    assert 0.0 <= est.low <= est.value <= est.high <= 100.0


@quick
@given(st.lists(st.integers(1, 7), min_size=2, max_size=200), confidences)
def test_mean_bounds_contain_value_and_stay_in_range(scores: list[int], confidence: float) -> None:
    est = mean(*sums([float(s) for s in scores]), confidence=confidence)
    assert no_nan(est)
    assert est.low is not None and est.high is not None and est.value is not None
    assert est.low <= est.value <= est.high
    # A mean of 1..7 scores lies in 1..7 (the interval itself may reach beyond at small n).
    assert 1.0 <= est.value <= 7.0


def width(est: Estimate) -> float:
    assert est.low is not None and est.high is not None
    return est.high - est.low


@quick
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(2, 20))
def test_nps_narrower_at_higher_n(p: int, pa: int, d: int, k: int) -> None:
    if p + pa + d == 0:
        return
    assert width(nps(k * p, k * pa, k * d)) <= width(nps(p, pa, d)) + 1e-9


@quick
@given(st.integers(0, 100), st.integers(0, 100), st.integers(2, 20))
def test_proportion_narrower_at_higher_n(x: int, extra: int, k: int) -> None:
    if x + extra == 0:
        return
    assert width(proportion(k * x, k * (x + extra))) <= width(proportion(x, x + extra)) + 1e-9


@quick
@given(st.lists(st.integers(1, 7), min_size=2, max_size=50), st.integers(2, 10))
def test_mean_narrower_at_higher_n(scores: list[int], k: int) -> None:
    values = [float(s) for s in scores]
    assert width(mean(*sums(values * k))) <= width(mean(*sums(values))) + 1e-9


def check_change(change: Change, confidence: float = 0.95) -> None:
    assert no_nan(change)
    if change.difference is None:
        assert change.low is change.high is change.p_value is None
        assert change.significant is False
        return
    assert change.low is not None and change.high is not None and change.p_value is not None
    assert change.low <= change.difference <= change.high
    assert 0.0 <= change.p_value <= 1.0
    assert change.significant is (change.p_value < 1 - confidence)


nps_groups = st.tuples(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300))


@quick
@given(nps_groups, nps_groups)
def test_compare_nps_is_antisymmetric(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    ab, ba = compare_nps(a, b), compare_nps(b, a)
    check_change(ab)
    check_change(ba)
    if ab.difference is None:
        assert ba.difference is None
        return
    assert ab.difference == pytest.approx(-ba.difference)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)
    assert -200.0 <= ab.low <= ab.high <= 200.0  # type: ignore[operator]


proportion_groups = st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@quick
@given(proportion_groups, proportion_groups)
def test_compare_proportions_is_antisymmetric(a: tuple[int, int], b: tuple[int, int]) -> None:
    ab, ba = compare_proportions(a, b), compare_proportions(b, a)
    check_change(ab)
    check_change(ba)
    if ab.difference is None:
        assert ba.difference is None
        return
    assert ab.difference == pytest.approx(-ba.difference)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)
    assert -100.0 <= ab.low <= ab.high <= 100.0  # type: ignore[operator]


score_lists = st.lists(st.integers(1, 7), min_size=0, max_size=80)


@quick
@given(score_lists, score_lists)
def test_compare_means_is_antisymmetric(a: list[int], b: list[int]) -> None:
    sa, sb = sums([float(x) for x in a]), sums([float(x) for x in b])
    ab, ba = compare_means(sa, sb), compare_means(sb, sa)
    check_change(ab)
    check_change(ba)
    if ab.difference is None:
        assert ba.difference is None
        return
    assert ab.difference == pytest.approx(-ba.difference)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)


def test_the_normal_tail_equals_scipys_across_the_range() -> None:
    from outsidein.analytics.stats import _normal_sf

    for z in (0.0, 0.001, 0.5, 1.0, 1.959964, 3.0, 5.0, 8.0, 12.0, 37.0):
        assert _normal_sf(z) == pytest.approx(float(scipy_stats.norm.sf(z)), rel=1e-12, abs=0)
