"""Honest statistics for customer-feedback metrics (NPS, CSAT, CES).

Every function here is pure: counts or sufficient statistics in, frozen dataclasses out. No
Django, no database, so the dashboards and the rollups share one tested implementation.

Rules (see DESIGN.md, "Statistics are honest"):

* every estimate carries ``n``, an interval at ``confidence`` (95% by default) and ``enough``,
  which is False below ``minimum_n`` so the UI can say "not enough responses";
* nothing divides by zero and nothing returns NaN: where a number cannot be computed it is None;
* percentages are on 0..100, NPS on -100..100, differences in points of the same scale.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

# scipy.special, not scipy.stats: the same functions underneath (identical figures) at a third of
# the import time, which every process (web, worker, each CLI command) pays when Django starts.
from scipy import special as _special

__all__ = [
    "METRICS",
    "MINIMUM_N",
    "Change",
    "Difference",
    "Estimate",
    "compare_many",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "holm",
    "mean",
    "nps",
    "nps_from_scores",
    "proportion",
    "response_rate",
    "scale_change",
]

MINIMUM_N = 30
"""Below this many responses the UI says "not enough responses"."""

_EPS = 2.0**-52


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its two-sided interval.

    ``value``, ``low`` and ``high`` are None when they cannot be computed (n == 0; for a mean
    also the bounds at n == 1). ``enough`` is ``n >= minimum_n``.
    """

    value: float | None
    low: float | None
    high: float | None
    n: int
    enough: bool
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """A difference ``b - a`` between two periods or groups, with its interval and test.

    All numeric fields are None when either group is too small; ``significant`` is then False.
    ``significant`` means ``p_value < 1 - confidence`` (two-sided).
    """

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    significant: bool
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _count(name: str, value: int) -> int:
    """A non-negative integer count (numpy integers accepted), else ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, not a boolean")
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    return number


def _check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return float(confidence)


@lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    """Two-sided standard-normal critical value, e.g. 1.959964 for 95%."""
    return float(_special.ndtri(0.5 + confidence / 2.0))


def _normal_sf(z: float) -> float:
    """Standard-normal upper tail, P(Z > z). ``math.erfc`` gives scipy's ``norm.sf`` to the
    last digits about 400 times faster; pages compute one per difference cell."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


@lru_cache(maxsize=4096)
def _t(confidence: float, df: float) -> float:
    """Two-sided Student-t critical value with ``df`` degrees of freedom."""
    return float(_special.stdtrit(df, 0.5 + confidence / 2.0))


def _clip(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))


def _empty(n: int, confidence: float) -> Estimate:
    return Estimate(value=None, low=None, high=None, n=n, enough=False, confidence=confidence)


def _no_change(confidence: float) -> Change:
    return Change(
        difference=None,
        low=None,
        high=None,
        p_value=None,
        significant=False,
        confidence=confidence,
    )


def _change(
    difference: float, se: float, crit: float, p_value: float, confidence: float, bound: float
) -> Change:
    """Assemble a Change: interval ``difference ± crit * se`` clipped to ``[-bound, bound]``."""
    return Change(
        difference=difference,
        low=_clip(difference - crit * se, -bound, bound),
        high=_clip(difference + crit * se, -bound, bound),
        p_value=p_value,
        significant=p_value < 1.0 - confidence,
        confidence=confidence,
    )


def _degenerate_p(difference: float) -> float:
    """p-value when the estimated standard error is exactly zero: no spread at all.

    Equal results are not evidence of a change (p = 1); different results with zero spread in
    both groups are as far from chance as the test can express (p = 0).
    """
    return 1.0 if difference == 0.0 else 0.0


# --------------------------------------------------------------------------- NPS


def nps_from_scores(scores: Iterable[int]) -> tuple[int, int, int]:
    """Count ``(promoters, passives, detractors)`` from 0..10 answers.

    9-10 promoter, 7-8 passive, 0-6 detractor (Reichheld 2003). ValueError for anything else.
    """
    promoters = passives = detractors = 0
    for raw in scores:
        if isinstance(raw, bool):
            raise ValueError(f"NPS score must be a whole number 0..10, got {raw!r}")
        try:
            score = operator.index(raw)
        except TypeError:
            raise ValueError(f"NPS score must be a whole number 0..10, got {raw!r}") from None
        if not 0 <= score <= 10:
            raise ValueError(f"NPS score must be between 0 and 10, got {score}")
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    return promoters, passives, detractors


def nps(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Estimate:
    """Net Promoter Score on -100..100 with the adjusted-Wald interval.

    Method: Rocks (2016), "Adjusted-Wald confidence interval for the Net Promoter Score":
    ``n' = n + 3``, ``p' = (P + 3/4) / n'``, ``d' = (D + 3/4) / n'``, ``nps' = p' - d'``,
    ``se = sqrt((p' + d' - nps'^2) / n')``, bounds ``100 * (nps' ± z * se)`` clipped to
    [-100, 100]. The value itself is the plain ``100 * (P - D) / n``.

    Because the adjusted centre is pulled towards 0, for tiny n (n = 1 at 95%) or low
    confidence levels the adjusted interval can miss the observed score; the bounds are then
    widened just enough to include it (conservative: coverage can only go up).
    """
    confidence = _check_confidence(confidence)
    p_count = _count("promoters", promoters)
    pa_count = _count("passives", passives)
    d_count = _count("detractors", detractors)
    n = p_count + pa_count + d_count
    if n == 0:
        return _empty(0, confidence)

    value = 100.0 * (p_count - d_count) / n
    n_adj = n + 3
    p_adj = (p_count + 0.75) / n_adj
    d_adj = (d_count + 0.75) / n_adj
    nps_adj = p_adj - d_adj
    # p' + d' - (p' - d')^2 > 0 always (p', d' > 0 and p' + d' < 1); max() is belt-and-braces.
    se = math.sqrt(max(0.0, p_adj + d_adj - nps_adj * nps_adj) / n_adj)
    z = _z(confidence)
    low = _clip(100.0 * (nps_adj - z * se), -100.0, 100.0)
    high = _clip(100.0 * (nps_adj + z * se), -100.0, 100.0)
    return Estimate(
        value=value,
        low=min(low, value),
        high=max(high, value),
        n=n,
        enough=n >= minimum_n,
        confidence=confidence,
    )


def compare_nps(
    a: tuple[int, int, int],
    b: tuple[int, int, int],
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Change:
    """Change in NPS from ``a`` (earlier) to ``b``, in NPS points, with a z-test.

    Each period's NPS has multinomial variance ``Var = [p + d - (p - d)^2] / n`` (p, d the
    promoter and detractor shares); ``se = sqrt(Var_a + Var_b)``, ``z = diff / se``, two-sided
    p-value, Wald interval ``diff ± z * se`` clipped to [-200, 200]. ``a = (P, passives, D)``.
    A group with n below ``minimum_n`` (or empty) gives a Change of Nones.
    """
    confidence = _check_confidence(confidence)
    parts = []
    for label, group in (("a", a), ("b", b)):
        promoters, passives, detractors = group
        p_count = _count(f"{label} promoters", promoters)
        pa_count = _count(f"{label} passives", passives)
        d_count = _count(f"{label} detractors", detractors)
        n = p_count + pa_count + d_count
        if n == 0 or n < minimum_n:
            return _no_change(confidence)
        p, d = p_count / n, d_count / n
        parts.append((p - d, max(0.0, p + d - (p - d) ** 2) / n))
    (score_a, var_a), (score_b, var_b) = parts
    difference = 100.0 * (score_b - score_a)
    se = 100.0 * math.sqrt(var_a + var_b)
    if se == 0.0:
        p_value = _degenerate_p(difference)
    else:
        p_value = float(2.0 * _normal_sf(abs(difference) / se))
    return _change(difference, se, _z(confidence), p_value, confidence, 200.0)


# --------------------------------------------------------------------------- proportions


def proportion(
    successes: int,
    n: int,
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Estimate:
    """A share in percent (0..100) with the Wilson score interval.

    Method: Wilson (1927); Newcombe (1998) method 3. With ``p = x / n``:
    ``centre = (p + z^2 / 2n) / (1 + z^2 / n)``,
    ``half = z * sqrt(p(1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)``.
    Used for CSAT top-2-box (scores 4-5 of 1-5) and any other "share of responses".
    """
    confidence = _check_confidence(confidence)
    x = _count("successes", successes)
    total = _count("n", n)
    if x > total:
        raise ValueError(f"successes ({x}) cannot exceed n ({total})")
    if total == 0:
        return _empty(0, confidence)
    p = x / total
    z = _z(confidence)
    z2 = z * z
    denominator = 1.0 + z2 / total
    centre = (p + z2 / (2.0 * total)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total)) / denominator
    # The Wilson interval always contains p; min/max only absorb float rounding at 0% and 100%.
    return Estimate(
        value=100.0 * p,
        low=min(100.0 * p, _clip(100.0 * (centre - half), 0.0, 100.0)),
        high=max(100.0 * p, _clip(100.0 * (centre + half), 0.0, 100.0)),
        n=total,
        enough=total >= minimum_n,
        confidence=confidence,
    )


def response_rate(
    responses: int,
    invited: int,
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Estimate:
    """Responses as a percentage of invitations, with the Wilson interval (see ``proportion``).

    ``n`` is the number invited; ``invited == 0`` gives value None.
    """
    if _count("responses", responses) > _count("invited", invited):
        raise ValueError(f"responses ({responses}) cannot exceed invited ({invited})")
    return proportion(responses, invited, confidence=confidence, minimum_n=minimum_n)


def compare_proportions(
    a: tuple[int, int],
    b: tuple[int, int],
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Change:
    """Change in a share from ``a`` to ``b``, in percentage points; ``a = (successes, n)``.

    Two-proportion z-test: the p-value uses the pooled standard error
    ``sqrt(P(1 - P)(1/n_a + 1/n_b))`` with ``P = (x_a + x_b) / (n_a + n_b)``; the interval is
    the unpooled Wald interval ``diff ± z * sqrt(p_a(1 - p_a)/n_a + p_b(1 - p_b)/n_b)``
    (Newcombe 1998b, method 1), clipped to [-100, 100].
    A group with n below ``minimum_n`` (or empty) gives a Change of Nones.
    """
    confidence = _check_confidence(confidence)
    counts = []
    for label, group in (("a", a), ("b", b)):
        successes, n = group
        x = _count(f"{label} successes", successes)
        total = _count(f"{label} n", n)
        if x > total:
            raise ValueError(f"{label}: successes ({x}) cannot exceed n ({total})")
        if total == 0 or total < minimum_n:
            return _no_change(confidence)
        counts.append((x, total))
    (x_a, n_a), (x_b, n_b) = counts
    p_a, p_b = x_a / n_a, x_b / n_b
    difference = 100.0 * (p_b - p_a)
    pooled = (x_a + x_b) / (n_a + n_b)
    se_pooled = 100.0 * math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    se_unpooled = 100.0 * math.sqrt(p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b)
    if se_pooled == 0.0:
        p_value = _degenerate_p(difference)
    else:
        p_value = float(2.0 * _normal_sf(abs(difference) / se_pooled))
    return _change(difference, se_unpooled, _z(confidence), p_value, confidence, 100.0)


# --------------------------------------------------------------------------- means


def _moments(label: str, n: int, total: float, total_sq: float) -> tuple[int, float, float]:
    """``(n, mean, sample variance)`` from sufficient statistics, with input checks.

    Variance ``(Σx² - (Σx)²/n) / (n - 1)``. Float cancellation can leave a tiny residue
    (negative or positive) where all values are equal; anything within a few ulps of ``Σx²``
    counts as exactly zero. A clearly negative sum of squares is inconsistent input.
    """
    count = _count(f"{label}n", n)
    total = float(total)
    total_sq = float(total_sq)
    if not (math.isfinite(total) and math.isfinite(total_sq)):
        raise ValueError(f"{label}total and total_sq must be finite numbers")
    if total_sq < 0.0:
        raise ValueError(f"{label}total_sq (sum of squares) must not be negative")
    if count == 0:
        if total != 0.0 or total_sq != 0.0:
            raise ValueError(f"{label}n is 0 but total or total_sq is not")
        return 0, 0.0, 0.0
    centred = total_sq - total * total / count
    tolerance = 64.0 * _EPS * total_sq
    if centred < -tolerance:
        raise ValueError(
            f"{label}total_sq is smaller than total**2 / n: not the sums of one set of values"
        )
    if centred <= tolerance:
        centred = 0.0
    variance = centred / (count - 1) if count > 1 else 0.0
    return count, total / count, variance


def mean(
    n: int,
    total: float,
    total_sq: float,
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Estimate:
    """Mean with a Student-t interval, from sufficient statistics (n, Σx, Σx²).

    This is how rollups keep CES. ``mean ± t_{n-1} * s / sqrt(n)`` with sample variance
    ``s² = (Σx² - (Σx)²/n) / (n - 1)``. n == 1 gives the value with no interval; zero
    variance gives a zero-width interval.
    """
    confidence = _check_confidence(confidence)
    count, average, variance = _moments("", n, total, total_sq)
    if count == 0:
        return _empty(0, confidence)
    enough = count >= minimum_n
    if count == 1:
        return Estimate(
            value=average, low=None, high=None, n=1, enough=enough, confidence=confidence
        )
    half = _t(confidence, count - 1) * math.sqrt(variance / count)
    return Estimate(
        value=average,
        low=average - half,
        high=average + half,
        n=count,
        enough=enough,
        confidence=confidence,
    )


def compare_means(
    a: tuple[int, float, float],
    b: tuple[int, float, float],
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> Change:
    """Change in a mean from ``a`` to ``b``; ``a = (n, Σx, Σx²)``.

    Welch's unequal-variances t-test (Welch 1947) with Welch–Satterthwaite degrees of freedom
    ``df = (va + vb)^2 / (va^2/(n_a-1) + vb^2/(n_b-1))``, ``va = s_a²/n_a``; interval
    ``diff ± t_df * sqrt(va + vb)``. Groups need at least ``max(minimum_n, 2)`` values.
    """
    confidence = _check_confidence(confidence)
    floor = max(minimum_n, 2)
    moments = []
    for label, group in (("a", a), ("b", b)):
        n, total, total_sq = group
        count, average, variance = _moments(f"{label} ", n, total, total_sq)
        if count < floor:
            return _no_change(confidence)
        moments.append((count, average, variance))
    (n_a, mean_a, var_a), (n_b, mean_b, var_b) = moments
    difference = mean_b - mean_a
    va, vb = var_a / n_a, var_b / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        return _change(difference, 0.0, 0.0, _degenerate_p(difference), confidence, math.inf)
    denominator = va * va / (n_a - 1) + vb * vb / (n_b - 1)
    # Both squares can underflow to 0 for minute variances; the t then tends to the normal.
    df = (va + vb) ** 2 / denominator if denominator > 0.0 else math.inf
    p_value = float(2.0 * _special.stdtr(df, -abs(difference) / se))
    return _change(difference, se, _t(confidence, df), p_value, confidence, math.inf)


# --------------------------------------------------------------------------- impact


def scale_change(change: Change, factor: float) -> Change:
    """A difference weighted by a known factor, e.g. a theme's impact on NPS: the NPS
    difference between comments with and without the theme times the theme's share.

    The difference and both interval bounds are multiplied by ``factor`` (a non-negative,
    finite number; a share is on 0..1); the p-value and the significance stay those of the
    difference, because scaling by a constant does not change the evidence. The interval is
    conditional on the factor: a share is counted, its own sampling error is not added.
    A Change of Nones stays one.
    """
    factor = float(factor)
    if not (math.isfinite(factor) and factor >= 0.0):
        raise ValueError(f"factor must be a finite number >= 0, got {factor!r}")
    if change.difference is None:
        return change

    def scaled(value: float | None) -> float | None:
        return None if value is None else value * factor

    return Change(
        difference=change.difference * factor,
        low=scaled(change.low),
        high=scaled(change.high),
        p_value=change.p_value,
        significant=change.significant,
        confidence=change.confidence,
    )


# --------------------------------------------------------------------------- many comparisons


def holm(p_values: Iterable[float | None]) -> list[float | None]:
    """Holm's (1979) step-down adjustment of ``m`` p-values (None stays None, is not counted).

    Sort the ``m`` p-values ascending, ``p_(1) <= ... <= p_(m)``; the adjusted value of the
    i-th is ``max_{j <= i} min(1, (m - j + 1) * p_(j))`` (monotone), returned in the input order.
    A comparison is significant at level alpha when its adjusted p-value is below alpha; this
    controls the chance of any false finding among the ``m`` at alpha, and is never less
    powerful than Bonferroni.
    """
    values = list(p_values)
    present = [(p, index) for index, p in enumerate(values) if p is not None]
    for p, _index in present:
        if not (isinstance(p, int | float) and 0.0 <= p <= 1.0):
            raise ValueError(f"p-values must lie between 0 and 1, got {p!r}")
    m = len(present)
    adjusted: list[float | None] = [None] * len(values)
    running = 0.0
    for rank, (p, index) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * float(p)))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class Difference:
    """``b - a`` between two groups with an interval widened for ``m`` comparisons
    (Bonferroni: each at ``1 - (1 - confidence) / m``) and Holm's adjusted p-value.

    ``significant`` means the Holm-adjusted p-value lies below ``1 - confidence``. Where either
    group has too few responses every number is None and ``significant`` is False.
    """

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool
    comparisons: int
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


METRICS = ("nps", "csat", "ces")


def _one_change(metric: str, a: Any, b: Any, confidence: float, minimum_n: int) -> Change:
    if metric == "nps":
        return compare_nps(a, b, confidence=confidence, minimum_n=minimum_n)
    if metric == "csat":
        return compare_proportions(a, b, confidence=confidence, minimum_n=minimum_n)
    if metric == "ces":
        return compare_means(a, b, confidence=confidence, minimum_n=minimum_n)
    raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")


def compare_many(
    metric: str,
    pairs: Iterable[tuple[Any, Any]],
    *,
    confidence: float = 0.95,
    minimum_n: int = MINIMUM_N,
) -> list[Difference]:
    """Test every pair ``(a, b)`` of one metric and correct for their number (Holm).

    ``a`` and ``b`` are what ``compare_nps`` (P, passives, D), ``compare_proportions``
    (successes, n) or ``compare_means`` (n, Σx, Σx²) take. Pairs where a group is below
    ``minimum_n`` are not tested and not counted in ``m``. Intervals are simultaneous at
    ``confidence`` (Bonferroni over ``m``), so they may be a little wider than Holm's test
    needs: an interval that excludes 0 is always significant after Holm, not always the reverse.
    """
    confidence = _check_confidence(confidence)
    pairs = list(pairs)
    plain = [_one_change(metric, a, b, confidence, minimum_n) for a, b in pairs]
    m = sum(1 for change in plain if change.p_value is not None)
    adjusted = holm(change.p_value for change in plain)
    if m > 1:
        wide = 1.0 - (1.0 - confidence) / m
        intervals = [_one_change(metric, a, b, wide, minimum_n) for a, b in pairs]
    else:
        intervals = plain
    result = []
    for change, interval, p_adjusted in zip(plain, intervals, adjusted, strict=True):
        result.append(
            Difference(
                difference=change.difference,
                low=interval.low,
                high=interval.high,
                p_value=change.p_value,
                p_adjusted=p_adjusted,
                significant=p_adjusted is not None and p_adjusted < 1.0 - confidence,
                comparisons=m,
                confidence=confidence,
            )
        )
    return result
