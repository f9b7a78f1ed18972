"""Tests for outsidein.centricity.stats: hand-worked examples, bad input, and agreement with an
independent computation (NumPy covariance, SciPy's Welch test and Pearson r) on random data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from outsidein.centricity.stats import newcombe_difference, reliability, welch_difference

quick = settings(derandomize=True, max_examples=60, deadline=None, database=None)


def no_nan(obj: object) -> bool:
    values = obj.to_dict().values()  # type: ignore[attr-defined]
    return not any(isinstance(v, float) and math.isnan(v) for v in values)


# --------------------------------------------------------------------------- Cronbach's alpha


def test_alpha_hand_worked() -> None:
    # Four people, three items:      totals
    #   1 2 3                          6
    #   2 3 3                          8
    #   3 3 4                         10
    #   4 5 5                         14
    # Item variances (n-1): a: mean 2.5, SS = 2.25+.25+.25+2.25 = 5 → 5/3
    #   b: mean 3.25, SS = 1.5625+.0625+.0625+3.0625 = 4.75 → 4.75/3
    #   c: mean 3.75, SS = .5625+.5625+.0625+1.5625 = 2.75 → 2.75/3
    #   Σ = 12.5/3 = 4.1667
    # Totals: mean 9.5, SS = 12.25+2.25+.25+20.25 = 35 → 35/3 = 11.6667
    # alpha = 3/2 * (1 - 12.5/35) = 1.5 * 0.642857 = 0.964286
    result = reliability([[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]], ["a", "b", "c"])
    assert result.alpha == pytest.approx(0.964286, abs=1e-6)
    assert result.n == 4 and result.k == 3 and result.reason is None
    # Alpha without a: items b, c; totals 5, 6, 7, 10 (SS: mean 7 → 4+1+0+9 = 14 → 14/3)
    #   2 * (1 - (4.75 + 2.75)/14) = 2 * 0.464286 = 0.928571
    assert result.items[0].alpha_if_deleted == pytest.approx(0.928571, abs=1e-6)
    # Item-rest of a: a = 1,2,3,4 vs rest (b+c) = 5,6,7,10 → r = 8.5 / sqrt(5 * 14) = 0.956183
    assert result.items[0].item_rest == pytest.approx(0.956183, abs=1e-6)
    assert not any(item.weakens for item in result.items)


def test_a_weak_item_is_flagged() -> None:
    rows = [[1, 1, 4], [2, 2, 2], [3, 3, 5], [4, 4, 1], [5, 5, 3], [6, 6, 4]]
    result = reliability(rows, ["a", "b", "noise"])
    flagged = {item.key for item in result.items if item.weakens}
    assert flagged == {"noise"}
    noise = result.items[2]
    assert noise.alpha_if_deleted is not None and noise.alpha_if_deleted > result.alpha  # type: ignore[operator]


@pytest.mark.parametrize(
    ("rows", "keys", "reason"),
    [
        ([[3], [4], [5]], ["only"], "one_item"),
        ([[1, 2], [2, 3]], ["a", "b"], "too_few"),
        ([[4, 4], [4, 4], [4, 4], [4, 4]], ["a", "b"], "no_variance"),
        ([], ["a", "b"], "too_few"),
        ([[1, None], [None, 2], [3, 3]], ["a", "b"], "too_few"),
    ],
    ids=["one-item", "two-people", "all-equal", "nobody", "incomplete-rows"],
)
def test_alpha_undefined_says_why(rows: list, keys: list[str], reason: str) -> None:
    result = reliability(rows, keys)
    assert result.alpha is None
    assert result.reason == reason
    assert no_nan(result)
    assert result.acceptable is False


def test_one_item_without_variance_is_flagged_not_nan() -> None:
    rows = [[1, 4, 2], [2, 4, 3], [3, 4, 3], [4, 4, 5]]
    result = reliability(rows, ["a", "constant", "c"])
    constant = result.items[1]
    assert constant.item_rest is None
    assert constant.weakens is True
    assert no_nan(result)


@quick
@given(st.integers(0, 2**32 - 1), st.integers(5, 60), st.integers(2, 6))
def test_alpha_matches_covariance_formula_and_pearson(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    data = np.clip(np.rint(4 + latent + rng.normal(scale=1.0, size=(n, k))), 1, 7)
    result = reliability(data.tolist(), [f"i{j}" for j in range(k)])
    cov = np.cov(data, rowvar=False, ddof=1)
    if cov.sum() <= 1e-12:
        assert result.alpha is None
        return
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert result.alpha == pytest.approx(expected, abs=1e-9)
    for j, item in enumerate(result.items):
        rest = np.delete(data, j, axis=1).sum(axis=1)
        if np.std(data[:, j]) == 0 or np.std(rest) == 0:
            assert item.item_rest is None
        else:
            r = scipy_stats.pearsonr(data[:, j], rest).statistic
            assert item.item_rest == pytest.approx(r, abs=1e-9)


# --------------------------------------------------------------------------- Welch


def test_welch_hand_worked() -> None:
    # a = 5, 6, 7, 6 → mean 6, s² = (1+0+1+0)/3 = 0.6667, va = 0.6667/4 = 0.16667
    # b = 3, 4, 5, 4, 4, 4 → mean 4, s² = (1+0+1+0+0+0)/5 = 0.4, vb = 0.4/6 = 0.06667
    # se = sqrt(0.23333) = 0.483046
    # df = 0.23333² / (0.16667²/3 + 0.06667²/5) = 0.054444 / (0.0092593 + 0.00088889)
    #    = 0.054444 / 0.0101481 = 5.365
    # t(0.975, 5.365) ≈ 2.5177 → half = 1.2162; interval 0.784 .. 3.216
    result = welch_difference([5, 6, 7, 6], [3, 4, 5, 4, 4, 4])
    assert result.difference == pytest.approx(2.0)
    assert result.df == pytest.approx(5.365, abs=0.001)
    assert result.low == pytest.approx(0.784, abs=0.002)
    assert result.high == pytest.approx(3.216, abs=0.002)
    assert result.significant is True


@quick
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 40),
    st.integers(2, 40),
    st.floats(0.1, 3.0),
    st.floats(0.1, 3.0),
)
def test_welch_matches_scipy(seed: int, n_a: int, n_b: int, sd_a: float, sd_b: float) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(5.0, sd_a, n_a)
    b = rng.normal(4.5, sd_b, n_b)
    result = welch_difference(a.tolist(), b.tolist())
    test = scipy_stats.ttest_ind(a, b, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert result.difference == pytest.approx(a.mean() - b.mean(), abs=1e-9)
    assert result.low == pytest.approx(ci.low, abs=1e-7)
    assert result.high == pytest.approx(ci.high, abs=1e-7)
    assert result.p_value == pytest.approx(test.pvalue, abs=1e-9)
    assert result.df == pytest.approx(test.df, rel=1e-9)
    assert result.significant == (test.pvalue < 0.05)


def test_welch_too_few_and_all_equal() -> None:
    assert welch_difference([5], [4, 4, 4]).difference is None
    assert welch_difference([], []).significant is False
    same = welch_difference([4, 4, 4], [4, 4, 4])
    assert same.difference == 0.0 and same.low == 0.0 and same.p_value == 1.0
    assert same.significant is False and no_nan(same)
    apart = welch_difference([6, 6, 6], [4, 4, 4])
    assert apart.difference == 2.0 and apart.significant is True and no_nan(apart)


# --------------------------------------------------------------------------- Newcombe


def test_newcombe_matches_the_paper() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    result = newcombe_difference((56, 70), (48, 80))
    assert result.difference == pytest.approx(20.0)
    assert result.low == pytest.approx(5.24, abs=0.01)
    assert result.high == pytest.approx(33.39, abs=0.01)
    assert result.significant is True


def test_newcombe_hand_worked_at_the_boundary() -> None:
    # 10/10 - 0/20, z = 1.959964, z² = 3.841459.
    # Wilson 10/10: lower = 10 / (10 + z²) = 10 / 13.841459 = 0.722467, upper = 1.
    # Wilson 0/20: lower = 0, upper = z² / (20 + z²) = 3.841459 / 23.841459 = 0.161122.
    # low  = 1 - sqrt((1 - 0.722467)² + (0.161122 - 0)²) = 1 - sqrt(0.077028 + 0.025960)
    #      = 1 - 0.320917 = 0.679083;  high = 1 + sqrt(0 + 0) = 1.
    result = newcombe_difference((10, 10), (0, 20))
    assert result.difference == pytest.approx(100.0)
    assert result.low == pytest.approx(67.908, abs=0.002)
    assert result.high == pytest.approx(100.0)
    assert result.significant is True


def test_newcombe_empty_side() -> None:
    result = newcombe_difference((3, 5), (0, 0))
    assert result.difference is None and result.significant is False


@quick
@given(st.integers(1, 200), st.integers(1, 200), st.data())
def test_newcombe_contains_the_difference_and_stays_in_range(
    n_a: int, n_b: int, data: st.DataObject
) -> None:
    x_a = data.draw(st.integers(0, n_a))
    x_b = data.draw(st.integers(0, n_b))
    result = newcombe_difference((x_a, n_a), (x_b, n_b))
    assert -100.0 <= result.low <= result.difference <= result.high <= 100.0  # type: ignore[operator]
    assert no_nan(result)
