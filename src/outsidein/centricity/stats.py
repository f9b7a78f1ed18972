"""Statistics of the mirror survey: scale reliability and the delivery gap.

Pure functions (numbers in, frozen dataclasses out), no Django, no database; tested against
hand-worked examples and against SciPy on random data (``tests/centricity/test_stats.py``).

* ``reliability``: Cronbach's alpha of a set of items, with each item's item-rest correlation
  and the alpha the scale would have without it, and a plain ``reason`` where alpha is
  undefined (one item, too few complete answers, no variance at all). Never NaN.
* ``welch_difference``: the difference of two group means with the Welch interval
  (Welch–Satterthwaite degrees of freedom) and test.
* ``newcombe_difference``: the difference of two proportions with Newcombe's hybrid score
  interval (method 10), built from the two Wilson intervals (``analytics.stats.proportion``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from scipy import special as _special  # not scipy.stats: the same functions, a third of the import

from outsidein.analytics.stats import proportion

__all__ = [
    "WEAK_ITEM_REST",
    "Difference",
    "ItemStat",
    "Reliability",
    "newcombe_difference",
    "reliability",
    "welch_difference",
]

WEAK_ITEM_REST = 0.30
"""An item whose item-rest correlation is below this is flagged (Nunnally & Bernstein 1994)."""

ACCEPTABLE_ALPHA = 0.70
"""The usual lower bound for a scale used to compare groups."""


@dataclass(frozen=True)
class ItemStat:
    """One item of a scale: its item-rest correlation, the alpha without it, and a flag."""

    key: str
    item_rest: float | None
    alpha_if_deleted: float | None
    weakens: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of a scale. ``alpha`` is None with a ``reason`` when undefined:
    ``"one_item"``, ``"too_few"`` (fewer than 3 complete answers) or ``"no_variance"`` (every
    answer the same, so the total has no variance)."""

    alpha: float | None
    n: int
    k: int
    items: list[ItemStat] = field(default_factory=list)
    reason: str | None = None

    @property
    def acceptable(self) -> bool:
        return self.alpha is not None and self.alpha >= ACCEPTABLE_ALPHA

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["acceptable"] = self.acceptable
        return out


@dataclass(frozen=True)
class Difference:
    """``a - b`` with its two-sided interval; all None (and not significant) when it cannot be
    computed. ``df`` is the Welch–Satterthwaite degrees of freedom (None for proportions)."""

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None = None
    df: float | None = None
    significant: bool = False
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


NO_DIFFERENCE = Difference(difference=None, low=None, high=None)


def _variance(values: Sequence[float]) -> float:
    """Sample variance (n - 1); 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    centre = math.fsum(values) / n
    return math.fsum((v - centre) ** 2 for v in values) / (n - 1)


def _correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; None when either side has no variance."""
    n = len(x)
    if n < 2:
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _alpha(columns: Sequence[Sequence[float]]) -> float | None:
    """``k/(k-1) * (1 - Σ var(item) / var(total))``; None when undefined."""
    k = len(columns)
    if k < 2:
        return None
    totals = [math.fsum(row) for row in zip(*columns, strict=True)]
    total_variance = _variance(totals)
    if total_variance <= 1e-12:
        return None
    item_variance = math.fsum(_variance(column) for column in columns)
    return (k / (k - 1)) * (1.0 - item_variance / total_variance)


def reliability(
    rows: Sequence[Sequence[float | None]],
    keys: Sequence[str],
    *,
    weak_item_rest: float = WEAK_ITEM_REST,
) -> Reliability:
    """Cronbach's alpha (Cronbach 1951) of the items ``keys`` over respondents ``rows``.

    ``rows[i][j]`` is respondent i's answer to item j, None when skipped; only complete rows
    count (listwise). With item variances ``s_j²`` and the variance of the row totals ``s_T²``:
    ``alpha = k/(k-1) * (1 - Σ s_j² / s_T²)``. The item-rest correlation of item j is Pearson's
    r between item j and the total of the other items. An item *weakens* the scale when its
    item-rest correlation is below ``weak_item_rest`` (or undefined because everyone gave it the
    same answer) or when alpha would rise without it.
    """
    k = len(keys)
    complete = [
        [float(v) for v in row]  # type: ignore[arg-type]
        for row in rows
        if len(row) == k and all(v is not None for v in row)
    ]
    n = len(complete)
    if k < 2:
        return Reliability(alpha=None, n=n, k=k, reason="one_item")
    if n < 3:
        return Reliability(alpha=None, n=n, k=k, reason="too_few")
    columns = [[row[j] for row in complete] for j in range(k)]
    alpha = _alpha(columns)
    if alpha is None:
        return Reliability(alpha=None, n=n, k=k, reason="no_variance")
    items = []
    for j, key in enumerate(keys):
        rest_columns = columns[:j] + columns[j + 1 :]
        rest = [math.fsum(values) for values in zip(*rest_columns, strict=True)]
        item_rest = _correlation(columns[j], rest)
        without = _alpha(rest_columns) if k > 2 else None
        weakens = (
            item_rest is None
            or item_rest < weak_item_rest
            or (without is not None and without > alpha + 1e-9)
        )
        items.append(
            ItemStat(key=key, item_rest=item_rest, alpha_if_deleted=without, weakens=weakens)
        )
    return Reliability(alpha=alpha, n=n, k=k, items=items)


def _check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return float(confidence)


def welch_difference(
    a: Sequence[float], b: Sequence[float], *, confidence: float = 0.95, minimum_n: int = 2
) -> Difference:
    """``mean(a) - mean(b)`` with Welch's unequal-variances interval and t-test (Welch 1947).

    ``va = s_a²/n_a``, ``vb = s_b²/n_b``, ``se = sqrt(va + vb)``, Welch–Satterthwaite
    ``df = (va + vb)² / (va²/(n_a - 1) + vb²/(n_b - 1))``, interval ``diff ± t_{df} · se``.
    Each group needs ``max(minimum_n, 2)`` values, else every field is None. With no spread at
    all in either group the interval has zero width and p is 1 (equal means) or 0.
    """
    confidence = _check_confidence(confidence)
    floor = max(minimum_n, 2)
    if len(a) < floor or len(b) < floor:
        return Difference(None, None, None, confidence=confidence)
    n_a, n_b = len(a), len(b)
    mean_a, mean_b = math.fsum(a) / n_a, math.fsum(b) / n_b
    difference = mean_a - mean_b
    va, vb = _variance(a) / n_a, _variance(b) / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        p = 1.0 if difference == 0.0 else 0.0
        return Difference(
            difference, difference, difference, p, None, p < 1 - confidence, confidence
        )
    df = (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    t = float(_special.stdtrit(df, 0.5 + confidence / 2.0))
    p = float(2.0 * _special.stdtr(df, -abs(difference) / se))
    return Difference(
        difference=difference,
        low=difference - t * se,
        high=difference + t * se,
        p_value=p,
        df=df,
        significant=p < 1.0 - confidence,
        confidence=confidence,
    )


def newcombe_difference(
    a: tuple[int, int], b: tuple[int, int], *, confidence: float = 0.95, minimum_n: int = 1
) -> Difference:
    """``p_a - p_b`` in percentage points with Newcombe's hybrid score interval.

    Newcombe (1998), "Interval estimation for the difference between independent proportions",
    method 10: with the Wilson intervals ``(l_a, u_a)`` and ``(l_b, u_b)`` and ``d = p_a - p_b``,
    ``low = d - sqrt((p_a - l_a)² + (u_b - p_b)²)``,
    ``high = d + sqrt((u_a - p_a)² + (p_b - l_b)²)``. ``a = (successes, n)``.
    Significant when the interval excludes 0 (no p-value: the interval is the test).
    """
    confidence = _check_confidence(confidence)
    estimates = []
    for successes, n in (a, b):
        if n < max(minimum_n, 1):
            return Difference(None, None, None, confidence=confidence)
        estimates.append(proportion(successes, n, confidence=confidence, minimum_n=0))
    ea, eb = estimates
    pa, la, ua = ea.value, ea.low, ea.high
    pb, lb, ub = eb.value, eb.low, eb.high
    assert None not in (pa, la, ua, pb, lb, ub)  # n >= 1 on both sides
    d = pa - pb  # type: ignore[operator]
    low = d - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)  # type: ignore[operator]
    high = d + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)  # type: ignore[operator]
    low, high = max(-100.0, low), min(100.0, high)
    return Difference(
        difference=d,
        low=low,
        high=high,
        significant=low > 0.0 or high < 0.0,
        confidence=confidence,
    )
