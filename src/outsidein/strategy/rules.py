"""Segment rules as pure functions: parse and validate conditions, match customers, find
overlaps. No database: customers come in as plain ``Facts``.

A condition is ``{"field": ..., "op": ..., "value": ...}``:

- ``field``: ``kind``, ``city``, ``language`` or ``attr:<key>`` (a custom attribute such as
  ``attr:size``);
- ``op``: ``is``, ``is_not``, ``in`` (value: a list), ``contains``;
- comparison ignores case and surrounding spaces.

In text (the page's editor) a condition is one line: ``kind is business``,
``attr:size in 10-49, 50-249``, ``city contains dam``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

FIELDS = ("kind", "city", "language")
OPS = ("is", "is_not", "in", "contains")
_ATTR = re.compile(r"^attr:([a-z0-9][a-z0-9_-]{0,39})$")


class RuleError(ValueError):
    """A rule that cannot be used; ``messages`` name the condition and what is wrong."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _norm(value: Any) -> str:
    return str(value).strip().casefold()


def validate(conditions: Any) -> list[dict[str, Any]]:
    """The conditions in normal form, or RuleError listing every problem by position."""
    if not isinstance(conditions, list) or not conditions:
        raise RuleError([_("A rule needs at least one condition.")])
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    for number, condition in enumerate(conditions, start=1):
        where = _("Condition %(n)s") % {"n": number}
        if not isinstance(condition, dict):
            errors.append(
                _("%(where)s: must be an object with field, op and value.") % {"where": where}
            )
            continue
        unknown = set(condition) - {"field", "op", "value"}
        if unknown:
            errors.append(
                _("%(where)s: unknown keys %(keys)s.")
                % {"where": where, "keys": ", ".join(sorted(map(str, unknown)))}
            )
            continue
        name = str(condition.get("field", "")).strip().lower()
        op = str(condition.get("op", "")).strip().lower()
        value = condition.get("value")
        if name not in FIELDS and not _ATTR.match(name):
            errors.append(
                _("%(where)s: unknown field “%(field)s”; use kind, city, language or attr:<key>.")
                % {"where": where, "field": name}
            )
            continue
        if op not in OPS:
            errors.append(
                _("%(where)s: unknown operator “%(op)s”; use is, is_not, in or contains.")
                % {"where": where, "op": op}
            )
            continue
        if op == "in":
            if isinstance(value, str):
                value = list(value.split(","))
            if not isinstance(value, list) or not value:
                errors.append(_("%(where)s: “in” needs a list of values.") % {"where": where})
                continue
            values = [str(v).strip() for v in value if str(v).strip()]
            if not values or any(isinstance(v, (dict, list)) for v in value):
                errors.append(_("%(where)s: “in” needs a list of values.") % {"where": where})
                continue
            clean.append({"field": name, "op": op, "value": values})
            continue
        if (
            not isinstance(value, (str, int, float))
            or isinstance(value, bool)
            or not str(value).strip()
        ):
            errors.append(_("%(where)s: needs a value.") % {"where": where})
            continue
        if (
            name == "kind"
            and op in ("is", "is_not")
            and _norm(value) not in ("business", "consumer")
        ):
            errors.append(
                _("%(where)s: kind is business or consumer, not “%(value)s”.")
                % {"where": where, "value": value}
            )
            continue
        clean.append({"field": name, "op": op, "value": str(value).strip()})
    if errors:
        raise RuleError(errors)
    return clean


def parse_text(text: str) -> list[dict[str, Any]]:
    """Conditions from the editor's text: one per line, ``field op value``."""
    conditions: list[dict[str, Any]] = []
    errors: list[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        parts = line.split(None, 2)
        if len(parts) < 3:
            errors.append(
                _("Line %(n)s: write “field operator value”, e.g. “kind is business”.")
                % {"n": number}
            )
            continue
        name, op, value = parts
        conditions.append({"field": name, "op": op, "value": value})
    if errors:
        raise RuleError(errors)
    try:
        return validate(conditions)
    except RuleError as exc:
        raise RuleError(
            [message.replace(_("Condition"), _("Line"), 1) for message in exc.messages]
        ) from None


def as_text(conditions: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for condition in conditions:
        value = condition.get("value")
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        lines.append(f"{condition.get('field')} {condition.get('op')} {shown}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Facts:
    """What the rules can see of one customer."""

    customer_id: int
    kind: str = ""
    city: str = ""
    language: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    segment_id: int | None = None
    pinned: bool = False
    name: str = ""

    def get(self, name: str) -> str:
        if name.startswith("attr:"):
            return self.attributes.get(name[5:], "")
        return str(getattr(self, name, "") or "")


def matches(conditions: Sequence[Mapping[str, Any]], facts: Facts) -> bool:
    for condition in conditions:
        actual = _norm(facts.get(condition["field"]))
        op, value = condition["op"], condition["value"]
        if op == "is" and actual != _norm(value):
            return False
        if op == "is_not" and actual == _norm(value):
            return False
        if op == "in" and actual not in {_norm(v) for v in value}:
            return False
        if op == "contains" and _norm(value) not in actual:
            return False
    return True


@dataclass(frozen=True)
class Rule:
    rule_id: int
    name: str
    segment_id: int
    conditions: Sequence[Mapping[str, Any]]


@dataclass
class Overlap:
    first: Rule
    second: Rule
    count: int = 0
    examples: list[Facts] = field(default_factory=list)


@dataclass
class Evaluation:
    """What the rules say: the segment each customer gets, and what conflicts."""

    assigned: dict[int, tuple[int, int]] = field(default_factory=dict)  # customer: (seg, rule)
    matched_per_rule: dict[int, int] = field(default_factory=dict)
    overlaps: list[Overlap] = field(default_factory=list)
    changes: dict[int, tuple[int | None, int, int]] = field(default_factory=dict)
    pinned_skipped: int = 0
    unmatched: int = 0


def evaluate(rules: Sequence[Rule], customers: Iterable[Facts], *, examples: int = 3) -> Evaluation:
    """The first matching rule wins. Customers matched by rules for different segments are
    overlaps (reported per pair of rules, with a few examples); pinned customers are left as
    they are; customers no rule matches keep their segment."""
    result = Evaluation(matched_per_rule={rule.rule_id: 0 for rule in rules})
    overlaps: dict[tuple[int, int], Overlap] = {}
    for facts in customers:
        hits = [rule for rule in rules if matches(rule.conditions, facts)]
        for rule in hits:
            result.matched_per_rule[rule.rule_id] += 1
        if not hits:
            result.unmatched += 1
            continue
        winner = hits[0]
        for other in hits[1:]:
            if other.segment_id != winner.segment_id:
                key = (winner.rule_id, other.rule_id)
                overlap = overlaps.setdefault(key, Overlap(first=winner, second=other))
                overlap.count += 1
                if len(overlap.examples) < examples:
                    overlap.examples.append(facts)
        if facts.pinned:
            result.pinned_skipped += 1
            continue
        result.assigned[facts.customer_id] = (winner.segment_id, winner.rule_id)
        if facts.segment_id != winner.segment_id:
            result.changes[facts.customer_id] = (
                facts.segment_id,
                winner.segment_id,
                winner.rule_id,
            )
    result.overlaps = sorted(overlaps.values(), key=lambda o: -o.count)
    return result
