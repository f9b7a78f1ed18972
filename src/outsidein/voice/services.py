"""Domain operations of the voice app: surveys and their questions, customers' answers, and
feedback from every channel. Every write of feedback keeps the rollups in step (same
transaction), so dashboards always equal a recomputation from the raw feedback."""

from __future__ import annotations

import contextlib
import copy
import logging
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.analytics import rollups
from outsidein.core.models import Customer, Organisation, Person
from outsidein.core.services import apply_changes
from outsidein.voice import flow, rowinsert, single_statement, webhooks
from outsidein.voice.models import (
    Channel,
    Feedback,
    FeedbackKind,
    Invitation,
    InvitationStatus,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
    Tag,
)

logger = logging.getLogger(__name__)

SCORE_FIELDS = ("nps", "csat", "ces", "rating")

# Called when a piece of feedback arrives complete (or is completed), so that apps built on voice
# can act on it (the practice app opens follow-ups, the text app analyses it). Registered
# explicitly in an AppConfig.ready(); imports of history do not call them. A customer's own
# submission (public pages, the API, webhooks in) does not wait for them: it enqueues one task,
# ``voice.tasks.feedback_arrived``, that runs them (and the outgoing webhooks) in the worker;
# feedback that an employee logs runs them at once, so the case is there when the page reloads.
# Listeners must be idempotent: the task may run twice (a retry, a worker killed half way).
FeedbackListener = Callable[[Feedback], object]
_feedback_listeners: list[tuple[FeedbackListener, bool]] = []


def register_feedback_listener(listener: FeedbackListener, *, writes: bool = True) -> None:
    """``writes=False`` for a listener that runs without a savepoint around it: it must not
    touch the database, or take its own savepoint where it does (a failed statement outside
    one would abort the transaction on PostgreSQL)."""
    if all(known is not listener for known, _writes in _feedback_listeners):
        _feedback_listeners.append((listener, writes))


def _feedback_arrived(feedback: Feedback) -> None:
    # Each listener that writes in its own savepoint: a failure there is logged and never
    # costs the customer their answer.
    for listener, writes in _feedback_listeners:
        try:
            if writes:
                with transaction.atomic():
                    listener(feedback)
            else:
                listener(feedback)
        except Exception:
            logger.exception("Feedback listener %s failed for feedback %s", listener, feedback.pk)


def _arrived(feedback: Feedback, *, defer: bool, announce: bool = True) -> None:
    """Feedback arrived complete: run the listeners and announce it to the outgoing webhooks,
    now or (``defer``) in the worker."""
    if defer:
        from outsidein.voice import dispatch

        dispatch.feedback_arrived(feedback)
        return
    _feedback_arrived(feedback)
    if announce:
        webhooks.announce(feedback)


@transaction.atomic
def process_arrival(feedback_id: int) -> bool:
    """What a deferred arrival does, in the worker: the listeners, then the outgoing webhooks.
    Idempotent (running it twice opens one follow-up, sends one message per hook): the row is
    locked for the duration (PostgreSQL), each listener checks what it did before, and the
    webhook messages carry ids made from the feedback and the hook. False when the feedback is
    gone or not complete (deleted or edited before the worker got to it)."""
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("organisation", "customer")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or not feedback.is_complete:
        return False
    _feedback_arrived(feedback)
    webhooks.announce(feedback)
    return True


# Apps that keep aggregates of feedback elsewhere (text's theme rollup) wrap every edit and
# deletion of feedback: ``tracker(organisation_id, feedback_ids)`` is a context manager around
# the change, inside its transaction.
FeedbackTracker = Callable[[int, Sequence[int]], contextlib.AbstractContextManager[object]]
_feedback_trackers: list[FeedbackTracker] = []


def register_feedback_tracker(tracker: FeedbackTracker) -> None:
    if all(known is not tracker for known in _feedback_trackers):
        _feedback_trackers.append(tracker)


@contextlib.contextmanager
def _tracked(organisation_id: int, feedback_ids: Sequence[int]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for tracker in _feedback_trackers:
            stack.enter_context(tracker(organisation_id, feedback_ids))
        yield


SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}

# --- surveys ---------------------------------------------------------------------------------

SURVEY_FIELDS = (
    "name",
    "team",
    "title_nl",
    "title_en",
    "intro_nl",
    "intro_en",
    "thanks_nl",
    "thanks_en",
    "opens_at",
    "closes_at",
    "allow_anonymous",
    "allowed_origins",
    "status",
)

# Ready-made question sets a survey can start from (the builder edits them afterwards).
TEMPLATES: dict[str, list[dict[str, Any]]] = {
    "nps": [
        {
            "key": "nps",
            "kind": QuestionKind.NPS,
            "required": True,
            "text_nl": "Hoe waarschijnlijk is het dat je ons aanbeveelt aan vrienden of collega's?",
            "text_en": "How likely are you to recommend us to a friend or colleague?",
        },
        {
            "key": "reason",
            "kind": QuestionKind.TEXT,
            "text_nl": "Wat is de belangrijkste reden voor je score?",
            "text_en": "What is the main reason for your score?",
        },
    ],
    "csat": [
        {
            "key": "csat",
            "kind": QuestionKind.CSAT,
            "required": True,
            "text_nl": "Hoe tevreden ben je over onze dienstverlening?",
            "text_en": "How satisfied are you with our service?",
        },
        {
            "key": "reason",
            "kind": QuestionKind.TEXT,
            "text_nl": "Wat kunnen we beter doen?",
            "text_en": "What could we do better?",
            "show_if": {"key": "csat", "max": 3},
        },
    ],
    "ces": [
        {
            "key": "ces",
            "kind": QuestionKind.CES,
            "required": True,
            "text_nl": "Hoeveel moeite kostte het om je vraag door ons opgelost te krijgen?",
            "text_en": "How much effort did it take to get your question resolved?",
        },
        {
            "key": "reason",
            "kind": QuestionKind.TEXT,
            "text_nl": "Wat maakte het lastig of juist makkelijk?",
            "text_en": "What made it hard, or easy?",
        },
    ],
    "blank": [],
}


@transaction.atomic
def create_survey(organisation: Organisation, *, template: str = "nps", **fields: Any) -> Survey:
    if template not in TEMPLATES:
        raise ValidationError({"template": _("Unknown template %(t)s.") % {"t": template}})
    survey = Survey(organisation=organisation)
    apply_changes(survey, fields, SURVEY_FIELDS)
    survey.full_clean()
    survey.save()
    audit.created(survey, AUDITED_SURVEY_FIELDS, details={"template": template})
    for position, spec in enumerate(TEMPLATES[template]):
        add_question(survey, position=position, **spec)
    return survey


@transaction.atomic
def update_survey(survey: Survey, **changes: Any) -> Survey:
    before = audit.snapshot(survey, AUDITED_SURVEY_FIELDS)
    try:
        apply_changes(survey, changes, SURVEY_FIELDS)
        survey.full_clean()
    except ValidationError:
        survey.refresh_from_db()
        raise
    survey.save()
    audit.changed(survey, before, AUDITED_SURVEY_FIELDS)
    return survey


AUDITED_SURVEY_FIELDS = ("name", "status", "team", "allow_anonymous", "opens_at", "closes_at")


@transaction.atomic
def delete_survey(survey: Survey) -> None:
    """Delete a survey with its responses (and take them out of the rollups)."""
    responses = list(Feedback.objects.filter(survey=survey))
    audit.deleted(survey, AUDITED_SURVEY_FIELDS, details={"responses": len(responses)})
    rollups.remove(survey.organisation_id, responses)
    with _tracked(survey.organisation_id, [item.pk for item in responses]):
        survey.delete()


QUESTION_FIELDS = (
    "key",
    "kind",
    "text_nl",
    "text_en",
    "choices",
    "required",
    "show_if",
    "position",
    "branches",
    "scale_labels",
)
# What an edit may change; the key stays (answers, exports, jumps and follow-ups refer to it).
EDITABLE_QUESTION_FIELDS = (
    "kind",
    "text_nl",
    "text_en",
    "choices",
    "required",
    "show_if",
    "branches",
    "scale_labels",
)
AUDITED_QUESTION_FIELDS = (
    "key",
    "kind",
    "text_nl",
    "text_en",
    "choices",
    "required",
    "show_if",
    "branches",
    "scale_labels",
    "position",
)


def _check_flow(questions: Sequence[Question]) -> None:
    """The jumps and follow-ups of the survey's questions in this order (see voice.flow)."""
    from django.utils.translation import get_language

    flow.check(questions, "en" if (get_language() or "").startswith("en") else "nl")


@transaction.atomic
def add_question(survey: Survey, **fields: Any) -> Question:
    question = Question(organisation_id=survey.organisation_id, survey=survey)
    apply_changes(question, fields, QUESTION_FIELDS)
    if "position" not in fields:
        question.position = survey.questions.count()
    if not question.text_en:
        question.text_en = question.text_nl
    if not question.text_nl:
        question.text_nl = question.text_en
    _check_show_if(survey, question)
    question.full_clean(validate_constraints=False)
    if survey.questions.filter(key=question.key).exists():
        raise ValidationError({"key": _("This survey already has a question with this key.")})
    others = list(survey.questions.all())
    _check_flow(sorted([*others, question], key=lambda q: (q.position, q.pk is None, q.pk or 0)))
    question.save()
    return question


def answer_count(question: Question) -> int:
    """How many stored responses answered this question."""
    return Feedback.objects.filter(
        survey_id=question.survey_id, answers__has_key=question.key
    ).count()


def _meaning_changes(question: Question, changes: Mapping[str, Any]) -> dict[str, str]:
    """What in ``changes`` would change the meaning of answers already given: the kind, and any
    existing choice removed. Wording (question text, choice labels, scale words), the required
    flag, jumps and follow-ups may change; new choices may be added."""
    errors: dict[str, str] = {}
    if "kind" in changes and changes["kind"] != question.kind:
        errors["kind"] = _(
            "This question has answers, so its kind stays %(kind)s; add a new question to ask "
            "it another way."
        ) % {"kind": question.get_kind_display()}
    if "choices" in changes:
        kept = {c["value"] for c in changes["choices"] or []}
        removed = [c for c in question.choices if c["value"] not in kept]
        if removed:
            errors["choices"] = _(
                "This question has answers, so the choice “%(choice)s” cannot be removed "
                "(answers refer to it). You may fix its wording or add choices."
            ) % {"choice": removed[0].get("nl") or removed[0]["value"]}
    return errors


@transaction.atomic
def update_question(question: Question, **changes: Any) -> Question:
    """Edit a question. Once it has answers, edits that would change their meaning are
    refused (``_meaning_changes``); every change is in the audit log with the old wording."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    question = Question.objects.get(pk=question.pk, survey=survey)
    before = audit.snapshot(question, AUDITED_QUESTION_FIELDS)
    if answer_count(question):
        errors = _meaning_changes(question, changes)
        if errors:
            raise ValidationError(errors)
    apply_changes(question, changes, EDITABLE_QUESTION_FIELDS)
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        question.choices = []
    if question.scale is None:
        question.scale_labels = {}
    if not question.text_en:
        question.text_en = question.text_nl
    if not question.text_nl:
        question.text_nl = question.text_en
    _check_show_if(survey, question)
    question.full_clean(validate_constraints=False)
    others = [q for q in survey.questions.all() if q.pk != question.pk]
    _check_flow(sorted([*others, question], key=lambda q: (q.position, q.pk)))
    question.save()
    audit.changed(question, before, AUDITED_QUESTION_FIELDS)
    _touch(survey)
    return question


def _touch(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(updated_at=timezone.now())


@transaction.atomic
def reorder_questions(survey: Survey, question_ids: Sequence[int]) -> list[Question]:
    """Put the survey's questions in this order, all or nothing. ``question_ids`` must name
    every question of the survey once; the jumps are checked in the new order."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    questions = {q.pk: q for q in survey.questions.all()}
    ids = [int(i) for i in question_ids]
    if sorted(ids) != sorted(questions):
        raise ValidationError(
            {
                "order": _(
                    "The order must name every question of this survey once; reload the page "
                    "and try again."
                )
            }
        )
    ordered = [questions[i] for i in ids]
    _check_flow(ordered)
    now = timezone.now()
    changed = []
    for position, question in enumerate(ordered):
        if question.position != position:
            question.position = position
            question.updated_at = now
            changed.append(question)
    Question.objects.bulk_update(changed, ["position", "updated_at"])
    if changed:
        _touch(survey)
        audit.record(
            survey.organisation_id,
            "change",
            obj=survey,
            details={"question_order": [q.key for q in ordered]},
        )
    return ordered


def move_question(question: Question, step: int) -> list[Question]:
    """Move a question one place up (-1) or down (+1)."""
    ids = list(
        Question.objects.filter(survey_id=question.survey_id)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    i = ids.index(question.pk)
    j = i + step
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return reorder_questions(question.survey, ids)


COPIED_SURVEY_FIELDS = (
    "team",
    "title_nl",
    "title_en",
    "intro_nl",
    "intro_en",
    "thanks_nl",
    "thanks_en",
    "opens_at",
    "closes_at",
    "allow_anonymous",
    "allowed_origins",
)


@transaction.atomic
def copy_survey(survey: Survey, *, name: str = "") -> Survey:
    """A new draft survey with the same settings, questions, jumps and follow-ups; no
    responses or invitations, and its own public link."""
    fields = {f: getattr(survey, f) for f in COPIED_SURVEY_FIELDS}
    copy_ = Survey(
        organisation_id=survey.organisation_id,
        name=(name or _("Copy of %(name)s") % {"name": survey.name})[:200],
        status=SurveyStatus.DRAFT,
        **fields,
    )
    copy_.full_clean()
    copy_.save()
    audit.created(copy_, AUDITED_SURVEY_FIELDS, details={"copied_from": survey.pk})
    Question.objects.bulk_create(
        [
            Question(
                organisation_id=survey.organisation_id,
                survey=copy_,
                **{f: copy.deepcopy(getattr(q, f)) for f in QUESTION_FIELDS},
            )
            for q in survey.questions.all()
        ]
    )
    return copy_


def _check_show_if(survey: Survey, question: Question) -> None:
    rule = question.show_if or {}
    if not rule:
        return
    target = survey.questions.filter(key=rule.get("key")).first()
    if target is None or target.scale is None:
        raise ValidationError(
            {"show_if": _("A follow-up depends on an earlier score question of this survey.")}
        )
    low, high = target.scale
    for bound in ("min", "max"):
        if bound in rule and not (isinstance(rule[bound], int) and low <= rule[bound] <= high):
            raise ValidationError(
                {
                    "show_if": _("The score range must lie within %(low)s–%(high)s.")
                    % {"low": low, "high": high}
                }
            )


@transaction.atomic
def delete_question(question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_flow([q for q in survey.questions.all() if q.pk != question.pk])
    audit.deleted(question, AUDITED_QUESTION_FIELDS)
    question.delete()


# --- answering a survey ------------------------------------------------------------------------


def is_visible(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a follow-up's condition holds for the answers given so far."""
    rule = question.show_if or {}
    if not rule:
        return True
    value = answers.get(rule.get("key", ""))
    if not isinstance(value, int):
        return False
    return rule.get("min", value) <= value <= rule.get("max", value)


@dataclass
class ParsedAnswers:
    answers: dict[str, Any]
    errors: dict[str, str]
    complete: bool


def parse_answers(
    questions: Sequence[Question], data: Mapping[str, Any], *, partial: bool = False
) -> ParsedAnswers:
    """Validate raw form/JSON input against the questions. ``data`` maps question keys to a
    string, an int or (multiple choice) a list of strings. Unknown keys are ignored."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        raw = data.get(question.key)
        if raw in (None, "", []):
            continue
        if question.scale:
            low, high = question.scale
            try:
                value = int(raw)
            except (TypeError, ValueError):
                errors[question.key] = _("Choose a number from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                continue
            if not low <= value <= high:
                errors[question.key] = _("Choose a number from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                continue
            answers[question.key] = value
        elif question.kind == QuestionKind.SINGLE:
            allowed = {c["value"] for c in question.choices}
            if str(raw) not in allowed:
                errors[question.key] = _("Choose one of the options.")
                continue
            answers[question.key] = str(raw)
        elif question.kind == QuestionKind.MULTIPLE:
            values = [raw] if isinstance(raw, str) else list(raw)
            allowed = {c["value"] for c in question.choices}
            if not all(str(v) in allowed for v in values):
                errors[question.key] = _("Choose from the options.")
                continue
            answers[question.key] = sorted({str(v) for v in values})
        else:
            text = str(raw).strip()
            if len(text) > 5000:
                errors[question.key] = _("Please keep it under 5,000 characters.")
                continue
            if text:
                answers[question.key] = text
    # Only the questions on the customer's route count (jumps and follow-ups, voice.flow):
    # answers to skipped questions are ignored (not stored, not checked), and a skipped
    # required question is not required.
    shown = set(flow.route(questions, answers))
    errors = {k: v for k, v in errors.items() if k in shown}
    missing = [
        q.key
        for q in questions
        if q.required and q.key in shown and q.key not in answers and q.key not in errors
    ]
    if not partial:
        for key in missing:
            errors[key] = _("Please answer this question.")
    answers = {k: v for k, v in answers.items() if k in shown}
    return ParsedAnswers(answers=answers, errors=errors, complete=not missing and not errors)


def scores_from_answers(
    questions: Sequence[Question], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The headline score columns and the comment, taken from the first question of each kind."""
    result: dict[str, Any] = {}
    for question in questions:
        if (
            question.kind in SCORE_FIELDS
            and question.key in answers
            and question.kind not in result
        ):
            result[question.kind] = answers[question.key]
    texts = [answers[q.key] for q in questions if q.kind == QuestionKind.TEXT and q.key in answers]
    result["comment"] = "\n\n".join(texts)
    return result


class AlreadyAnswered(Exception):
    """The invitation was used for a complete response already."""


class SurveyNotOpen(Exception):
    """The survey does not accept responses now."""


class SurveyChanged(Exception):
    """The survey or its questions changed since the caller's copy, which the answers were
    checked against (``survey_unchanged``): nothing was written."""


def submit_response(survey: Survey, **kwargs: Any) -> Feedback:
    """Record a customer's answers (``_submit_response``) in a transaction of its own. A
    database connection lost before the commit was sent (the database restarted, a proxy cut
    it) rolled the transaction back on the server: the answers are written once more on a new
    connection instead of failing the customer's request. A loss during the commit is not
    retried (the outcome is unknown there), nor one inside a caller's transaction."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        # Inside a caller's transaction (a savepoint here), or on SQLite (a file: no
        # connection to lose).
        with transaction.atomic():
            return _submit_response(survey, **kwargs)
    if _new_answer(kwargs) and single_statement.available():
        # Its one write is one statement (``single_statement``), atomic by itself and retried
        # there by its key: no transaction around it (BEGIN and COMMIT were two of seven
        # round trips). Reads here come before it.
        return _submit_response(survey, **kwargs)
    for attempt in (1, 2):
        sent_commit = False
        try:
            with transaction.atomic():
                feedback = _submit_response(survey, **kwargs)
                sent_commit = True
            return feedback
        except (OperationalError, InterfaceError):
            if sent_commit or attempt == 2:
                raise
            logger.warning("The database connection was lost during a submission; retrying")
            connection.close()
    raise AssertionError("unreachable")


def _new_answer(kwargs: Mapping[str, Any]) -> bool:
    """An answer that adds a row and changes none (no invitation, no partial one continued,
    no external id to look up first)."""
    return not (kwargs.get("invitation") or kwargs.get("previous") or kwargs.get("external_id"))


def _submit_response(
    survey: Survey,
    *,
    data: Mapping[str, Any],
    channel: str,
    language: str,
    customer: Customer | None = None,
    invitation: Invitation | None = None,
    partial: bool = False,
    external_id: str = "",
    submitted_at: datetime | None = None,
    previous: Feedback | None = None,
    questions: Sequence[Question] | None = None,
    survey_unchanged: single_statement.Condition | None = None,
) -> Feedback:
    """Record a customer's answers. A partial response is kept and completed later: through
    the invitation, or ``previous`` (an anonymous visitor's partial answers, from their session).
    A complete response cannot be submitted twice through one invitation (``AlreadyAnswered``).
    The listeners and webhooks run in the worker (``process_arrival``): the customer's request
    is the validation, the insert, the rollup upsert and the enqueueing.

    ``survey_unchanged``: where the caller's ``survey`` and ``questions`` are a copy it has not
    checked against the database in this request, the SQL condition (PostgreSQL) that they are
    still current; the write happens only while it holds, else ``SurveyChanged`` is raised
    and nothing is written (``voice.public``: the check costs no query of its own)."""
    if not survey.is_accepting():
        raise SurveyNotOpen
    questions = list(questions) if questions is not None else list(survey.questions.all())
    parsed = parse_answers(questions, data, partial=partial)
    if parsed.errors:
        raise ValidationError(parsed.errors)
    scores = scores_from_answers(questions, parsed.answers)
    existing = None
    if previous is not None and previous.survey_id == survey.pk:
        # Read again, locked, in this transaction: the caller's object may carry the changes of
        # an attempt that was rolled back (a lost connection, retried), and two final submits
        # of one session (a double click) take turns instead of both completing it.
        existing = (
            Feedback.objects.select_for_update()
            .filter(pk=previous.pk, survey=survey, is_complete=False)
            .first()
        )
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        existing = Feedback.objects.filter(invitation=invitation).first()
        if existing is not None and existing.is_complete:
            raise AlreadyAnswered
        customer = invitation.customer
    fields = {
        "answers": parsed.answers,
        "is_complete": parsed.complete and not partial,
        "nps": scores.get("nps"),
        "csat": scores.get("csat"),
        "ces": scores.get("ces"),
        "rating": scores.get("rating"),
        "comment": scores["comment"],
        "language": language,
    }
    if existing is not None:
        _require(survey_unchanged)
        feedback = _update_feedback(
            existing, fields | {"submitted_at": timezone.now()}, defer=True, announce=True
        )
    else:
        feedback = _record_feedback(
            survey.organisation,
            kind=FeedbackKind.RESPONSE,
            channel=channel,
            survey=survey,
            customer=customer,
            invitation=invitation,
            external_id=external_id,
            submitted_at=submitted_at,
            defer_listeners=True,
            only_if=survey_unchanged,
            **fields,
        )[0]
    if invitation is not None and feedback.is_complete:
        invitation.status = InvitationStatus.RESPONDED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at", "updated_at"])
    return feedback


# --- feedback from any channel ------------------------------------------------------------------

FEEDBACK_FIELDS = (
    "kind",
    "channel",
    "survey",
    "invitation",
    "customer",
    "team",
    "author",
    "language",
    "submitted_at",
    "nps",
    "csat",
    "ces",
    "rating",
    "subject",
    "comment",
    "answers",
    "is_complete",
    "external_id",
)
EDITABLE_FEEDBACK_FIELDS = (
    "team",
    "language",
    "submitted_at",
    "nps",
    "csat",
    "ces",
    "rating",
    "subject",
    "comment",
    "answers",
    "is_complete",
    "customer",
)


def validate_scores(values: Mapping[str, Any]) -> None:
    errors = {}
    for name, (low, high) in SCORE_RANGES.items():
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _("%(name)s must be a whole number from %(low)s to %(high)s.") % {
                "name": name.upper(),
                "low": low,
                "high": high,
            }
    if errors:
        raise ValidationError(errors)


def _fill_dimensions(feedback: Feedback) -> None:
    """Snapshot the segment (from the customer) and the owning team (from the survey)."""
    if feedback.customer is not None:
        if feedback.customer.organisation_id != feedback.organisation_id:
            raise ValidationError({"customer": _("This belongs to another organisation.")})
        feedback.segment_id = feedback.customer.segment_id
        if not feedback.language:
            feedback.language = feedback.customer.language
    if feedback.team_id is None and feedback.survey is not None:
        # The team object where the survey came with it (the public pages' cached survey):
        # checking that it belongs to the organisation then reads nothing.
        feedback.team = feedback.survey.team
    if not feedback.language:
        feedback.language = feedback.organisation.language


def _check(feedback: Feedback) -> None:
    validate_scores({name: getattr(feedback, name) for name in SCORE_RANGES})
    for name in ("survey", "team", "author"):
        related = getattr(feedback, name)
        if related is not None and related.organisation_id != feedback.organisation_id:
            raise ValidationError({name: _("This belongs to another organisation.")})
    if feedback.kind == FeedbackKind.RESPONSE and feedback.survey_id is None:
        raise ValidationError({"survey": _("A survey response belongs to a survey.")})
    # A foreign key whose object is attached was read from the database by the caller: its
    # existence check would be one query each for nothing (the database's constraint stays).
    loaded = []
    for relation in Feedback._meta.concrete_fields:
        if not isinstance(relation, ForeignKey) or not relation.is_cached(feedback):
            continue
        related = relation.get_cached_value(feedback)
        if (
            related is not None
            and not related._state.adding
            and related.pk == getattr(feedback, relation.attname)
        ):
            loaded.append(relation.name)
    feedback.full_clean(exclude=["tags", *loaded], validate_constraints=False)


@transaction.atomic
def record_feedback(
    organisation: Organisation,
    *,
    tags: Iterable[str] = (),
    defer_listeners: bool = False,
    **fields: Any,
) -> tuple[Feedback, bool]:
    """Store one piece of feedback and count it in the rollups. Idempotent on ``external_id``:
    the same id again returns the stored item and ``False``. ``defer_listeners``: the
    listeners (follow-ups, text analysis) and outgoing webhooks run in the worker, for
    feedback sent by other systems; an employee's logged feedback runs them at once."""
    return _record_feedback(organisation, tags=tags, defer_listeners=defer_listeners, **fields)


def _record_feedback(
    organisation: Organisation,
    *,
    tags: Iterable[str] = (),
    defer_listeners: bool = False,
    only_if: single_statement.Condition | None = None,
    **fields: Any,
) -> tuple[Feedback, bool]:
    # ``record_feedback`` without a transaction of its own, for callers inside one that
    # lets any error through (a savepoint there would cost two queries for nothing).
    # ``only_if``: see ``survey_unchanged`` in ``submit_response``.
    external_id = (fields.get("external_id") or "").strip()
    if external_id:
        fields["external_id"] = external_id
        found = Feedback.objects.filter(organisation=organisation, external_id=external_id).first()
        if found is not None:
            return found, False
    if fields.get("submitted_at") is None:
        fields.pop("submitted_at", None)
    feedback = Feedback(organisation=organisation)
    apply_changes(feedback, fields, FEEDBACK_FIELDS)
    _fill_dimensions(feedback)
    _check(feedback)
    if defer_listeners and feedback.is_complete and not tags:
        try:
            if single_statement.write(feedback, only_if=only_if):
                return feedback, True  # the row, its rollups and the worker's task in one
        except single_statement.ConditionFailed:
            raise SurveyChanged from None
    # In the caller's transaction; a transaction of its own where the caller runs none
    # (``submit_response`` for a new answer, expecting the one statement above).
    with contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic():
        _require(only_if)
        rowinsert.insert(feedback)
        if tags:
            set_tags(feedback, tags)
        rollups.add(organisation.pk, [feedback])
        if feedback.is_complete:
            _arrived(feedback, defer=defer_listeners)
    return feedback, True


def _require(survey_unchanged: single_statement.Condition | None) -> None:
    """Raise ``SurveyChanged`` unless the condition holds (read in the caller's transaction,
    just before its write)."""
    if survey_unchanged is None:
        return
    sql, params = survey_unchanged
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        (holds,) = cursor.fetchone()
    if not holds:
        raise SurveyChanged


@transaction.atomic
def update_feedback(feedback: Feedback, **changes: Any) -> Feedback:
    """An employee's edit; one that completes the feedback runs the listeners at once."""
    return _update_feedback(feedback, changes, defer=False, announce=False)


def _update_feedback(
    feedback: Feedback, changes: Mapping[str, Any], *, defer: bool, announce: bool
) -> Feedback:
    before = copy.copy(feedback)
    try:
        apply_changes(feedback, changes, EDITABLE_FEEDBACK_FIELDS)
        if "customer" in changes:
            feedback.segment_id = None
        _fill_dimensions(feedback)
        _check(feedback)
    except ValidationError:
        feedback.refresh_from_db()
        raise
    with _tracked(feedback.organisation_id, [feedback.pk]):
        feedback.save()
    rollups.remove(feedback.organisation_id, [before])
    rollups.add(feedback.organisation_id, [feedback])
    if feedback.is_complete and not before.is_complete:
        _arrived(feedback, defer=defer, announce=announce)
    return feedback


@transaction.atomic
def delete_feedback(feedback: Feedback) -> None:
    audit.record(
        feedback.organisation_id,
        "delete",
        feedback,
        before=audit.snapshot(feedback, AUDITED_FEEDBACK_FIELDS),
        details={"customer_id": feedback.customer_id},
    )
    rollups.remove(feedback.organisation_id, [feedback])
    with _tracked(feedback.organisation_id, [feedback.pk]):
        feedback.delete()


# --- what a customer said is evidence -------------------------------------------------------

# What came from the customer: staff never rewrite it (an administrator amends an import
# error with a reason). Tags, the owning team, notes and corrections of the analysis sit
# beside it.
CUSTOMER_WORDS = ("language", "submitted_at", "nps", "csat", "ces", "rating", "subject", "comment")
AUDITED_FEEDBACK_FIELDS = (*CUSTOMER_WORDS, "team", "kind", "channel", "external_id")


def is_staff_logged(feedback: Feedback) -> bool:
    """Feedback an employee wrote down themselves (a contact note, a complaint heard at the
    counter): its author may correct their own words."""
    return feedback.author_id is not None


@transaction.atomic
def edit_feedback(feedback: Feedback, *, by: Person, **changes: Any) -> Feedback:
    """An employee's change of feedback: the owning team, or the words of feedback they logged
    themselves (the caller checks the permission). Recorded in the audit trail."""
    before = audit.snapshot(feedback, AUDITED_FEEDBACK_FIELDS)
    update_feedback(feedback, **changes)
    audit.record(
        feedback.organisation_id,
        "change",
        feedback,
        before=before,
        after=audit.snapshot(feedback, AUDITED_FEEDBACK_FIELDS),
        details={"customer_id": feedback.customer_id},
        actor=by,
    )
    return feedback


@transaction.atomic
def amend_feedback(feedback: Feedback, *, by: Person, reason: str, **changes: Any) -> Feedback:
    """An administrator's fix of what a customer's feedback says (an import error: a score in
    the wrong column, a comment cut off): explicit, with a reason, recorded with the values
    before and after. The rollups follow in the same transaction."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError(
            {"reason": _("Say why this feedback is amended (at least 5 characters).")}
        )
    unknown = set(changes) - set(CUSTOMER_WORDS)
    if unknown:
        raise ValidationError(
            {
                sorted(unknown)[0]: _(
                    "Only the customer's scores, words, language and date can be amended."
                )
            }
        )
    if not changes:
        raise ValidationError({"__all__": _("Name at least one field to amend.")})
    before = audit.snapshot(feedback, AUDITED_FEEDBACK_FIELDS)
    update_feedback(feedback, **changes)
    after = audit.snapshot(feedback, AUDITED_FEEDBACK_FIELDS)
    audit.record(
        feedback.organisation_id,
        "amend",
        feedback,
        before=before,
        after=after,
        reason=reason,
        details={"customer_id": feedback.customer_id},
        actor=by,
    )
    return feedback


@dataclass(slots=True)
class FeedbackRow:
    """A validated row for ``bulk_record``, lighter than a model instance (imports build a
    million of them). Attribute names are the Feedback model's column attributes."""

    kind: str
    channel: str
    language: str
    submitted_at: datetime
    external_id: str = ""
    survey_id: int | None = None
    customer_id: int | None = None
    segment_id: int | None = None
    team_id: int | None = None
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    rating: int | None = None
    subject: str = ""
    comment: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    is_complete: bool = True
    organisation_id: int = 0
    invitation_id: int | None = None
    author_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    pk: int | None = None


@transaction.atomic
def bulk_record(
    organisation: Organisation,
    items: Sequence[Any],
    *,
    fill_ids: bool = False,
    check_stored: bool = True,
    rollups_into: dict[Any, dict[str, int]] | None = None,
) -> list[Any]:
    """Insert already validated feedback in bulk (imports, the demo): skips items whose
    ``external_id`` is stored already or repeats within the batch; returns those inserted
    (with their ids when ``fill_ids``). Rows go in with one ``executemany`` per batch rather
    than ``bulk_create``, which spends most of its time preparing each field of each object.
    ``check_stored=False``: the caller knows no item's ``external_id`` is stored yet (the
    database's unique constraint still refuses one that is). ``rollups_into``: add the rollup
    changes to this dict instead of writing them (the caller applies it, in the same
    transaction, with ``rollups.apply``)."""
    ids = [f.external_id for f in items if f.external_id]
    known = _stored_external_ids(organisation.pk, ids) if check_stored else set()
    fresh: list[Any] = []
    for item in items:
        if item.external_id:
            if item.external_id in known:
                continue
            known.add(item.external_id)
        item.organisation_id = organisation.pk
        fresh.append(item)
    _insert(fresh)
    if fill_ids:
        _fill_ids(organisation.pk, fresh)
    if rollups_into is None:
        rollups.add(organisation.pk, fresh)
    else:
        for key, counts in rollups.deltas(fresh, +1).items():
            target = rollups_into.setdefault(key, dict.fromkeys(counts, 0))
            for name, value in counts.items():
                target[name] += value
    return fresh


def _stored_external_ids(organisation_id: int, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the organisation has stored. Plain SQL: building the ORM's IN list of
    thousands of parameters costs more than the query."""
    from django.db import connection

    known: set[str] = set()
    table = Feedback._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            # The partial unique index's own condition, written as in its definition, lets
            # SQLite use it (else it scans the organisation's rows, once per query).
            cursor.execute(
                f"SELECT external_id FROM {table} "  # noqa: S608  (model identifier)
                "WHERE organisation_id = %s AND NOT (external_id = '') "
                f"AND external_id IN ({', '.join(['%s'] * len(part))})",
                [organisation_id, *part],
            )
            known.update(row[0] for row in cursor.fetchall())
    return known


def _insert(items: Sequence[Any], batch: int = 5000) -> None:
    import json

    from django.db import connection

    fields = [f for f in Feedback._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        # What Django's SQLite backend stores: naive UTC text. Done here directly, as the
        # generic adaptation costs more than the insert itself at a million rows.
        def moment(value: datetime) -> Any:
            return str(value.astimezone(UTC).replace(tzinfo=None))

        def document(value: Any) -> Any:
            return json.dumps(value)
    else:

        def moment(value: datetime) -> Any:
            return value

        def document(value: Any) -> Any:
            return json.dumps(value)  # COPY's text format reads jsonb from its text

    stamp = moment(now)
    attnames = [f.attname for f in fields]
    table = Feedback._meta.db_table
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608  (identifiers from the model)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    position = {name: index for index, name in enumerate(attnames)}
    submitted, created, updated, answers = (
        position["submitted_at"],
        position["created_at"],
        position["updated_at"],
        position["answers"],
    )

    values = operator.attrgetter(*attnames)

    def prepared(chunk: Sequence[Any]) -> list[list[Any]]:
        rows = []
        for item in chunk:
            row = list(values(item))
            row[submitted] = moment(row[submitted])
            row[created] = moment(row[created]) if row[created] is not None else stamp
            row[updated] = stamp
            row[answers] = document(row[answers])
            rows.append(row)
        return rows

    with connection.cursor() as cursor:
        if sqlite:
            for start in range(0, len(items), batch):
                cursor.executemany(sql, prepared(items[start : start + batch]))
            return
        # PostgreSQL: COPY streams the rows in one command instead of a round trip per row.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(items), batch):
                for row in prepared(items[start : start + batch]):
                    copy.write_row(row)


def _fill_ids(organisation_id: int, items: Sequence[Feedback]) -> None:
    by_external_id = {item.external_id: item for item in items if item.external_id}
    keys = list(by_external_id)
    for start in range(0, len(keys), 5000):
        rows = Feedback.objects.filter(
            organisation_id=organisation_id, external_id__in=keys[start : start + 5000]
        ).values_list("external_id", "id")
        for external_id, pk in rows:
            item = by_external_id[external_id]
            item.pk = pk
            if hasattr(item, "_state"):
                item._state.adding = False


def set_tags(feedback: Feedback, names: Iterable[str]) -> list[Tag]:
    clean = sorted({name.strip()[:60] for name in names if name and name.strip()})
    tags = []
    for name in clean:
        tag, _created = Tag.objects.get_or_create(
            organisation_id=feedback.organisation_id, name=name
        )
        tags.append(tag)
    feedback.tags.set(tags)
    return tags


def note_from_contact(
    organisation: Organisation, *, author: Person, customer: Customer | None, text: str
) -> Feedback:
    """A learning from a customer conversation, as an item in the inbox."""
    return record_feedback(
        organisation,
        kind=FeedbackKind.NOTE,
        channel=Channel.VISIT,
        author=author,
        customer=customer,
        team=author.team,
        comment=text,
    )[0]


def open_survey(survey: Survey) -> Survey:
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    return update_survey(survey, status=SurveyStatus.OPEN)


def close_survey(survey: Survey) -> Survey:
    return update_survey(survey, status=SurveyStatus.CLOSED)


# --- the inbox -----------------------------------------------------------------------------

BANDS = {
    "detractor": {"nps__lte": 6},
    "passive": {"nps__gte": 7, "nps__lte": 8},
    "promoter": {"nps__gte": 9},
}


def filter_feedback(queryset: Any, **filters: Any) -> Any:
    """The inbox's filters; empty values are ignored."""
    from django.db.models import Q

    text = (filters.get("q") or "").strip()
    if text:
        queryset = queryset.filter(
            Q(comment__icontains=text)
            | Q(subject__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__external_id__iexact=text)
        )
    band = filters.get("band")
    if band in BANDS:
        queryset = queryset.filter(**BANDS[band])
    elif band == "unhappy":
        queryset = queryset.filter(Q(csat__lte=2) | Q(ces__gte=6) | Q(nps__lte=6))
    for name, lookup in (
        ("kind", "kind"),
        ("channel", "channel"),
        ("survey", "survey_id"),
        ("segment", "segment_id"),
        ("team", "team_id"),
        ("language", "language"),
        ("since", "submitted_at__date__gte"),
        ("until", "submitted_at__date__lte"),
    ):
        value = filters.get(name)
        if value not in (None, ""):
            queryset = queryset.filter(**{lookup: value})
    if filters.get("tag"):
        queryset = queryset.filter(tags__name=filters["tag"])
    from outsidein.voice.panels import inbox_filters

    for extra in inbox_filters():
        value = filters.get(extra.name)
        if value not in (None, ""):
            queryset = extra.apply(queryset, value)
    return queryset
