"""The index's arithmetic against hand-worked examples: normalisation, pillars, the composite,
missing data (never zero, never NaN), "what would move it most", and quarters."""

from __future__ import annotations

import json
import math
import random
from datetime import date

import pytest

from outsidein.centricity.index import (
    BEHAVIOUR,
    OUTCOMES,
    PERCEPTION,
    Reading,
    Spec,
    attainment,
    combine,
    score,
    weighted_attainment,
)
from outsidein.centricity.indicators import default_specs
from outsidein.core.periods import Quarter

WEIGHTS = {PERCEPTION: 1.0, BEHAVIOUR: 1.0, OUTCOMES: 1.0}


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "floor", "expected"),
    [
        (60.0, 80.0, 0.0, 75.0),  # 60 / 80
        (80.0, 80.0, 0.0, 100.0),  # at target
        (95.0, 80.0, 0.0, 100.0),  # beyond target: no more than 100
        (0.0, 80.0, 0.0, 0.0),
        (10.0, 30.0, -50.0, 75.0),  # NPS: (10 + 50) / (30 + 50)
        (-70.0, 30.0, -50.0, 0.0),  # NPS below the floor
        (4.0, 3.0, 7.0, 75.0),  # CES, lower is better: (4 − 7) / (3 − 7)
        (2.0, 3.0, 7.0, 100.0),  # better than the target
        (8.0, 3.0, 7.0, 0.0),  # worse than the floor
        (120.0, 48.0, 336.0, 75.0),  # hours to close: (120 − 336) / (48 − 336)
        (4.25, 5.5, 2.0, 64.28571428571429),  # a 1–7 mean: 2.25 / 3.5
    ],
)
def test_attainment_hand_worked(value: float, target: float, floor: float, expected: float) -> None:
    assert attainment(value, target=target, floor=floor) == pytest.approx(expected)


def test_attainment_without_a_value_is_none_never_zero_or_nan() -> None:
    assert attainment(None, target=80, floor=0) is None
    assert attainment(float("nan"), target=80, floor=0) is None
    assert attainment(50, target=50, floor=50) is None  # no range to normalise over


def test_spec_check_names_the_field() -> None:
    up = Spec("x", PERCEPTION, "x", "%", target=80, floor=0)
    assert up.check() == {}
    assert "target" in Spec("x", PERCEPTION, "x", "%", target=0, floor=10).check()
    down = Spec("c", OUTCOMES, "c", "mean7", target=3, floor=7, higher_is_better=False)
    assert down.check() == {}
    assert (
        "target"
        in Spec("c", OUTCOMES, "c", "mean7", target=7, floor=3, higher_is_better=False).check()
    )
    assert "weight" in Spec("x", PERCEPTION, "x", "%", target=80, floor=0, weight=-1).check()


# --- the composite -----------------------------------------------------------------------------

SPECS = [
    Spec("p1", PERCEPTION, "p1", "mean7", target=5.5, floor=2.0, weight=1),
    Spec("p2", PERCEPTION, "p2", "%", target=50, floor=0, weight=1),
    Spec("b1", BEHAVIOUR, "b1", "%", target=80, floor=0, weight=2),
    Spec("b2", BEHAVIOUR, "b2", "%", target=90, floor=0, weight=1),
    Spec("o1", OUTCOMES, "o1", "nps", target=30, floor=-50, weight=1, min_n=30),
]
FULL = {
    "p1": Reading(4.25, n=100),  # 64.2857…
    "p2": Reading(10.0, n=100),  # 20
    "b1": Reading(60.0, n=40),  # 75
    "b2": Reading(90.0, n=40),  # 100
    "o1": Reading(10.0, n=300),  # 75
}


def test_index_hand_worked() -> None:
    result = combine(SPECS, FULL, WEIGHTS)
    perception = (64.28571428571429 + 20.0) / 2  # 42.142857…
    behaviour = (2 * 75.0 + 1 * 100.0) / 3  # 83.333…
    outcomes = 75.0
    assert result.pillar(PERCEPTION).score == pytest.approx(perception)
    assert result.pillar(BEHAVIOUR).score == pytest.approx(behaviour)
    assert result.pillar(OUTCOMES).score == pytest.approx(outcomes)
    assert result.value == pytest.approx((perception + behaviour + outcomes) / 3)  # 66.825…
    assert result.value == pytest.approx(66.82539682539682)
    assert not result.partial and result.statement == ""
    assert (result.missing_count, result.total_count) == (0, 5)


def test_pillar_weights_count() -> None:
    result = combine(SPECS, FULL, {PERCEPTION: 2.0, BEHAVIOUR: 1.0, OUTCOMES: 1.0})
    expected = (2 * 42.142857142857146 + 83.33333333333333 + 75.0) / 4
    assert result.value == pytest.approx(expected)


def test_missing_indicator_is_left_out_and_weights_rescaled() -> None:
    readings = {**FULL, "b1": Reading(None, reason="no cases")}
    result = combine(SPECS, readings, WEIGHTS)
    behaviour = result.pillar(BEHAVIOUR)
    assert behaviour.score == pytest.approx(100.0)  # b2 alone, not (0·2 + 100) / 3
    b1 = next(i for i in behaviour.indicators if i.key == "b1")
    assert b1.missing and b1.attainment is None and b1.reason == "no cases"
    assert b1.share_in_index == 0
    assert (result.missing_count, result.total_count) == (1, 5)


def test_too_few_responses_count_as_missing() -> None:
    readings = {**FULL, "o1": Reading(60.0, n=12)}  # below min_n 30
    result = combine(SPECS, readings, WEIGHTS)
    o1 = result.pillar(OUTCOMES).indicators[0]
    assert o1.missing and "12" in o1.reason and "30" in o1.reason
    # "not enough" from the source counts as missing too, whatever n says.
    result = combine(SPECS, {**FULL, "o1": Reading(60.0, n=300, enough=False)}, WEIGHTS)
    assert result.pillar(OUTCOMES).indicators[0].missing


def test_whole_pillar_missing_gives_a_partial_index() -> None:
    readings = {k: v for k, v in FULL.items() if not k.startswith("o")}
    result = combine(SPECS, readings, WEIGHTS)
    assert result.partial
    assert result.pillar(OUTCOMES).score is None
    assert result.pillar(OUTCOMES).statement
    assert result.value == pytest.approx((42.142857142857146 + 83.33333333333333) / 2)
    assert "Outcomes" in result.statement


def test_one_pillar_is_too_little_for_an_index() -> None:
    readings = {"b1": FULL["b1"], "b2": FULL["b2"]}
    result = combine(SPECS, readings, WEIGHTS)
    assert result.value is None and not result.partial
    assert "1 of the 2" in result.statement
    assert combine(SPECS, {}, WEIGHTS).value is None


def test_a_pillar_with_weight_zero_does_not_count_and_is_not_missing() -> None:
    result = combine(SPECS, FULL, {PERCEPTION: 0.0, BEHAVIOUR: 1.0, OUTCOMES: 1.0})
    assert result.value == pytest.approx((83.33333333333333 + 75.0) / 2)
    assert not result.partial
    only = combine(SPECS, {"b1": FULL["b1"]}, {PERCEPTION: 0.0, BEHAVIOUR: 1.0, OUTCOMES: 0.0})
    assert only.value == pytest.approx(75.0)  # the only weighted pillar is enough


def test_movers_are_the_largest_weighted_distance_to_target() -> None:
    result = combine(SPECS, FULL, WEIGHTS)
    gains = {i.key: i.gain for i in result.indicators}
    # p2: (100 − 20) × ½ of perception × ⅓ of the index = 13.33 index points.
    assert gains["p2"] == pytest.approx(80 * 0.5 / 3)
    assert gains["p1"] == pytest.approx((100 - 64.28571428571429) * 0.5 / 3)
    assert gains["b1"] == pytest.approx(25 * (2 / 3) / 3)
    assert gains["b2"] == 0.0
    assert gains["o1"] == pytest.approx(25 / 3)
    assert [i.key for i in result.movers()] == ["p2", "o1", "p1", "b1"]
    # Reaching the target adds exactly the gain.
    better = combine(SPECS, {**FULL, "p2": Reading(50.0, n=100)}, WEIGHTS)
    assert better.value == pytest.approx((result.value or 0) + gains["p2"])


def test_random_readings_never_give_nan() -> None:
    specs = default_specs()
    rng = random.Random(5)
    for _ in range(300):
        readings = {}
        for spec in specs:
            if rng.random() < 0.3:
                continue
            value = rng.choice([None, rng.uniform(-150, 400), 0.0, spec.target, spec.floor])
            readings[spec.key] = Reading(value, n=rng.choice([0, 1, 4, 5, 29, 30, 500]))
        weights = {p: rng.choice([0.0, 0.5, 1.0, 3.0]) for p in (PERCEPTION, BEHAVIOUR, OUTCOMES)}
        result = combine(specs, readings, weights)
        if result.value is not None:
            assert 0.0 <= result.value <= 100.0
        for item in result.indicators:
            if item.attainment is not None:
                assert 0.0 <= item.attainment <= 100.0
        text = json.dumps([p.to_dict() for p in result.pillars])
        assert "NaN" not in text and "Infinity" not in text
        assert all(
            math.isfinite(i.gain) and math.isfinite(i.share_in_index) for i in result.indicators
        )


def test_default_specs_are_consistent() -> None:
    specs = default_specs()
    assert len({s.key for s in specs}) == len(specs)
    assert {s.pillar for s in specs} == {PERCEPTION, BEHAVIOUR, OUTCOMES}
    assert all(s.check() == {} for s in specs)
    keys = {s.key for s in specs}
    assert {"contacts", "decisions", "queue", "loop", "loop_time", "ideas", "mystery"} <= keys
    assert {"mystery_score", "nps", "csat", "ces", "mirror_superior"} <= keys


def test_scorecard_attainment_and_overall() -> None:
    spec = Spec("b1", BEHAVIOUR, "b1", "%", target=80, floor=0, weight=2)
    other = Spec("b2", BEHAVIOUR, "b2", "%", target=90, floor=0, weight=1)
    cells = [score(spec, Reading(60.0, n=10)), score(other, Reading(None))]
    assert cells[0].attainment == pytest.approx(75.0)
    assert cells[1].missing and cells[1].reason
    assert weighted_attainment(cells) == pytest.approx(75.0)  # the missing one is left out
    assert weighted_attainment([cells[1]]) is None


# --- quarters ----------------------------------------------------------------------------------


def test_quarters() -> None:
    q = Quarter.parse("2026-Q3")
    assert (q.first, q.last) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Quarter.parse(" 2026-q4 ").last == date(2026, 12, 31)
    assert Quarter.parse("2024-Q1").last == date(2024, 3, 31)
    assert str(Quarter.of(date(2026, 11, 30))) == "2026-Q4"
    assert [str(x) for x in Quarter.parse("2026-Q2").back(4)] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    for bad in ("2026-Q5", "2026Q1", "", "Q1-2026", "2026-Q0", "0000-Q1", "9999-Q4"):
        with pytest.raises(ValueError, match="2026-Q3"):
            Quarter.parse(bad)
