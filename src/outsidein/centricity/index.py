"""The customer-centricity index: pure computation (no database; readings in, numbers out).

The index is one transparent composite on 0–100 built from three pillars:

* **perception**: the customers' side of the mirror survey (their mean per dimension on the
  1–7 scale, and the share who say we deliver a superior experience);
* **behaviour**: the practice norms (contact coverage, decisions with customer input, customer
  questions answered within target, loop closure rate and time, ideas answered, mystery
  shopping coverage and score);
* **outcomes**: NPS, CSAT and CES from the customers' feedback.

Normalisation (``attainment``). Every indicator has a *target* (100% attainment) and a *floor*,
the value that counts as 0% attainment (for lower-is-better indicators the floor is the worst,
i.e. highest, value)::

    attainment = clamp((value − floor) / (target − floor), 0, 1) × 100

One formula serves both directions: for CES (1–7, lower is better) with target 3 and floor 7, a
CES of 4 gives (4 − 7) / (3 − 7) = 75%. Beyond the target counts as 100%, below the floor as 0%.

Missing data is never zero. An indicator with no value, or whose n is below its minimum (or
whose estimate is not "enough"), is *missing*: it is left out and the weights of the rest of its
pillar are re-scaled. A pillar is the weighted mean of its indicators' attainment; the index is
the weighted mean of the pillars that have a score. With a pillar missing the index is
*partial*; with fewer than two pillars (of those with a weight) there is no index.

"What would move the index most" (``movers``): for each indicator that counts, the index points
it would add if it reached its target with everything else unchanged:
``(100 − attainment) × indicator share of its pillar × pillar share of the index``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PERCEPTION, BEHAVIOUR, OUTCOMES = "perception", "behaviour", "outcomes"
PILLARS = (PERCEPTION, BEHAVIOUR, OUTCOMES)
PILLAR_LABELS = {
    PERCEPTION: gettext_lazy("Perception"),
    BEHAVIOUR: gettext_lazy("Behaviour"),
    OUTCOMES: gettext_lazy("Outcomes"),
}
PILLAR_QUESTIONS = {
    PERCEPTION: gettext_lazy("How customer-centric do our customers find us?"),
    BEHAVIOUR: gettext_lazy("Do we practise the norms, every week?"),
    OUTCOMES: gettext_lazy("Are customers loyal, satisfied, and is it easy for them?"),
}
MIN_PILLARS = 2
"""An index needs at least this many pillars with a score (fewer when fewer have a weight)."""


@dataclass(frozen=True)
class Spec:
    """One indicator with the organisation's target, floor and weight.

    ``unit``: "%" (0–100), "mean7" (a mean on 1–7), "nps" (−100..100), "h" (hours), "score"
    (0–100). ``min_n``: below this n the indicator counts as missing. ``gaming``: why it is
    easy to game when it is rewarded (empty when it is not)."""

    key: str
    pillar: str
    label: Any
    unit: str
    target: float
    floor: float
    weight: float = 1.0
    higher_is_better: bool = True
    min_n: int = 5
    source: str = ""
    gaming: Any = ""
    description: Any = ""

    def check(self) -> dict[str, str]:
        """Field → message for a target, floor or weight that cannot work."""
        errors = {}
        if not all(math.isfinite(v) for v in (self.target, self.floor, self.weight)):
            errors["target"] = _("Enter a number.")
        elif self.weight < 0:
            errors["weight"] = _("A weight cannot be negative.")
        elif self.higher_is_better and self.target <= self.floor:
            errors["target"] = _("Higher is better here: the target must lie above the floor.")
        elif not self.higher_is_better and self.target >= self.floor:
            errors["target"] = _("Lower is better here: the target must lie below the floor.")
        return errors


@dataclass(frozen=True)
class Reading:
    """An indicator's measured value for one period and group, with n and the link to the data
    behind it. ``enough`` None: judge by ``min_n``; False: the source said "not enough"."""

    value: float | None
    n: int = 0
    enough: bool | None = None
    low: float | None = None
    high: float | None = None
    url: str = ""
    note: str = ""
    reason: str = ""  # why there is no value, in words


MISSING = Reading(value=None)


def attainment(value: float | None, *, target: float, floor: float) -> float | None:
    """See the module docstring. None for no value; never NaN."""
    if value is None or not math.isfinite(value) or target == floor:
        return None
    share = (value - floor) / (target - floor)
    return 100.0 * min(1.0, max(0.0, share))


@dataclass(frozen=True)
class IndicatorResult:
    spec: Spec
    reading: Reading
    attainment: float | None  # None when missing or not counted
    missing: bool
    reason: str  # why it is missing
    share_in_pillar: float = 0.0  # of the pillar's available weight (0–1)
    share_in_index: float = 0.0  # effective weight in the index (0–1)
    gain: float = 0.0  # index points if it reached its target

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def counted(self) -> bool:
        return self.spec.weight > 0

    def to_dict(self) -> dict[str, Any]:
        r = self.reading
        return {
            "key": self.spec.key,
            "pillar": self.spec.pillar,
            "label": str(self.spec.label),
            "unit": self.spec.unit,
            "higher_is_better": self.spec.higher_is_better,
            "value": _round(r.value, 2),
            "low": _round(r.low, 2),
            "high": _round(r.high, 2),
            "n": r.n,
            "enough": not self.missing,
            "target": self.spec.target,
            "floor": self.spec.floor,
            "weight": self.spec.weight,
            "attainment": _round(self.attainment, 1),
            "missing": self.missing,
            "reason": self.reason,
            "share_in_index": _round(self.share_in_index, 4),
            "gain": _round(self.gain, 2),
            "url": r.url,
            "note": r.note,
        }


@dataclass(frozen=True)
class PillarResult:
    key: str
    weight: float
    score: float | None
    indicators: list[IndicatorResult]
    share_in_index: float = 0.0
    statement: str = ""

    @property
    def label(self) -> Any:
        return PILLAR_LABELS[self.key]

    @property
    def question(self) -> Any:
        return PILLAR_QUESTIONS[self.key]

    @property
    def counted(self) -> list[IndicatorResult]:
        return [i for i in self.indicators if i.counted]

    @property
    def available(self) -> int:
        return sum(1 for i in self.counted if not i.missing)

    @property
    def missing(self) -> int:
        return sum(1 for i in self.counted if i.missing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "weight": self.weight,
            "score": _round(self.score, 1),
            "share_in_index": _round(self.share_in_index, 4),
            "indicators_available": self.available,
            "indicators_missing": self.missing,
            "statement": self.statement,
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class Composite:
    """The index computed from readings: ``value`` None when there is too little data."""

    value: float | None
    partial: bool
    pillars: list[PillarResult]
    statement: str = ""

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [i for p in self.pillars for i in p.indicators]

    @property
    def counted(self) -> list[IndicatorResult]:
        return [i for i in self.indicators if i.counted]

    @property
    def missing_count(self) -> int:
        return sum(1 for i in self.counted if i.missing)

    @property
    def total_count(self) -> int:
        return len(self.counted)

    def movers(self, limit: int = 5) -> list[IndicatorResult]:
        """The indicators whose reaching the target would add most to the index."""
        ranked = sorted(
            (i for i in self.counted if not i.missing and i.gain > 0.05),
            key=lambda i: (-i.gain, i.spec.key),
        )
        return ranked[:limit]

    def pillar(self, key: str) -> PillarResult:
        return next(p for p in self.pillars if p.key == key)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def judge(spec: Spec, reading: Reading) -> tuple[float | None, str]:
    """(attainment, "") or (None, why it is missing)."""
    if reading.value is None:
        return None, reading.reason or _("No data in this period.")
    if reading.enough is False or reading.n < spec.min_n:
        return None, reading.reason or _(
            "Too few to count: n = %(n)s, at least %(min)s are needed."
        ) % {"n": reading.n, "min": spec.min_n}
    value = attainment(reading.value, target=spec.target, floor=spec.floor)
    if value is None:
        return None, _("The value cannot be normalised.")
    return value, ""


def combine(
    specs: Sequence[Spec],
    readings: Mapping[str, Reading],
    pillar_weights: Mapping[str, float],
) -> Composite:
    """The index from the indicators' readings (a missing key is missing data)."""
    judged: dict[str, list[tuple[Spec, Reading, float | None, str]]] = {p: [] for p in PILLARS}
    for spec in specs:
        reading = readings.get(spec.key, MISSING)
        reached, reason = judge(spec, reading)
        judged[spec.pillar].append((spec, reading, reached, reason))

    # Pillar scores: weighted means of the available, counted indicators.
    pillar_scores: dict[str, float | None] = {}
    pillar_available_weight: dict[str, float] = {}
    for key in PILLARS:
        pairs = [(s.weight, v) for s, _r, v, _why in judged[key] if v is not None and s.weight > 0]
        total = math.fsum(w for w, _v in pairs)
        pillar_available_weight[key] = total
        pillar_scores[key] = math.fsum(w * v for w, v in pairs) / total if total > 0 else None

    weighted = [p for p in PILLARS if pillar_weights.get(p, 0) > 0]
    scored = [p for p in weighted if pillar_scores[p] is not None]
    needed = min(MIN_PILLARS, len(weighted))
    index_weight = math.fsum(pillar_weights[p] for p in scored)
    value: float | None = None
    statement = ""
    if not weighted:
        statement = _("Every pillar has a weight of 0, so there is no index.")
    elif len(scored) < needed or index_weight <= 0:
        statement = _(
            "Too little data for an index: %(have)s of the %(need)s pillars it needs have "
            "enough data."
        ) % {"have": len(scored), "need": needed}
    else:
        value = math.fsum(pillar_weights[p] * (pillar_scores[p] or 0.0) for p in scored)
        value /= index_weight
    partial = value is not None and len(scored) < len(weighted)
    if partial:
        absent = ", ".join(str(PILLAR_LABELS[p]) for p in weighted if p not in scored)
        statement = _("Partial index: no data for %(pillars)s; the other pillars count.") % {
            "pillars": absent
        }

    pillars = []
    for key in PILLARS:
        weight = float(pillar_weights.get(key, 0))
        pillar_share = weight / index_weight if value is not None and key in scored else 0.0
        results = []
        for spec, reading, att, reason in judged[key]:
            if spec.weight <= 0:
                results.append(
                    IndicatorResult(spec, reading, None, False, _("Weight 0: not counted."))
                )
                continue
            available = pillar_available_weight[key]
            share = spec.weight / available if att is not None and available > 0 else 0.0
            gain = (100.0 - att) * share * pillar_share if att is not None else 0.0
            results.append(
                IndicatorResult(
                    spec,
                    reading,
                    att,
                    att is None,
                    reason,
                    share_in_pillar=share,
                    share_in_index=share * pillar_share,
                    gain=gain,
                )
            )
        statement_p = ""
        if weight <= 0:
            statement_p = _("Weight 0: this pillar does not count.")
        elif pillar_scores[key] is None:
            statement_p = _("No indicator of this pillar has enough data.")
        pillars.append(
            PillarResult(
                key=key,
                weight=weight,
                score=pillar_scores[key],
                indicators=results,
                share_in_index=pillar_share,
                statement=statement_p,
            )
        )
    return Composite(value=value, partial=partial, pillars=pillars, statement=statement)


def with_targets(specs: Sequence[Spec], targets: Mapping[str, float]) -> list[Spec]:
    """The same specs with other targets (the reward targets of the scorecards)."""
    return [replace(s, target=targets[s.key]) if s.key in targets else s for s in specs]


@dataclass(frozen=True)
class Attainment:
    """One indicator's attainment against a target (the scorecards)."""

    spec: Spec
    reading: Reading
    attainment: float | None
    reason: str = ""
    trend: list[float | None] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.attainment is None


def score(spec: Spec, reading: Reading) -> Attainment:
    value, reason = judge(spec, reading)
    return Attainment(spec=spec, reading=reading, attainment=value, reason=reason)


def weighted_attainment(cells: Sequence[Attainment]) -> float | None:
    """The weighted mean attainment of the cells that have one (weights re-scaled)."""
    pairs = [(c.spec.weight or 1.0, c.attainment) for c in cells if c.attainment is not None]
    total = math.fsum(w for w, _v in pairs)
    if total <= 0:
        return None
    return math.fsum(w * (v or 0.0) for w, v in pairs) / total
