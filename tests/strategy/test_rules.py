"""Segment rules and the disconnected flags as pure functions: no database."""

from __future__ import annotations

import pytest

from outsidein.strategy import flags
from outsidein.strategy import rules as r


def test_valid_conditions_are_normalised() -> None:
    clean = r.validate(
        [
            {"field": "Kind", "op": "IS", "value": " business "},
            {"field": "attr:size", "op": "in", "value": "1-9, 10-49"},
        ]
    )
    assert clean == [
        {"field": "kind", "op": "is", "value": "business"},
        {"field": "attr:size", "op": "in", "value": ["1-9", "10-49"]},
    ]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([], "at least one condition"),
        ("kind is business", "at least one condition"),
        ([{"field": "colour", "op": "is", "value": "red"}], "unknown field “colour”"),
        ([{"field": "kind", "op": "like", "value": "b"}], "unknown operator “like”"),
        ([{"field": "kind", "op": "is", "value": "robot"}], "business or consumer"),
        ([{"field": "city", "op": "in", "value": []}], "needs a list"),
        ([{"field": "city", "op": "is", "value": ""}], "needs a value"),
        ([{"field": "city", "op": "is", "value": True}], "needs a value"),
        ([{"field": "city", "op": "is", "value": "x", "extra": 1}], "unknown keys extra"),
        (["kind is business"], "must be an object"),
    ],
)
def test_invalid_conditions_name_the_condition_and_the_problem(
    conditions: object, expected: str
) -> None:
    with pytest.raises(r.RuleError) as caught:
        r.validate(conditions)
    assert expected in " ".join(caught.value.messages)


def test_every_problem_is_reported_with_its_line() -> None:
    with pytest.raises(r.RuleError) as caught:
        r.parse_text("kind is business\ncolour is red\nlanguage")
    assert caught.value.messages == [
        "Line 3: write “field operator value”, e.g. “kind is business”."
    ]
    with pytest.raises(r.RuleError) as caught:
        r.parse_text("kind is business\ncolour is red")
    assert caught.value.messages[0].startswith("Line 2: unknown field")


def test_text_round_trip() -> None:
    conditions = r.parse_text("kind is business\nattr:size in 1-9, 10-49\ncity contains dam")
    assert r.parse_text(r.as_text(conditions)) == conditions


def facts(pk: int, **kw: object) -> r.Facts:
    return r.Facts(customer_id=pk, name=f"Customer {pk}", **kw)  # type: ignore[arg-type]


def test_matching_ignores_case_and_reads_custom_attributes() -> None:
    big = facts(1, kind="business", city="Amsterdam", attributes={"size": "250+"})
    assert r.matches(r.validate([{"field": "city", "op": "contains", "value": "DAM"}]), big)
    assert r.matches(r.validate([{"field": "attr:size", "op": "in", "value": ["250+"]}]), big)
    assert not r.matches(r.validate([{"field": "attr:product", "op": "is", "value": "gas"}]), big)
    assert r.matches(r.validate([{"field": "kind", "op": "is_not", "value": "consumer"}]), big)


def test_first_rule_wins_and_overlaps_are_counted_with_examples() -> None:
    coop = r.Rule(
        1, "Cooperatives", 30, r.validate([{"field": "attr:type", "op": "is", "value": "coop"}])
    )
    business = r.Rule(
        2, "Business", 20, r.validate([{"field": "kind", "op": "is", "value": "business"}])
    )
    also_coop = r.Rule(
        3, "Coops again", 30, r.validate([{"field": "attr:type", "op": "is", "value": "coop"}])
    )
    customers = [
        facts(1, kind="business", attributes={"type": "coop"}, segment_id=20),
        facts(2, kind="business", attributes={"type": "coop"}, segment_id=30),
        facts(3, kind="business", segment_id=None),
        facts(4, kind="consumer", segment_id=10),
        facts(5, kind="business", attributes={"type": "coop"}, pinned=True, segment_id=10),
        facts(6, kind="business", attributes={"type": "coop"}),
        facts(7, kind="business", attributes={"type": "coop"}),
    ]
    result = r.evaluate([coop, business, also_coop], customers, examples=2)
    assert result.assigned[1] == (30, 1)
    assert result.assigned[3] == (20, 2)
    assert 5 not in result.assigned and result.pinned_skipped == 1
    assert result.unmatched == 1
    assert result.changes == {1: (20, 30, 1), 3: (None, 20, 2), 6: (None, 30, 1), 7: (None, 30, 1)}
    assert result.matched_per_rule == {1: 5, 2: 6, 3: 5}
    # Only rules for different segments overlap; the same segment twice is no conflict.
    assert len(result.overlaps) == 1
    overlap = result.overlaps[0]
    assert (overlap.first.name, overlap.second.name, overlap.count) == (
        "Cooperatives",
        "Business",
        5,
    )
    assert [f.customer_id for f in overlap.examples] == [1, 2]


# --- flags -----------------------------------------------------------------------------------


def test_disconnected_flags() -> None:
    processes = [
        flags.ProcessFact(1, "Billing run", team_id=10, touchpoint_ids=frozenset({100})),
        flags.ProcessFact(2, "Month-end close", team_id=20),
    ]
    touchpoints = [
        flags.TouchpointFact(100, "Annual bill", team_id=30, measured=True),
        flags.TouchpointFact(101, "Leaving", team_id=None, measured=False),
    ]
    teams = [
        flags.TeamFact(10, "Billing"),  # serves a touchpoint through its process
        flags.TeamFact(20, "Finance", contacts=3, follow_ups=0),
        flags.TeamFact(30, "Service"),  # owns a touchpoint
        flags.TeamFact(40, "Legal"),
    ]
    found = flags.disconnected(processes, touchpoints, teams)
    assert [(f.kind, f.object_id) for f in found] == [
        (flags.PROCESS_NO_TOUCHPOINT, 2),
        (flags.TEAM_DISCONNECTED, 20),
        (flags.TEAM_DISCONNECTED, 40),
        (flags.TOUCHPOINT_NO_OWNER, 101),
        (flags.TOUCHPOINT_UNMEASURED, 101),
    ]
    assert [f.severe for f in found if f.kind == flags.TEAM_DISCONNECTED] == [False, True]
    assert flags.counts(found) == {
        flags.PROCESS_NO_TOUCHPOINT: 1,
        flags.TEAM_DISCONNECTED: 2,
        flags.TOUCHPOINT_NO_OWNER: 1,
        flags.TOUCHPOINT_UNMEASURED: 1,
    }


def test_nothing_is_flagged_when_everything_connects() -> None:
    assert flags.disconnected([], [], []) == []
    assert (
        flags.disconnected(
            [flags.ProcessFact(1, "p", 1, frozenset({5}))],
            [flags.TouchpointFact(5, "t", 1, True)],
            [flags.TeamFact(1, "team")],
        )
        == []
    )


@pytest.mark.parametrize(
    ("measure", "value", "enough", "heat"),
    [
        ("nps", 35.0, True, "good"),
        ("nps", 10.0, True, "fair"),
        ("nps", -5.0, True, "poor"),
        ("nps", 50.0, False, "thin"),
        ("csat", None, True, "thin"),
        ("csat", 85.0, True, "good"),
        ("csat", 50.0, True, "poor"),
        ("ces", 2.0, True, "good"),
        ("ces", 3.5, True, "fair"),
        ("ces", 5.0, True, "poor"),
    ],
)
def test_heat(measure: str, value: float | None, enough: bool, heat: str) -> None:
    assert flags.heat(measure, value, enough) == heat


def test_suggested_measures_fit_the_stage() -> None:
    assert flags.suggested_measure("onboarding") == "ces"
    assert flags.suggested_measure("support") == "csat"
    assert flags.suggested_measure("renewal") == "nps"
    assert flags.suggested_measure("unknown") == "csat"
