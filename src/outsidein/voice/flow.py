"""The route a customer takes through a survey: jumps ("after this answer, go to question X or
end the survey") and follow-ups that appear only for a score range (``show_if``).

Pure functions over questions in their order; no database. The same walk runs on the public
page (the customer sees only the questions on their route; flow.js mirrors it in the browser),
in ``services.parse_answers`` (answers and requirements of skipped questions are ignored) and
in the response API. ``check`` guards every change of a survey's questions: a jump goes forward
only (so no loop can exist), names a question of the survey or the end, and no question may
become unreachable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

END = "end"
CHOICE_KINDS = ("single", "multiple")


class QuestionLike(Protocol):
    key: str
    kind: str
    required: bool
    choices: Any
    show_if: Any
    branches: Any

    @property
    def scale(self) -> tuple[int, int] | None: ...

    def text(self, language: str) -> str: ...


def can_jump(question: QuestionLike) -> bool:
    """Only score and choice questions have answers a jump can test."""
    return question.scale is not None or question.kind in CHOICE_KINDS


def matches(rule: Mapping[str, Any], value: Any) -> bool:
    if value is None or value == "" or value == []:
        return False
    if "choice" in rule:
        if isinstance(value, list):
            return rule["choice"] in value
        return bool(value == rule["choice"])
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return bool(rule.get("min", value) <= value <= rule.get("max", value))


def next_target(question: QuestionLike, value: Any) -> str | None:
    """The key to jump to after this answer, ``END``, or None for the next question."""
    for rule in question.branches or []:
        if matches(rule, value):
            return str(rule.get("goto") or "") or None
    return None


def shown_if_holds(question: QuestionLike, answers: Mapping[str, Any]) -> bool:
    rule = question.show_if or {}
    if not rule:
        return True
    value = answers.get(rule.get("key", ""))
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return bool(rule.get("min", value) <= value <= rule.get("max", value))


def route(questions: Sequence[QuestionLike], answers: Mapping[str, Any]) -> list[str]:
    """The keys of the questions this customer is shown, in order, given their answers."""
    index = {q.key: i for i, q in enumerate(questions)}
    shown: list[str] = []
    given: dict[str, Any] = {}
    i = 0
    while i < len(questions):
        question = questions[i]
        if not shown_if_holds(question, given):
            i += 1
            continue
        shown.append(question.key)
        if question.key in answers:
            given[question.key] = answers[question.key]
        target = next_target(question, answers.get(question.key))
        if target == END:
            break
        j = index.get(target or "", -1)
        i = j if j > i else i + 1  # a backward jump (refused by ``check``) never loops here
    return shown


def _label(questions: Sequence[QuestionLike], i: int, language: str) -> str:
    return _("question %(number)s “%(text)s”") % {
        "number": i + 1,
        "text": questions[i].text(language),
    }


def _covers_every_answer(question: QuestionLike) -> bool:
    """Whether every possible answer matches one of the jumps (then, if the question is
    required, the next question in order is never reached through it)."""
    rules = question.branches or []
    if question.scale is not None:
        low, high = question.scale
        return all(any(matches(rule, n) for rule in rules) for n in range(low, high + 1))
    if question.kind in CHOICE_KINDS and question.choices:
        covered = {rule.get("choice") for rule in rules}
        return all(choice["value"] in covered for choice in question.choices)
    return False


def check(questions: Sequence[QuestionLike], language: str = "en") -> None:
    """Refuse a set of questions (in their new order) whose jumps or follow-ups are broken,
    naming the question. Raises ``ValidationError`` with the message under ``branches`` (or
    ``show_if`` for a follow-up)."""
    try:
        _check(questions, language)
    except ValidationError as exc:
        raise ValidationError(
            {field: [capfirst(m) for m in messages] for field, messages in exc.message_dict.items()}
        ) from None


def _check(questions: Sequence[QuestionLike], language: str) -> None:
    index = {q.key: i for i, q in enumerate(questions)}
    for i, question in enumerate(questions):
        here = _label(questions, i, language)
        rule = question.show_if or {}
        if rule:
            j = index.get(rule.get("key", ""), -1)
            if not 0 <= j < i or questions[j].scale is None:
                raise ValidationError(
                    {
                        "show_if": _(
                            "%(question)s is a follow-up of “%(key)s”, which must be an earlier "
                            "score question of this survey."
                        )
                        % {"question": here, "key": rule.get("key", "")}
                    }
                )
        branches = question.branches or []
        if branches and not can_jump(question):
            raise ValidationError(
                {
                    "branches": _("%(question)s cannot jump: only score and choice questions can.")
                    % {"question": here}
                }
            )
        values = {c["value"]: c for c in question.choices or []}
        for branch in branches:
            goto = branch.get("goto")
            if goto != END and goto not in index:
                raise ValidationError(
                    {
                        "branches": _(
                            "%(question)s jumps to “%(key)s”, which is not a question of this "
                            "survey."
                        )
                        % {"question": here, "key": goto}
                    }
                )
            if goto != END and index[goto] <= i:
                raise ValidationError(
                    {
                        "branches": _(
                            "%(question)s jumps back to %(target)s: that would make a loop. "
                            "Jumps go forward only; move the question or change the jump."
                        )
                        % {"question": here, "target": _label(questions, index[goto], language)}
                    }
                )
            if "choice" in branch:
                if branch["choice"] not in values:
                    raise ValidationError(
                        {
                            "branches": _("%(question)s has a jump for a choice it does not offer.")
                            % {"question": here}
                        }
                    )
            elif question.scale is not None:
                low, high = question.scale
                lower, upper = branch.get("min", low), branch.get("max", high)
                if not (
                    isinstance(lower, int)
                    and isinstance(upper, int)
                    and low <= lower <= upper <= high
                ):
                    raise ValidationError(
                        {
                            "branches": _(
                                "%(question)s: a jump's score range must lie within "
                                "%(low)s–%(high)s, from low to high."
                            )
                            % {"question": here, "low": low, "high": high}
                        }
                    )
            else:
                raise ValidationError(
                    {
                        "branches": _("%(question)s has a jump without a condition.")
                        % {"question": here}
                    }
                )
    # Reachability: from the first question, along every jump, and on to the next question
    # unless each answer of a required question jumps elsewhere. A follow-up may be hidden,
    # and then the route goes on to the next question as well.
    reached = {0} if questions else set()
    for i, question in enumerate(questions):
        if i not in reached:
            before = max((j for j in reached if j < i), default=0)
            raise ValidationError(
                {
                    "branches": _(
                        "%(question)s can never be reached: every answer to %(before)s "
                        "jumps past it. Change a jump, or make that question optional."
                    )
                    % {
                        "question": _label(questions, i, language),
                        "before": _label(questions, before, language),
                    }
                }
            )
        for branch in question.branches or []:
            if branch.get("goto") != END:
                reached.add(index[branch["goto"]])
        if question.show_if or not question.required or not _covers_every_answer(question):
            reached.add(i + 1)
